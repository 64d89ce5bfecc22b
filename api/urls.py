from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("crises", views.CrisisViewSet, basename="crisis")
router.register("events", views.EventViewSet, basename="event")
router.register("actors", views.ActorViewSet, basename="actor")
router.register("places", views.PlaceViewSet, basename="place")
router.register("sources", views.SourceViewSet, basename="source")
router.register("revisions", views.RevisionViewSet, basename="revision")
router.register("assessments", views.AssessmentViewSet, basename="assessment")

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("tombstones/", views.TombstoneView.as_view(), name="tombstones"),
    path("", include(router.urls)),
    re_path(r"^(?P<path>[\s\S]*)$", views.not_found),
]

from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("", views.crisis_list, name="crisis_list"),
    path("crises/<slug:slug>/", views.crisis_detail, name="crisis"),
    path("crises/<slug:slug>/timeline/", views.crisis_timeline, name="timeline"),
]

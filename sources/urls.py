from django.urls import path

from . import views

app_name = "sources"

urlpatterns = [
    path("<slug:key>/", views.source_detail, name="detail"),
]

from django.urls import path

from . import preview

app_name = "desk"

urlpatterns = [
    path("<str:token>/", preview.preview, name="preview"),
    path("<str:token>/timeline/", preview.preview, {"page": "timeline"}, name="preview_timeline"),
    path("<str:token>/map.json", preview.preview, {"page": "map"}, name="preview_map"),
]

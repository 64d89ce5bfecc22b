from django.urls import path

from . import views

app_name = "sources"

urlpatterns = [
    path("<slug:key>/", views.source_detail, name="detail"),
    path("<slug:key>/copy/<int:capture_id>/", views.source_copy, name="copy"),
    path("<slug:key>/copy/<int:capture_id>.warc.gz", views.source_warc, name="warc"),
    path("<slug:key>/copy/<int:capture_id>.png", views.source_screenshot, name="screenshot"),
]

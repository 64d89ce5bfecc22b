"""The actor pages' addresses, in the ``actors`` namespace they have always had."""

from django.urls import path

from . import actor_page

app_name = "actors"

urlpatterns = [
    path("<slug:slug>/", actor_page.actor_detail, name="detail"),
]

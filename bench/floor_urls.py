"""Only the bare view: the same bytes as the page under test, behind startproject's middleware."""

from django.urls import path

from bench.urls import bare

urlpatterns = [path("bench/bare/<slug:name>/", bare)]

"""The project's URLs plus /bench/bare/, a view that returns stored bytes and touches nothing,
the ceiling a cached page can approach."""

from django.http import HttpResponse
from django.urls import path

from bench.server import BARE_BODY, body_file
from crisis_tracker.urls import urlpatterns as project_urls


def bare(request, name: str = ""):
    """The stored bytes of page ``name`` (``bench.server.body_file``), or of the article."""
    stored = body_file(name) if name else BARE_BODY
    return HttpResponse(stored.read_bytes() if stored.exists() else b"")


urlpatterns = [
    path("bench/bare/", bare),
    path("bench/bare/<slug:name>/", bare),
    *project_urls,
]

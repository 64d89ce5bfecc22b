"""The project's URLs plus /bench/bare/, a view that returns stored bytes and touches nothing,
the ceiling a cached page can approach."""

from django.http import HttpResponse
from django.urls import path

from bench.server import BARE_BODY
from crisis_tracker.urls import urlpatterns as project_urls


def bare(request):
    return HttpResponse(BARE_BODY.read_bytes() if BARE_BODY.exists() else b"")


urlpatterns = [path("bench/bare/", bare), *project_urls]

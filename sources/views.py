from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from .models import Source
from .places import citing_places


def source_detail(request: HttpRequest, key: str) -> HttpResponse:
    source = get_object_or_404(Source, key=key)
    places = citing_places(source.key, request.user)
    return render(request, "sources/source_detail.html", {"source": source, "places": places})

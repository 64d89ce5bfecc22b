from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from crisis_tracker.history import last_revision_at
from crisis_tracker.http_cache import last_modified, reader_page, surrogate_key, tag, viewer

from .models import Source
from .places import citing_places

# Every source page lists the texts citing it; any change to narrative text purges this key.
CITATIONS_KEY = "citations"


@reader_page
def source_detail(request: HttpRequest, key: str) -> HttpResponse:
    source = get_object_or_404(Source, key=key)
    places = citing_places(source.key, viewer(request))
    response = render(request, "sources/source_detail.html", {"source": source, "places": places})
    last_modified(response, last_revision_at())
    return tag(response, [surrogate_key("source", source.key), CITATIONS_KEY])

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from crisis_tracker import surrogate_keys as keys_of
from crisis_tracker.history import last_revision_at
from crisis_tracker.http_cache import last_modified, reader_page, tag, viewer

from .models import Source
from .where_cited import citing_places


@reader_page
def source_detail(request: HttpRequest, key: str) -> HttpResponse:
    source = get_object_or_404(Source, key=key)
    places = citing_places(source.key, viewer(request))
    response = render(request, "sources/source_detail.html", {"source": source, "places": places})
    last_modified(response, last_revision_at())
    return tag(response, [keys_of.source(source.key), keys_of.CITATIONS])

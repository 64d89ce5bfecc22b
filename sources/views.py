from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from crisis_tracker import surrogate_keys as keys_of
from crisis_tracker.history import last_revision_at
from crisis_tracker.http_cache import last_modified, reader_page, tag, viewer
from crisis_tracker.publication import may_preview

from .models import Capture, Source
from .where_cited import citing_places


@reader_page
def source_detail(request: HttpRequest, key: str) -> HttpResponse:
    source = get_object_or_404(Source.objects.with_archive(), key=key)
    places = citing_places(source.key, viewer(request))
    response = render(request, "sources/source_detail.html", {"source": source, "places": places})
    last_modified(response, last_revision_at())
    return tag(response, [keys_of.source(source.key), keys_of.CITATIONS])


def capture_or_404(request: HttpRequest, key: str, capture_id: int) -> Capture:
    """A capture, for readers when copies are public (SOURCE_CAPTURES_PUBLIC), else for staff
    who may view sources; 404 for anyone else, exactly as for a capture that does not exist."""
    if not (settings.SOURCE_CAPTURES_PUBLIC or may_preview(viewer(request), Source)):
        raise Http404
    captures = Capture.objects.select_related("source")
    return get_object_or_404(captures, pk=capture_id, source__key=key)


def source_copy(request: HttpRequest, key: str, capture_id: int) -> HttpResponse:
    """The page's main text as captured, under a banner naming the original and the time: text
    only, escaped, with no script (the captured HTML is never served from this origin)."""
    capture = capture_or_404(request, key, capture_id)
    paragraphs = [line.strip() for line in capture.text.splitlines() if line.strip()]
    context = {"capture": capture, "source": capture.source, "paragraphs": paragraphs}
    response = render(request, "sources/source_copy.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response


def source_warc(request: HttpRequest, key: str, capture_id: int) -> FileResponse:
    """The capture's WARC file, as a download."""
    capture = capture_or_404(request, key, capture_id)
    name = f"{key}-{capture.captured_at:%Y%m%dT%H%M%SZ}.warc.gz"
    response = FileResponse(
        capture.warc.open("rb"), as_attachment=True, filename=name, content_type="application/warc"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def source_screenshot(request: HttpRequest, key: str, capture_id: int) -> FileResponse:
    """The picture of the page as captured (drawn without scripts or network)."""
    capture = capture_or_404(request, key, capture_id)
    if not capture.screenshot:
        raise Http404
    response = FileResponse(capture.screenshot.open("rb"), content_type="image/png")
    response["X-Content-Type-Options"] = "nosniff"
    return response

"""The story's public history: the list of revisions, one revision, and a comparison."""

import datetime
from dataclasses import dataclass

from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import http_date
from django.utils.translation import get_language

from crisis_tracker import surrogate_keys as keys_of
from crisis_tracker.http_cache import (
    reader_page,
    tag,
    viewer,
)
from crisis_tracker.publication import get_visible_or_404

from .. import comparison, editions, rendering, snapshots
from ..models import Crisis, CrisisRevision
from ..page_cache import cached_part
from .pages import crisis_response, etag_of

HISTORY_PAGE_SIZE = 50


def crisis_or_404(request: HttpRequest, slug: str) -> Crisis:
    """The crisis if this user may see it: published, or any for staff previewing."""
    return get_visible_or_404(viewer(request), Crisis.objects.all(), slug=slug)


def public_revision_or_404(crisis: Crisis, revision_id: int) -> CrisisRevision:
    """A revision readers of this language see (the original's, or their edition's)."""
    return get_object_or_404(
        CrisisRevision.objects.public_in(get_language()).select_related("revision"),
        crisis=crisis,
        revision_id=revision_id,
    )


HISTORY_TEMPLATE = "events/crisis_history.html"
HISTORY_PAGES = 10_000  # page numbers beyond are read as this one (the paginator's last page)


@dataclass
class Document:
    """A finished reader page the page cache keeps, with what its answer needs."""

    html: bytes
    etag: str
    last_modified: datetime.datetime | None
    keys: list[str]


def document(html: str, last_modified, keys: list[str]) -> Document:
    encoded = html.encode()
    return Document(encoded, etag_of(encoded), last_modified, keys)


def serve_document(found: Document) -> HttpResponse:
    response = HttpResponse(found.html)
    response["ETag"] = found.etag
    if found.last_modified is not None:
        response["Last-Modified"] = http_date(found.last_modified.timestamp())
    return tag(response, found.keys)


def history_context(crisis: Crisis, number: int) -> dict:
    links = CrisisRevision.objects.public_in(get_language()).filter(crisis=crisis)
    links = links.select_related("revision")
    editions.lay_over([crisis], get_language())
    editions.now_reading_in([crisis], get_language())
    page = Paginator(links, HISTORY_PAGE_SIZE).get_page(number)
    rows = list(page.object_list)
    previous = previous_public_revisions(crisis, rows)
    return {
        "crisis": crisis,
        "page": page,
        "rows": [(link, previous.get(link.revision_id)) for link in rows],
    }


@reader_page
def crisis_history(request: HttpRequest, slug: str) -> HttpResponse:
    """Cached like the article for a published crisis (built from its canonical address, the
    same for every reader); rendered per request for staff previewing an unpublished one."""
    given = request.GET.get("page", "")[:6]
    number = min(int(given), HISTORY_PAGES) if given.isdigit() and int(given) > 0 else 1

    def build() -> Document | None:
        crisis = Crisis.objects.published().filter(slug=slug).first()
        if crisis is None:
            return None
        canonical = reverse("events:history", args=[slug])
        context = {**history_context(crisis, number), "next_path": canonical}
        if number > 1:
            context["next_path"] += f"?page={number}"
        rows, first = context["rows"], context["page"].number == 1
        # The newest public revision heads the first page; another page asks for it.
        latest = rows[0][0].revision.created_at if rows and first else None
        latest = latest or rendering.last_updated([crisis.pk]).get(crisis.pk)
        html = render_to_string(HISTORY_TEMPLATE, context)
        return document(html, latest, [keys_of.crisis(crisis.pk)])

    found = cached_part(slug, f"history|{get_language()}|{number}", build)
    if found is not None:
        return serve_document(found)
    crisis = crisis_or_404(request, slug)  # staff previewing an unpublished crisis
    response = render(request, HISTORY_TEMPLATE, history_context(crisis, number))
    return crisis_response(response, crisis)


def previous_public_revisions(crisis: Crisis, rows: list[CrisisRevision]) -> dict[int, int]:
    """For each revision on the page, the public revision before it (one extra query)."""
    if not rows:
        return {}
    ids = [link.revision_id for link in rows]
    oldest = rows[-1].revision.created_at
    before = (
        CrisisRevision.objects.public_in(get_language())
        .filter(crisis=crisis, revision__created_at__lt=oldest)
        .order_by("-revision__created_at", "-revision_id")
        .values_list("revision_id", flat=True)
        .first()
    )
    chain = ids + ([before] if before else [])
    return {revision_id: chain[i + 1] for i, revision_id in enumerate(ids) if i + 1 < len(chain)}


@reader_page
def crisis_revision(request: HttpRequest, slug: str, revision_id: int) -> HttpResponse:
    crisis = crisis_or_404(request, slug)
    link = public_revision_or_404(crisis, revision_id)
    moment = link.revision.created_at
    language = get_language()

    def build():
        snapshot = snapshots.at(crisis.pk, moment)
        if snapshot is None:
            return None
        numbering = rendering.in_edition(
            snapshot, None, editions.reading_at(crisis, language, moment)
        )
        return rendering.render_article(snapshot, last_updated=moment, numbering=numbering)

    body = cache.get_or_set(f"revision:{revision_id}:{crisis.pk}:{language}", build, None)
    if body is None:
        raise Http404
    context = {"crisis": crisis, "link": link, "body": body}
    return tag(render(request, "events/crisis_revision.html", context), [keys_of.crisis(crisis.pk)])


def snapshot_in(crisis: Crisis, moment) -> snapshots.Snapshot:
    """The crisis at ``moment`` in the reader's language: its edition then, if it had one."""
    snapshot = snapshots.at(crisis.pk, moment)
    reading = editions.reading_at(crisis, get_language(), moment)
    if snapshot is not None:
        rendering.in_edition(snapshot, None, reading)
    return snapshot


@reader_page
def crisis_compare(request: HttpRequest, slug: str, revision_id: int) -> HttpResponse:
    crisis = crisis_or_404(request, slug)
    new = public_revision_or_404(crisis, revision_id)
    other = request.GET.get("with", "")
    if other.isdigit():
        old = public_revision_or_404(crisis, int(other))
    else:
        old = (
            CrisisRevision.objects.public_in(get_language())
            .select_related("revision")
            .filter(crisis=crisis, revision__created_at__lt=new.revision.created_at)
            .order_by("-revision__created_at")
            .first()
        )
    if old is not None and old.revision.created_at > new.revision.created_at:
        old, new = new, old
    new_moment = new.revision.created_at
    old_moment = old.revision.created_at if old else None
    result = comparison.compare(
        snapshot_in(crisis, old_moment) if old else None,
        snapshot_in(crisis, new_moment),
        old_moment,
        new_moment,
    )
    context = {"crisis": crisis, "old": old, "new": new, "comparison": result}
    return tag(render(request, "events/crisis_compare.html", context), [keys_of.crisis(crisis.pk)])

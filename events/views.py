import dataclasses
import datetime
import hashlib
import io
import json
from dataclasses import dataclass

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import http_date, quote_etag
from django.utils.translation import get_language

from crisis_tracker import surrogate_keys as keys_of
from crisis_tracker.citations import cited_keys
from crisis_tracker.dates import Period
from crisis_tracker.history import last_revision_at
from crisis_tracker.http_cache import (
    last_modified,
    reader_page,
    tag,
    viewer,
)
from crisis_tracker.publication import get_visible_or_404, may_preview, may_read
from crisis_tracker.spreadsheets import write_csv

from . import charts, comparison, mapdata, rendering, search, snapshots
from .models import Crisis, CrisisRevision, Event, EventActor
from .page_cache import cached_part
from .rendering import Page
from .timeline import TimelineFilters, count_slots


def crisis_response(response: HttpResponse, crisis: Crisis, latest=False) -> HttpResponse:
    """A page about one crisis: purged with it, last modified at its latest public revision
    (``latest`` when the caller knows it, None when it does not apply)."""
    if latest is False:
        latest = rendering.last_updated([crisis.pk]).get(crisis.pk)
    if latest is not None:
        response["Last-Modified"] = http_date(latest.timestamp())
    return tag(response, [keys_of.crisis(crisis.pk)])


@reader_page
def crisis_list(request: HttpRequest) -> HttpResponse:
    crises = list(Crisis.objects.visible_to(viewer(request)).ongoing_first())
    latest = rendering.last_updated([crisis.pk for crisis in crises])
    rows = [{"crisis": crisis, "last_updated": latest.get(crisis.pk)} for crisis in crises]
    response = render(request, "events/crisis_list.html", {"rows": rows})
    # The list changes with any revision of a crisis: a public one, or one that takes a crisis
    # off it (the latest shown would go back in time, and a client's If-Modified-Since get a
    # 304 for a list still naming it). The latest revision of all never goes back.
    last_modified(response, last_revision_at())
    return tag(response, [keys_of.CRISES, *(keys_of.crisis(crisis.pk) for crisis in crises)])


def etag_of(body: bytes) -> str:
    """The strong ETag of a cached document, worked out once when it is built (the same one
    ConditionalGetMiddleware would give)."""
    return quote_etag(hashlib.md5(body, usedforsecurity=False).hexdigest())


def with_html(page: Page | None, template: str, next_path: str) -> Page | None:
    """Published pages are cached as the finished document, the same for every reader; others
    keep their parts for the staff preview, which is rendered per request with its banner.

    ``next_path`` is the page's canonical address (language alternates and switcher): never the
    address of the request that happened to build it, which may be a preview link's secret."""
    if page is not None and page.is_published:
        context = {"page": page, "next_path": next_path}
        html = render_to_string(template, context).encode()
        page = dataclasses.replace(page, body="", html=html, etag=etag_of(html))
    return page


def serve_page(request: HttpRequest, page: Page | None, template: str) -> HttpResponse:
    if page is None or not may_read(viewer(request), Crisis, page.state):
        raise Http404
    if not page.is_published:
        return render(request, template, {"page": page})  # staff preview, with its banner
    response = HttpResponse(page.html)
    response["ETag"] = page.etag  # the same strong ETag ConditionalGetMiddleware would give
    response["Last-Modified"] = http_date(page.built_at.timestamp())
    return tag(response, page.keys)


@reader_page
def crisis_detail(request: HttpRequest, slug: str) -> HttpResponse:
    template = "events/crisis_detail.html"
    page = cached_part(
        slug,
        f"article|{get_language()}",
        lambda: with_html(
            rendering.build_article(slug), template, reverse("events:crisis", args=[slug])
        ),
    )
    return serve_page(request, page, template)


def audience_of(request: HttpRequest) -> str:
    return rendering.PREVIEW if may_preview(viewer(request), Event) else rendering.PUBLIC


@reader_page
def crisis_timeline(request: HttpRequest, slug: str) -> HttpResponse:
    template = "events/crisis_timeline.html"
    filters = TimelineFilters.from_query(request.GET)
    wanted = Period.parse(request.GET.get("page", "")[:10])
    wanted_page = wanted.key if wanted else ""
    audience = audience_of(request)

    def build():
        page = rendering.build_timeline(slug, audience, filters, wanted_page)
        query = filters.query_string(page=wanted_page)
        canonical = reverse("events:timeline", args=[slug])
        return with_html(page, template, f"{canonical}?{query}" if query else canonical)

    name = f"timeline|{get_language()}|{audience}|{filters.cache_name()}|{wanted_page}"
    return serve_page(request, cached_part(slug, name, build), template)


@dataclasses.dataclass
class Data:
    """A cached data document of a crisis (map points, chart numbers) with what it shows."""

    state: str
    content: str
    keys: list[str]


def crisis_data(request: HttpRequest, slug: str, name: str, build) -> Data:
    """``build(crisis, events)`` of the events the request selects, cached like the pages."""
    filters = TimelineFilters.from_query(request.GET)
    audience = audience_of(request)

    def cached():
        crisis = Crisis.objects.filter(slug=slug).first()
        if crisis is None:
            return None
        events = Event.objects.for_crisis(crisis)
        if audience == rendering.PUBLIC:
            events = events.published()
        content, keys = build(crisis, filters, filters.apply(events))
        return Data(crisis.state, content, [keys_of.crisis(crisis.pk), *keys])

    key = f"{name}|{get_language()}|{audience}|{filters.cache_name()}"
    data = cached_part(slug, key, cached)
    if data is None or not may_read(viewer(request), Crisis, data.state):
        raise Http404
    return data


def map_document(crisis: Crisis, filters: TimelineFilters, events) -> tuple[str, list[str]]:
    located = mapdata.map_data(events, crisis.slug, get_language())
    document = mapdata.as_json(located, filters, crisis.slug)
    keys = [keys_of.place(pk) for pk in located.place_ids]
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")), keys


@reader_page
def crisis_map_data(request: HttpRequest, slug: str) -> HttpResponse:
    """The timeline's map: its points and events as JSON, filtered like the timeline."""
    data = crisis_data(request, slug, "map", map_document)
    response = HttpResponse(data.content, content_type="application/json")
    return tag(response, data.keys)


def chart_csv_document(chart: str):
    def build(crisis: Crisis, filters: TimelineFilters, events) -> tuple[str, list[str]]:
        if chart == "figures":
            rows = charts.figures_csv_rows(charts.figure_bars(events))
        else:
            rows = charts.per_month_csv_rows(count_slots(events))
        out = io.StringIO()
        write_csv(out, rows)
        return out.getvalue(), []

    return build


CHARTS = ("events-per-month", "figures")


@reader_page
def crisis_chart_csv(request: HttpRequest, slug: str, chart: str) -> HttpResponse:
    if chart not in CHARTS:
        raise Http404
    data = crisis_data(request, slug, f"chart-csv|{chart}", chart_csv_document(chart))
    response = HttpResponse("\ufeff" + data.content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}-{chart}.csv"'
    return tag(response, data.keys)


HISTORY_PAGE_SIZE = 50


def crisis_or_404(request: HttpRequest, slug: str) -> Crisis:
    """The crisis if this user may see it: published, or any for staff previewing."""
    return get_visible_or_404(viewer(request), Crisis.objects.all(), slug=slug)


def public_revision_or_404(crisis: Crisis, revision_id: int) -> CrisisRevision:
    return get_object_or_404(
        CrisisRevision.objects.select_related("revision"),
        crisis=crisis,
        revision_id=revision_id,
        public=True,
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
    links = CrisisRevision.objects.filter(crisis=crisis, public=True).select_related("revision")
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
        CrisisRevision.objects.filter(crisis=crisis, public=True, revision__created_at__lt=oldest)
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
        return rendering.render_article(snapshot, last_updated=moment) if snapshot else None

    body = cache.get_or_set(f"revision:{revision_id}:{crisis.pk}:{language}", build, None)
    if body is None:
        raise Http404
    context = {"crisis": crisis, "link": link, "body": body}
    return tag(render(request, "events/crisis_revision.html", context), [keys_of.crisis(crisis.pk)])


@reader_page
def crisis_compare(request: HttpRequest, slug: str, revision_id: int) -> HttpResponse:
    crisis = crisis_or_404(request, slug)
    new = public_revision_or_404(crisis, revision_id)
    other = request.GET.get("with", "")
    if other.isdigit():
        old = public_revision_or_404(crisis, int(other))
    else:
        old = (
            CrisisRevision.objects.select_related("revision")
            .filter(crisis=crisis, public=True, revision__created_at__lt=new.revision.created_at)
            .order_by("-revision__created_at")
            .first()
        )
    if old is not None and old.revision.created_at > new.revision.created_at:
        old, new = new, old
    new_moment = new.revision.created_at
    old_moment = old.revision.created_at if old else None
    result = comparison.compare(
        snapshots.at(crisis.pk, old_moment) if old else None,
        snapshots.at(crisis.pk, new_moment),
        old_moment,
        new_moment,
    )
    context = {"crisis": crisis, "old": old, "new": new, "comparison": result}
    return tag(render(request, "events/crisis_compare.html", context), [keys_of.crisis(crisis.pk)])


EXPORT_FIELDS = [
    "slug", "title", "date", "date_precision", "end_date", "end_precision", "place", "location",
    "latitude", "longitude", "geo_precision", "kind", "verification", "killed", "injured",
    "detained", "displaced", "figures_note", "summary",
]  # fmt: skip
POINT_FIELDS = {"location", "latitude", "longitude", "geo_precision"}  # from Event.point()
MODEL_FIELDS = [name for name in EXPORT_FIELDS if name not in POINT_FIELDS]


def export_rows(crisis: Crisis) -> list[dict]:
    events = (
        Event.objects.published()
        .for_crisis(crisis)
        .chronological()
        .prefetch_related(Prefetch("event_actors", EventActor.objects.select_related("actor")))
    )
    rows = []
    for event in events.select_related("crisis", "location"):
        row = {name: getattr(event, name) for name in MODEL_FIELDS}
        point = event.point()
        row["location"] = event.location.slug if event.location else ""
        row["latitude"], row["longitude"], row["geo_precision"] = point or (None, None, "")
        row["date_display"] = event.start_display()
        row["actors"] = [
            {"slug": link.actor.slug, "name": link.actor.name, "role": link.role}
            for link in event.event_actors.all()
        ]
        row["sources"] = cited_keys(event.summary)
        row["url"] = event.get_absolute_url()
        rows.append(row)
    return rows


def published_crisis_or_404(slug: str) -> Crisis:
    """Data exports are the same for everyone: published content only, staff included."""
    return get_visible_or_404(None, Crisis.objects.all(), slug=slug)


@reader_page
def crisis_events_json(request: HttpRequest, slug: str) -> JsonResponse:
    crisis = published_crisis_or_404(slug)
    data = {"crisis": {"slug": crisis.slug, "title": crisis.title}, "events": export_rows(crisis)}
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 1})
    return crisis_response(response, crisis)


@reader_page
def crisis_events_csv(request: HttpRequest, slug: str) -> HttpResponse:
    crisis = published_crisis_or_404(slug)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{crisis.slug}-events.csv"'
    response.write("\ufeff")  # so spreadsheet programs read UTF-8
    columns = [*EXPORT_FIELDS, "actors", "sources"]
    rows = [columns]
    for row in export_rows(crisis):
        row["actors"] = "; ".join(f"{a['slug']}:{a['role']}" for a in row["actors"])
        row["sources"] = "; ".join(row["sources"])
        rows.append([row[name] for name in columns])
    write_csv(response, rows)
    return crisis_response(response, crisis)


SEARCH_SHARED_MAX_AGE = 60  # search results change with any edit: shared caches keep them a minute


def site_search(request: HttpRequest) -> HttpResponse:
    """Search crises, events, actors and sources; the same answer for every reader."""
    query = request.GET.get("q", "")[:200]
    crisis = request.GET.get("crisis", "")[:100]
    kind = request.GET.get("kind", "")
    kind = kind if kind in Event.Kind.values else ""
    only = request.GET.get("type", "")
    only = only if only in search.KINDS else ""
    terms = search.terms_of(query)
    found = search.search(query, crisis=crisis, kind=kind, only=only)
    sections = [
        {"name": name, "rows": [result_row(name, obj, terms) for obj in rows]}
        for name, rows in found.items()
    ]
    context = {
        "query": query,
        "terms": terms,
        "sections": sections,
        "total": sum(len(section["rows"]) for section in sections),
        "filters": {"crisis": crisis, "kind": kind, "type": only},
        "crisis_choices": list(Crisis.objects.published().values_list("slug", "title")),
        "kind_choices": Event.Kind.choices,
        "per_kind": search.PER_KIND,
    }
    response = render(request, "events/search.html", context)
    patch_cache_control(response, public=True, max_age=0, s_maxage=SEARCH_SHARED_MAX_AGE)
    return response


def result_row(name: str, obj, terms: list[str]) -> dict:
    """What a result shows: its title and a snippet, matches marked."""
    if name == "events":
        title, body = obj.title, obj.summary
        meta = f"{obj.crisis.title} · {obj.start_display()} · {obj.get_kind_display()}"
    elif name == "crises":
        title, body, meta = obj.title, obj.lead, obj.span_display()["start"]
    elif name == "actors":
        latin = obj.name_en or (obj.slug if search.contains_any(obj.slug, terms) else "")
        title = f"{obj.name} ({latin})" if latin else obj.name  # shows why a Latin query matched
        body, meta = obj.description or obj.title, obj.get_kind_display()
    else:
        title, body, meta = obj.title, obj.authors, f"{obj.work} {obj.published_display()}"
    return {
        "url": obj.get_absolute_url(),
        "title": search.highlight(title, terms, snippet=False),
        "snippet": search.highlight(body, terms),
        "meta": meta,
    }

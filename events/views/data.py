"""A crisis's data documents: map points, chart numbers and its events as JSON and CSV."""

import dataclasses
import io
import json

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import get_language

from crisis_tracker import surrogate_keys as keys_of
from crisis_tracker.citations import cited_keys
from crisis_tracker.http_cache import (
    reader_page,
    tag,
    viewer,
)
from crisis_tracker.publication import get_visible_or_404, may_read
from crisis_tracker.spreadsheets import write_csv

from .. import charts, editions, mapdata
from ..models import Crisis, Event
from ..page_cache import cached_part
from ..rendering import actor_links
from ..timeline import TimelineFilters, count_slots
from .pages import audience_of, crisis_response


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
        events = Event.objects.for_crisis(crisis).for_audience(audience)
        content, keys = build(crisis, filters, filters.apply(events))
        return Data(crisis.state, content, [keys_of.crisis(crisis.pk), *keys])

    key = f"{name}|{get_language()}|{audience}|{filters.cache_name()}"
    data = cached_part(slug, key, cached)
    if data is None or not may_read(viewer(request), Crisis, data.state):
        raise Http404
    return data


def map_document(crisis: Crisis, filters: TimelineFilters, events) -> tuple[str, list[str]]:
    language = get_language()
    reading = editions.reading_for(crisis, language)
    titles = reading.event_title if reading else None
    located = mapdata.map_data(events, crisis.slug, language, titles)
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


EXPORT_FIELDS = [
    "slug", "title", "date", "date_precision", "end_date", "end_precision", "place", "location",
    "latitude", "longitude", "geo_precision", "kind", "verification", "killed", "injured",
    "detained", "displaced", "figures_note", "summary",
]  # fmt: skip
POINT_FIELDS = {"location", "latitude", "longitude", "geo_precision"}  # from Event.point()
MODEL_FIELDS = [name for name in EXPORT_FIELDS if name not in POINT_FIELDS]


def export_rows(crisis: Crisis) -> list[dict]:
    events = list(
        Event.objects.published()
        .for_crisis(crisis)
        .chronological()
        .select_related("crisis", "location")
    )
    links = actor_links(events)
    rows = []
    for event in events:
        row = {name: getattr(event, name) for name in MODEL_FIELDS}
        point = event.point()
        row["location"] = event.location.slug if event.location else ""
        row["latitude"], row["longitude"], row["geo_precision"] = point or (None, None, "")
        row["date_display"] = event.start_display()
        row["actors"] = [
            {"slug": link.actor.slug, "name": link.actor.name, "role": link.role}
            for link in links.get(event.pk, [])
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

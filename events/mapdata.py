"""The map of a crisis's events: one point per place (or exact spot), with the events there.

Points come from one query over the selected events. Up to ``DETAIL_LIMIT`` events the map's
data lists each event (date at its precision, title, verification, link); beyond it each point
carries counts only, summed by the database (a 100,000-event crisis is a few thousand rows, not
100,000), and beyond ``POINT_LIMIT`` points nearby ones merge on a grid, so the data stays small
however large the crisis grows.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crisis_tracker.dates import format_date
from places.maps import Marker, static_map
from places.models import Place

from . import kinds
from .models import Event, event_url
from .timeline import TimelineFilters

DETAIL_LIMIT = 2000
POINT_LIMIT = 2000
LISTED_PER_POINT = 5  # events named per place in the page's text alternative
GRIDS = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0)  # degrees, tried in turn past POINT_LIMIT

COLUMNS = ("slug", "title", "date", "date_precision", "verification", "kind")
PLACE_COLUMNS = (
    "location_id", "location__slug", "location__name", "location__name_en", "location__precision",
)  # fmt: skip
# A place as a counted point reads it: ``PLACE_COLUMNS`` read from places, and its point.
PLACE_ROW = ("pk", "slug", "name", "name_en", "precision", "latitude", "longitude")


@dataclass
class Point:
    latitude: float
    longitude: float
    place: str = ""
    place_slug: str = ""
    place_id: int | None = None
    precision: str = "exact"
    kinds: Counter = field(default_factory=Counter)
    events: list[dict] = field(default_factory=list)
    place_query: str = ""  # the timeline's filters narrowed to this place

    @property
    def count(self) -> int:
        return sum(self.kinds.values())

    @property
    def kind(self) -> str:
        return self.kinds.most_common(1)[0][0]


@dataclass
class MapData:
    points: list[Point]
    located: int
    detailed: bool

    @property
    def place_ids(self) -> set[int]:
        return {point.place_id for point in self.points if point.place_id}


def map_data(
    events, crisis_slug: str, language: str, titles=None, selected=None, places=None, counts=None
) -> MapData:
    """Points for the selected events that have a place or an exact spot. ``titles`` (slug,
    title) → title gives an edition's titles. ``selected``, how many events are selected when
    the caller knows, chooses the query: each event up to DETAIL_LIMIT, else counts per point
    and kind, summed by the database. Either way one query, except when many events are
    selected but few have a place (then both) or, without ``selected``, when the events
    overflow DETAIL_LIMIT (then both). Counted points name their places from ``places`` (id →
    ``places_by_id`` row, when the caller has read them) or from one more query; ``counts``,
    the ``point_counts`` of these events when the caller has them (a crisis's tally)."""
    located = events.with_point().filter(point_lat__isnull=False)
    if selected is None or selected <= DETAIL_LIMIT:
        rows = located.order_by("date", "day_order", "slug").values_list(
            *COLUMNS, *PLACE_COLUMNS, "latitude", "point_lat", "point_lon"
        )
        rows = list(rows if selected is not None else rows[: DETAIL_LIMIT + 1])
        if len(rows) <= DETAIL_LIMIT:
            return detailed(rows, crisis_slug, language, titles)
    counts = list(point_counts(located) if counts is None else counts)
    if sum(row[-1] for row in counts) <= DETAIL_LIMIT:  # many selected, few of them placed
        return map_data(events, crisis_slug, language, titles)
    if places is None:
        places = places_by_id({row[1] for row in counts if row[1] is not None})
    points: dict[tuple, Point] = {}
    no_place = (None,) * (len(PLACE_COLUMNS) + 2)
    for kind, place_id, own_lat, own_lon, n in counts:
        *place, place_lat, place_lon = places.get(place_id, no_place)
        lat, lon = (own_lat, own_lon) if own_lat is not None else (place_lat, place_lon)
        point_at(points, place, own_lat, lat, lon, language).kinds[kind] += n
    return finished(points, sum(row[-1] for row in counts), False)


def point_counts(located):
    """(kind, place id, own latitude and longitude, events) per kind and place or exact spot.
    Only the events' own columns, which the database counts in a hash table: with the places'
    names and points among them it sorts every event instead (three times as long at 100,000
    events); ``places_by_id`` names the places."""
    return (
        located.order_by()
        .values_list("kind", "location_id", "latitude", "longitude")
        .annotate(n=Count("pk"))
    )


def places_by_id(ids) -> dict[int, tuple]:
    """Places as ``PLACE_COLUMNS`` rows with their latitude and longitude, by id (one query)."""
    return {row[0]: row for row in Place.objects.filter(pk__in=ids).values_list(*PLACE_ROW)}


def detailed(rows: list, crisis_slug: str, language: str, titles) -> MapData:
    timeline = reverse("events:timeline", args=[crisis_slug])
    verification = dict(Event.Verification.choices)
    points: dict[tuple, Point] = {}
    for slug, title, date, precision, checked, kind, *place, own_lat, lat, lon in rows:
        point = point_at(points, place, own_lat, lat, lon, language)
        point.kinds[kind] += 1
        point.events.append(
            {
                "date": format_date(date, precision, language),
                "title": titles(slug, title) if titles else title,
                "verification": checked,
                "verification_label": str(verification[checked]),
                "kind": kind,
                "url": event_url(timeline, slug, date, precision),
            }
        )
    return finished(points, len(rows), True)


def point_at(points: dict, place: list, own_lat, lat, lon, language: str) -> Point:
    """The point for a row: its exact spot, or its place's point (shared by its events)."""
    place_id, place_slug, name, name_en, place_precision = place
    exact = own_lat is not None
    key = (float(lat), float(lon), "" if exact else place_slug)
    point = points.get(key)
    if point is None:
        point = points[key] = Point(
            float(lat),
            float(lon),
            place="" if exact else (name if language.startswith("zh") else name_en),
            place_slug="" if exact else place_slug,
            place_id=None if exact else place_id,
            precision="exact" if exact else place_precision,
        )
    return point


def finished(points: dict, located: int, detailed: bool) -> MapData:
    found = list(points.values())
    if len(found) > POINT_LIMIT:
        found = on_grid(found)
    return MapData(found, located, detailed)


def on_grid(points: list[Point]) -> list[Point]:
    """Nearby points merged, on the finest grid that brings them under POINT_LIMIT."""
    for size in GRIDS:
        cells: dict[tuple[int, int], list[Point]] = {}
        for point in points:
            cell = (math.floor(point.latitude / size), math.floor(point.longitude / size))
            cells.setdefault(cell, []).append(point)
        if len(cells) <= POINT_LIMIT or size == GRIDS[-1]:
            return [merged(group) for group in cells.values()]
    return points


def merged(group: list[Point]) -> Point:
    if len(group) == 1:
        return group[0]
    total = sum(point.count for point in group)
    lat = sum(point.latitude * point.count for point in group) / total
    lon = sum(point.longitude * point.count for point in group) / total
    counts = sum((point.kinds for point in group), Counter())
    events = [event for point in group for event in point.events]
    return Point(lat, lon, precision="cluster", kinds=counts, events=events)


def as_json(data: MapData, filters: TimelineFilters, crisis_slug: str) -> dict:
    timeline = reverse("events:timeline", args=[crisis_slug])
    used = {kind for point in data.points for kind in point.kinds}
    return {
        "located": data.located,
        "detailed": data.detailed,
        "kinds": {
            e["kind"]: {"label": str(e["label"]), "colour": e["colour"]} for e in kinds.legend(used)
        },
        "points": [
            {
                "lat": round(point.latitude, 5),
                "lon": round(point.longitude, 5),
                "place": point.place,
                "precision": point.precision,
                "count": point.count,
                "kind": point.kind,
                "url": f"{timeline}?{filters.query_string(place=point.place_slug)}"
                if point.place_slug
                else "",
                "events": point.events,
            }
            for point in data.points
        ],
    }


def markers(data: MapData) -> list[Marker]:
    return [
        Marker(
            point.latitude,
            point.longitude,
            kinds.colour(point.kind),
            ngettext("%(place)s: %(count)s event", "%(place)s: %(count)s events", point.count)
            % {"place": point.place or _("exact spot"), "count": point.count},
            point.count,
        )
        for point in data.points
    ]


def static_svg(data: MapData, title: str, width: int = 320):
    return static_map(markers(data), title, width)

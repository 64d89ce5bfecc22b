"""The front page: every crisis with its latest trend, on one map, the latest events across
crises, the latest month's assessments and the events per month by kind. A fixed number of
queries, whatever the number of crises and events."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from crisis_tracker.countries import m49_region
from crisis_tracker.dates import Precision
from places.maps import Marker, static_map

from . import charts, editions, rendering, tallies
from .models import Assessment, Crisis, Event
from .timeline import TimelineFilters

LATEST_EVENTS = 10
RECENT_MONTHS = 3  # arrows shown beside each crisis
TREND_COLOURS = {"deteriorated": "#d33", "improved": "#14866d", "unchanged": "#72777d"}
NO_TREND = "#36c"


@dataclass
class Row:
    crisis: Crisis
    last_updated: object
    point: tuple[float, float, int] | None  # the centre of its placed events, and how many
    recent: list[Assessment]  # its latest months' assessments, oldest first

    @property
    def latest(self) -> Assessment | None:
        return self.recent[-1] if self.recent else None

    @property
    def trend(self) -> str | None:
        return self.latest.trend if self.latest else None


def centres(found: dict) -> dict[int, tuple[float, float, int]]:
    """Each crisis's centre: the mean point of its published placed events (from its tally)."""
    return {pk: (t.latitude, t.longitude, t.placed) for pk, t in found.items() if t.placed}


def point_of(crisis: Crisis, centres: dict) -> tuple[float, float, int] | None:
    """Where the map puts a crisis: the place an editor chose, else its events' centre; sized
    by its placed events."""
    centre = centres.get(crisis.pk)
    place = crisis.map_place
    if place is None:
        return centre
    return float(place.latitude), float(place.longitude), centre[2] if centre else 1


def regions(found: dict) -> dict[int, set[str]]:
    """The UN M49 sub-regions of the countries each crisis's published events are placed in
    (from its tally)."""
    return {pk: {r for r in map(m49_region, tally.countries) if r} for pk, tally in found.items()}


def recent_months(crisis_ids: list[int]) -> dict[int, list[Assessment]]:
    """Each crisis's last RECENT_MONTHS published assessments, oldest first (one query)."""
    found: dict[int, list[Assessment]] = {}
    assessments = Assessment.objects.published().filter(crisis_id__in=crisis_ids)
    for assessment in assessments.only("crisis_id", "month", "trend").order_by("-month"):
        kept = found.setdefault(assessment.crisis_id, [])
        if len(kept) < RECENT_MONTHS:
            kept.insert(0, assessment)
    return found


def rows_for(crises, found: dict, trend: str = "", region: str = "") -> tuple[list[Row], list]:
    """The crises, the most recently changed first, narrowed to a latest trend and a UN M49
    sub-region if asked; and the sub-regions the crises are in, to choose from. ``found``:
    their tallies."""
    crises = list(crises)
    months = recent_months([crisis.pk for crisis in crises])
    if trend:
        crises = [c for c in crises if months.get(c.pk) and months[c.pk][-1].trend == trend]
    where = regions({crisis.pk: found[crisis.pk] for crisis in crises if crisis.pk in found})
    present = sorted({code for codes in where.values() for code in codes})
    if region:
        crises = [crisis for crisis in crises if region in where.get(crisis.pk, set())]
    ids = [crisis.pk for crisis in crises]
    latest, points = rendering.last_updated(ids), centres(found)
    rows = [Row(c, latest.get(c.pk), point_of(c, points), months.get(c.pk, [])) for c in crises]
    never = -float("inf")
    rows.sort(key=lambda r: r.last_updated.timestamp() if r.last_updated else never, reverse=True)
    return rows, present


def in_language(rows: list[Row], events: list, assessments: list, language: str) -> None:
    """The page's crises, events and assessments in the reader's language where their crisis
    has a published edition in it (texts it lacks marked)."""
    crises = {id(x): x for x in [*(r.crisis for r in rows), *(e.crisis for e in events),
                                 *(a.crisis for a in assessments)]}  # fmt: skip
    editions.lay_over([*crises.values(), *events, *assessments], language, mark=True)
    editions.now_reading_in(crises.values(), language)


def world_map(rows: list[Row]):
    markers = [
        Marker(lat, lon, TREND_COLOURS.get(row.trend or "", NO_TREND),
               f"{row.crisis.title}: {trend_label(row.trend)}", count)
        for row in rows if row.point for lat, lon, count in [row.point]
    ]  # fmt: skip
    return static_map(markers, _("Crises on the map, coloured by their latest trend"), 640)


def trend_label(trend: str | None) -> str:
    return str(dict(Assessment.Trend.choices).get(trend, _("not assessed yet")))


def latest_events(crises) -> list[Event]:
    return list(
        Event.objects.published()
        .filter(crisis__in=crises)
        .select_related("crisis")
        .order_by("-date", "-day_order", "-pk")[:LATEST_EVENTS]
    )


def latest_assessments() -> list[Assessment]:
    month = Assessment.objects.published().order_by("-month").values_list("month", flat=True)
    newest = month.first()
    if newest is None:
        return []
    found = Assessment.objects.published().filter(month=newest).select_related("crisis")
    return sorted(found, key=lambda a: a.crisis.title)


def per_month(language: str, found: dict) -> dict:
    """Events per month and kind across the crises whose tallies are ``found``."""
    slots = tallies.slots(found)

    def tracker(slot) -> str | None:
        if slot.period.precision != Precision.MONTH:
            return None
        return reverse("events:tracker", args=[f"{slot.period.first:%Y-%m}"])

    return {
        "svg": charts.per_month_svg(slots, TimelineFilters(), language, href=tracker),
        "table": charts.per_month_table(slots, language),
    }

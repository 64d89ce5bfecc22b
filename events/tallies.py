"""Each crisis's published events counted for the front page and the reader's unfiltered
timeline, and the sources its texts cite for the desk (``CrisisTally``): rewritten by every
recorded revision that touches the crisis (admin, import, schedule, command), read as one row
per crisis. A crisis without a tally yet is counted when first asked for."""

from __future__ import annotations

import datetime
from collections import Counter

from django.db.models import Avg, Count
from django.dispatch import receiver

from crisis_tracker.dates import slot_of
from crisis_tracker.narrative import keys_cited_in_crisis

from . import charts, mapdata
from .models import Crisis, CrisisTally, Event, EventActor
from .revisions import revision_recorded
from .timeline import Slot, counts_of, slots_of


def count(crisis_id: int) -> CrisisTally:
    events = Event.objects.published().filter(crisis_id=crisis_id).order_by()
    placed = (
        events.with_point()
        .filter(point_lat__isnull=False)
        .aggregate(lat=Avg("point_lat"), lon=Avg("point_lon"), n=Count("pk"))
    )
    countries = events.filter(location__isnull=False).values_list("location__country", flat=True)
    dated = list(counts_of(events))
    per_slot: Counter = Counter()
    for day, precision, kind, n in dated:
        per_slot[(*slot_of(day, precision), kind)] += n
    located = events.with_point().filter(point_lat__isnull=False)
    return CrisisTally(
        crisis_id=crisis_id,
        latitude=float(placed["lat"]) if placed["lat"] is not None else None,
        longitude=float(placed["lon"]) if placed["lon"] is not None else None,
        placed=placed["n"],
        countries=sorted(set(countries.distinct())),
        counts=[[year, month, kind, n] for (year, month, kind), n in sorted(per_slot.items())],
        cited=sorted(keys_cited_in_crisis(crisis_id)),
        actors=sorted(
            EventActor.objects.filter(event__in=events.values("pk"))
            .order_by()
            .values_list("actor_id", flat=True)
            .distinct()
        ),
        places=sorted(
            events.filter(location__isnull=False).values_list("location_id", flat=True).distinct()
        ),
        dated=dated_columns(dated),
        figures=[
            [*bar.slot, bar.figure, bar.total, bar.events, bar.source_count]
            for bar in charts.figure_bars(events)
        ],  # fmt: skip
        points=[
            [kind, place, as_float(lat), as_float(lon), n]
            for kind, place, lat, lon, n in mapdata.point_counts(located)
        ],  # fmt: skip
    )


DATED = ("days", "precisions", "kinds", "events")  # the columns of a tally's ``dated``


def dated_columns(rows) -> dict[str, list]:
    """(date, precision, kind, n) rows kept as four columns. A 100,000-event crisis has tens of
    thousands of rows: as a list each, every timeline page decoded them into as many containers
    for the garbage collector to walk while the page was built."""
    columns: dict[str, list] = {name: [] for name in DATED}
    days, precisions, kinds, events = columns.values()
    for day, precision, kind, n in rows:
        days.append(day.isoformat())
        precisions.append(precision)
        kinds.append(kind)
        events.append(n)
    return columns


def as_float(value) -> float | None:
    return None if value is None else float(value)


def refresh(crisis_ids) -> None:
    for crisis_id in crisis_ids:
        tally = count(crisis_id)
        CrisisTally.objects.update_or_create(
            crisis_id=crisis_id,
            defaults={field: getattr(tally, field) for field in FIELDS},
        )


FIELDS = ("latitude", "longitude", "placed", "countries", "counts", "cited", "actors", "places",
          "dated", "figures", "points")  # fmt: skip
TIMELINE_FIELDS = ("dated", "figures", "points")  # large: read only by the timeline


@receiver(revision_recorded)
def events_revised(sender, revision, crisis_ids, **kwargs) -> None:
    refresh(Crisis.objects.filter(pk__in=crisis_ids).values_list("pk", flat=True))


def tallies(crisis_ids: list[int], only: tuple[str, ...] = ()) -> dict[int, CrisisTally]:
    """The crises' tallies (one query; a crisis without one is counted now and kept), with
    ``only`` those fields when given."""
    objects = CrisisTally.objects
    tallies = objects.only("crisis_id", *only) if only else objects.defer(*TIMELINE_FIELDS)
    found = {tally.crisis_id: tally for tally in tallies.filter(crisis_id__in=crisis_ids)}
    missing = [pk for pk in crisis_ids if pk not in found]
    if missing:
        refresh(missing)
        found.update((t.crisis_id, t) for t in tallies.filter(crisis_id__in=missing))
    return found


def tally_of(crisis: Crisis) -> CrisisTally:
    """The crisis's tally, read with it (``select_related("tally")``) or now."""
    try:
        return crisis.tally
    except CrisisTally.DoesNotExist:
        refresh([crisis.pk])
        return CrisisTally.objects.get(crisis_id=crisis.pk)


def timeline_slots(tally: CrisisTally) -> list[Slot]:
    """The unfiltered timeline's slots, as ``count_slots`` counts them, from the tally."""
    days, precisions, kinds, events = (tally.dated.get(name, ()) for name in DATED)
    dates = map(datetime.date.fromisoformat, days)
    return slots_of(zip(dates, precisions, kinds, events, strict=True))


def figure_bars(tally: CrisisTally) -> list[charts.FigureBar]:
    """The unfiltered timeline's figures, as ``charts.figure_bars`` sums them (the number of
    sources behind each bar kept, not their keys), from the tally."""
    return [
        charts.FigureBar((year, month), figure, total, events, counted_sources=sources)
        for year, month, figure, total, events, sources in tally.figures
    ]


def slots(found: dict[int, CrisisTally]) -> list[Slot]:
    """The tallies' events per month (or known only to a year) and kind, across the crises."""
    merged: dict[tuple[int, int], Slot] = {}
    for tally in found.values():
        for year, month, kind, n in tally.counts:
            slot = merged.get((year, month)) or merged.setdefault((year, month), Slot(year, month))
            slot.kinds[kind] += n
    return [merged[key] for key in sorted(merged)]


def cited_anywhere() -> set[str]:
    """The keys of the sources some crisis cites, from the tallies (one query, or two)."""
    found = tallies(list(Crisis.objects.values_list("pk", flat=True)), only=("cited",))
    return {key for tally in found.values() for key in tally.cited}

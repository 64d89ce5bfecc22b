"""Probable duplicates: a new event that likely reports one already kept.

Desks date events more precisely as reporting improves: an update may bring, as a new event dated
to the day, a raid the crisis knew only as "2025". A new event is flagged when an existing event
of the same crisis covers an overlapping period (each date read at its precision) and they share
a place or read alike (title or summary: character pairs in common, which works for Chinese
without word breaking).
"""

from __future__ import annotations

import bisect
import datetime
from dataclasses import dataclass

from django.db.models import Q

from crisis_tracker.dates import Precision, truncate

from .models import Event

ALIKE = 0.5  # share of character pairs in common
MOST = 3  # candidates named per new event
LONGEST_PERIOD = datetime.timedelta(days=366)


def period(start: datetime.date, precision: str, end=None, end_precision=None):
    """[first day, day after the last) that a date (or span) at its precision stands for."""
    first = truncate(start, precision)
    last, last_precision = (end, end_precision) if end else (start, precision)
    last = truncate(last, last_precision)
    if last_precision == Precision.YEAR:
        return first, last.replace(year=last.year + 1)
    if last_precision == Precision.MONTH:
        month = last.month % 12 + 1
        return first, last.replace(year=last.year + (last.month == 12), month=month)
    return first, last + datetime.timedelta(days=1)


def event_period(event):
    return period(event.date, event.date_precision, event.end_date, event.end_precision)


def pairs(text: str) -> frozenset[str]:
    text = "".join((text or "").split())
    return frozenset(text[i : i + 2] for i in range(len(text) - 1))


def alike(first: frozenset, second: frozenset) -> float:
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


@dataclass
class Candidate:
    event: Event
    score: float
    reason: str


@dataclass
class Reading:
    """An event as the comparison reads it, worked out once: its period and character pairs."""

    event: Event
    start: datetime.date
    stop: datetime.date
    title: frozenset
    summary: frozenset

    @classmethod
    def of(cls, event) -> Reading:
        start, stop = event_period(event)
        return cls(event, start, stop, pairs(event.title), pairs(event.summary))


def score(new: Reading, old: Reading) -> Candidate | None:
    if not (new.start < old.stop and old.start < new.stop):
        return None
    same_place = bool(new.event.place) and new.event.place == old.event.place
    reading = max(alike(new.title, old.title), alike(new.summary, old.summary))
    if not same_place and reading < ALIKE:
        return None
    reason = "same place and period" if same_place else "reads alike in the same period"
    return Candidate(old.event, reading + (1 if same_place else 0), reason)


def probable_duplicates(new_events: list, existing_up_to: int | None) -> dict[int, list]:
    """For each new event (by position), the existing events it probably duplicates, best
    first. Only events with a pk up to ``existing_up_to`` count as existing (one query).

    The database returns only events whose period can overlap a new event's (its date in one of
    the new events' windows, found by the crisis-and-date index); each new event is then
    compared with the events near it, found by bisection, not with every event of the crisis."""
    if not new_events or existing_up_to is None:
        return {}
    readings = [Reading.of(event) for event in new_events]
    existing = (
        Event.objects.filter(
            crisis_id__in={event.crisis_id for event in new_events}, pk__lte=existing_up_to
        )
        .filter(may_overlap(readings))
        .order_by()
        .only(*READ)
    )
    by_crisis: dict[int, Candidates] = {}
    for old in existing.iterator(2000):
        by_crisis.setdefault(old.crisis_id, Candidates()).add(Reading.of(old))
    found = {}
    for index, new in enumerate(readings):
        pool = by_crisis.get(new.event.crisis_id)
        candidates = [
            candidate
            for old in (pool.around(new) if pool else [])
            if (candidate := score(new, old)) is not None
        ]
        if candidates:
            candidates.sort(key=lambda candidate: -candidate.score)
            found[index] = candidates[:MOST]
    return found


READ = ("crisis_id", "slug", "title", "summary", "place", "date", "date_precision", "end_date",
        "end_precision")  # fmt: skip
REACH = {  # how long before a window an event at this precision may begin and still overlap it
    Precision.DAY: datetime.timedelta(0),
    Precision.MONTH: datetime.timedelta(days=31),
    Precision.YEAR: datetime.timedelta(days=366),
}


def windows(readings: list[Reading], reach: datetime.timedelta) -> list[tuple]:
    """The new events' periods, each widened ``reach`` back, merged where they touch."""
    merged: list[list] = []
    for start, stop in sorted((r.start - reach, r.stop) for r in readings):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], stop)
        else:
            merged.append([start, stop])
    return [(start, stop - datetime.timedelta(days=1)) for start, stop in merged]


def may_overlap(readings: list[Reading]) -> Q:
    """Events whose period can overlap one of the readings': dated inside a window reached
    back by their own precision, or a span (with an end) that began before and ends after."""
    condition = Q(end_date__isnull=False, end_date__gte=min(r.start for r in readings),
                  date__lt=max(r.stop for r in readings))  # fmt: skip
    for precision, reach in REACH.items():
        dated = Q()
        for first, last in windows(readings, reach):
            dated |= Q(date__range=(first, last))
        condition |= Q(date_precision=precision) & dated
    return condition


class Candidates:
    """The existing events of one crisis, by length (a day, a month, a year) and start."""

    LENGTHS = (datetime.timedelta(days=1), datetime.timedelta(days=31), LONGEST_PERIOD)

    def __init__(self):
        self.by_length: dict[datetime.timedelta, list[Reading]] = {n: [] for n in self.LENGTHS}
        self.long: list[Reading] = []  # spans longer than a year: always compared
        self.starts: dict[datetime.timedelta, list[datetime.date]] = {}

    def add(self, reading: Reading) -> None:
        length = reading.stop - reading.start
        bucket = next((n for n in self.LENGTHS if length <= n), None)
        (self.by_length[bucket] if bucket else self.long).append(reading)

    def around(self, new: Reading) -> list[Reading]:
        """Those that may overlap ``new``: of each length, those starting before it ends and
        no earlier than that length before it starts."""
        if not self.starts:
            for length, readings in self.by_length.items():
                readings.sort(key=lambda reading: reading.start)
                self.starts[length] = [reading.start for reading in readings]
        found = list(self.long)
        for length, readings in self.by_length.items():
            starts = self.starts[length]
            low = bisect.bisect_right(starts, new.start - length)
            found += readings[low : bisect.bisect_left(starts, new.stop)]
        return found

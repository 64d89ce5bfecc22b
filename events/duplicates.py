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
import operator
from collections import defaultdict, namedtuple
from dataclasses import dataclass

from django.db.models import Q
from django.utils.functional import cached_property

from crisis_tracker import collector
from crisis_tracker.dates import Precision, truncate

from .models import Event

ONE_DAY = datetime.timedelta(days=1)
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
    return first, last + ONE_DAY


def event_period(event):
    if event.end_date is None and event.date_precision == Precision.DAY:
        return event.date, event.date + ONE_DAY  # most events: one day, read at once
    return period(event.date, event.date_precision, event.end_date, event.end_precision)


def pairs(text: str) -> frozenset[str]:
    text = "".join((text or "").split())
    return frozenset(map(operator.add, text, text[1:]))


def alike(first: frozenset, second: frozenset) -> float:
    """The share of character pairs in common (of all the pairs of either)."""
    if not first or not second:
        return 0.0
    common = len(first & second)
    return common / (len(first) + len(second) - common)


@dataclass
class Candidate:
    event: Known | Event
    score: float
    reason: str


class Reading:
    """An event as the comparison reads it, worked out once: its period, and its character
    pairs when first compared (most events loaded are never compared by their words; Django's
    ``cached_property``, which takes no lock, where Python 3.11's takes one on each first read)."""

    def __init__(self, event):
        self.event = event
        self.start, self.stop = event_period(event)

    @classmethod
    def of(cls, event) -> Reading:
        return cls(event)

    @cached_property
    def title(self) -> frozenset:
        return pairs(self.event.title)

    @cached_property
    def summary(self) -> frozenset:
        return pairs(self.event.summary)


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
    compared with the events near it, found by bisection, not with every event of the crisis.
    The rows and readings hold no reference cycles, so the collector is paused meanwhile."""
    if not new_events or existing_up_to is None:
        return {}
    with collector.paused():
        return best_candidates(new_events, existing_up_to)


def best_candidates(new_events: list, existing_up_to: int) -> dict[int, list]:
    readings = [Reading.of(event) for event in new_events]
    existing = (
        Event.objects.filter(
            crisis_id__in={event.crisis_id for event in new_events}, pk__lte=existing_up_to
        )
        .filter(may_overlap(readings))
        .order_by()
        .values_list(*Known._fields)
    )
    by_crisis: dict[int, Candidates] = defaultdict(Candidates)
    by_place: dict[tuple[int, str], Candidates] = defaultdict(Candidates)
    for row in existing.iterator(5000):  # rows, not model instances: there may be 100,000
        old = Reading(Known._make(row))
        by_crisis[old.event.crisis_id].add(old)
        if old.event.place:
            by_place[old.event.crisis_id, old.event.place].add(old)
    found = {}
    for index, new in enumerate(readings):
        crisis_id, place = new.event.crisis_id, new.event.place
        # Events at the same place outrank every other (their score is one more), so when
        # enough of them overlap, the crisis's other events cannot be among the best.
        candidates = compared(new, by_place.get((crisis_id, place)) if place else None)
        if len(candidates) < MOST:
            candidates = compared(new, by_crisis.get(crisis_id))
        if candidates:
            candidates.sort(key=lambda candidate: -candidate.score)
            found[index] = candidates[:MOST]
    return found


def compared(new: Reading, pool: Candidates | None) -> list[Candidate]:
    if pool is None:
        return []
    return [candidate for old in pool.around(new) if (candidate := score(new, old)) is not None]


# An existing event as the comparison reads it (and a flag names it: by its slug and title).
Known = namedtuple("Known", ["pk", "crisis_id", "slug", "title", "summary", "place", "date",
                             "date_precision", "end_date", "end_precision"])  # fmt: skip
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
        for bucket in self.LENGTHS:
            if length <= bucket:
                self.by_length[bucket].append(reading)
                return
        self.long.append(reading)

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

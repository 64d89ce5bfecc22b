"""Probable duplicates: a new event that likely reports one already kept.

Desks date events more precisely as reporting improves: an update may bring, as a new event dated
to the day, a raid the crisis knew only as "2025". A new event is flagged when an existing event
of the same crisis covers an overlapping period (each date read at its precision) and they share
a place or read alike (title or summary: character pairs in common, which works for Chinese
without word breaking).
"""

from __future__ import annotations

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
    first. Only events with a pk up to ``existing_up_to`` count as existing (one query)."""
    if not new_events or existing_up_to is None:
        return {}
    readings = [Reading.of(event) for event in new_events]
    start = min(reading.start for reading in readings)
    stop = max(reading.stop for reading in readings)
    existing = (
        Event.objects.filter(
            crisis_id__in={event.crisis_id for event in new_events},
            pk__lte=existing_up_to,
            date__lt=stop,
        )
        .filter(Q(date__gte=start - LONGEST_PERIOD) | Q(end_date__gte=start))
        .only(
            "crisis_id",
            "slug",
            "title",
            "summary",
            "place",
            "date",
            "date_precision",
            "end_date",
            "end_precision",
        )  # fmt: skip
    )
    by_crisis: dict[int, list[Reading]] = {}
    for old in existing:
        by_crisis.setdefault(old.crisis_id, []).append(Reading.of(old))
    found = {}
    for index, new in enumerate(readings):
        candidates = [
            candidate
            for old in by_crisis.get(new.event.crisis_id, [])
            if (candidate := score(new, old)) is not None
        ]
        if candidates:
            candidates.sort(key=lambda candidate: -candidate.score)
            found[index] = candidates[:MOST]
    return found

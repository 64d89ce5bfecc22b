"""What readers could see once and can no longer: the entries a nightly sync must drop.

An event or a monthly assessment (or a whole crisis) is a tombstone when it changed at or after
``since``, readers saw it at some time, and they cannot see it now: deleted, withdrawn, in a
crisis that was withdrawn, or moved to another crisis (its old address is gone). Readers saw an
event while it was published in a published crisis, so its history is read against its
crisis's history. A tombstone names what readers last saw (the slugs then), never what the
entry became since, and nothing that was never public is named, not even by its slug.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from crisis_tracker.publication import PUBLISHED
from events.models import Assessment, Crisis, Event

LIMIT = 10_000


@dataclass
class Span:
    """A stretch of time a version of an entry was public: from ``start`` to ``end`` (None:
    still public), under ``slug`` (and, for an event, its crisis's slug then)."""

    start: datetime.datetime
    end: datetime.datetime | None
    slug: str
    crisis: str | None = None


# What names a crisis's part in its address: an event's slug, an assessment's month.
ADDRESS = {Crisis: "slug", Event: "slug", Assessment: "month"}


def address(value) -> str:
    return f"{value:%Y-%m}" if isinstance(value, datetime.date) else value


def versions(model, ids) -> dict[int, list]:
    """Each entry's history rows, oldest first: (time, kind, state, address, crisis id)."""
    found = defaultdict(list)
    fields = ["id", "history_date", "history_type", "state", ADDRESS[model]]
    if model is not Crisis:
        fields.append("crisis_id")
    rows = model.history.filter(id__in=ids).order_by("id", "history_date", "history_id")
    for pk, when, kind, state, named, *rest in rows.values_list(*fields):
        found[pk].append((when, kind, state, address(named), *rest))
    return found


def crisis_spans(ids) -> dict[int, list[Span]]:
    """When each crisis was public, under which slug."""
    spans = {}
    for pk, rows in versions(Crisis, ids).items():
        spans[pk] = [
            Span(when, until, slug)
            for (when, kind, state, slug), until in with_ends(rows)
            if state == PUBLISHED and kind != "-"
        ]
    return spans


def with_ends(rows: list) -> list[tuple]:
    """Each version with the time the next one replaced it (None for the latest)."""
    ends = [row[0] for row in rows[1:]] + [None]
    return list(zip(rows, ends, strict=True))


def overlap(start, end, other: Span) -> Span | None:
    """The part of [start, end) when ``other`` was public too."""
    begins = max(start, other.start)
    ends = min(x for x in (end, other.end) if x is not None) if (end or other.end) else None
    return Span(begins, ends, "", other.slug) if ends is None or begins < ends else None


def part_spans(rows: list, crises: dict[int, list[Span]]) -> list[Span]:
    """When an event or an assessment was public: a published version while its crisis was."""
    found = []
    for (when, kind, state, slug, crisis_id), until in with_ends(rows):
        if state != PUBLISHED or kind == "-":
            continue
        for span in crises.get(crisis_id, []):
            shared = overlap(when, until, span)
            if shared is not None:
                found.append(Span(shared.start, shared.end, slug, shared.crisis))
    return found


def gone_addresses(spans: list[Span]) -> list[Span]:
    """For each address (slug, and crisis slug for an event) readers saw the entry under and
    can no longer reach, the last stretch it was public there."""
    by_address = defaultdict(list)
    for span in spans:
        by_address[(span.crisis, span.slug)].append(span)
    return [
        max(group, key=lambda span: span.end)
        for group in by_address.values()
        if all(span.end is not None for span in group)
    ]


def changed_since(model, since: datetime.datetime) -> set[int]:
    return set(model.history.filter(history_date__gte=since).values_list("id", flat=True))


def entry(kind: str, span: Span, reason: str) -> dict:
    return {
        "kind": kind,
        "crisis": span.slug if kind == "crisis" else span.crisis,
        "slug": None if kind == "crisis" else span.slug,
        "removed_at": span.end,
        "reason": reason,
    }


def reason(rows: list, spans: list[Span]) -> str:
    if rows[-1][1] == "-":
        return "deleted"
    return "moved" if any(span.end is None for span in spans) else "withdrawn"


PARTS = {"event": Event, "assessment": Assessment}


def tombstones(since: datetime.datetime) -> list[dict]:
    crisis_ids = changed_since(Crisis, since)
    parts = {}
    for kind, model in PARTS.items():
        ids = changed_since(model, since)
        ids |= set(model.objects.filter(crisis__in=crisis_ids).values_list("pk", flat=True))
        parts[kind] = versions(model, ids)
    named = {row[4] for found in parts.values() for rows in found.values() for row in rows}
    crises = crisis_spans(crisis_ids | named)
    found = []
    for pk, rows in versions(Crisis, crisis_ids).items():
        spans = crises.get(pk, [])
        found += [entry("crisis", span, reason(rows, spans))
                  for span in gone_addresses(spans) if span.end >= since]  # fmt: skip
    for kind, found_rows in parts.items():
        for rows in found_rows.values():
            spans = part_spans(rows, crises)
            found += [entry(kind, span, reason(rows, spans))
                      for span in gone_addresses(spans) if span.end >= since]  # fmt: skip
    return sorted(found, key=lambda item: item["removed_at"])[:LIMIT]

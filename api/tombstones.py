"""What readers could see once and can no longer: the entries a nightly sync must drop.

An event (or a whole crisis) is a tombstone when it changed at or after ``since``, was published
at some time (its crisis too), and is not visible now: deleted, withdrawn, or in a crisis that
was withdrawn. Nothing that was never published is named, not even by its slug.
"""

from __future__ import annotations

import datetime

from crisis_tracker.publication import PUBLISHED
from events.models import Crisis, Event

LIMIT = 10_000


def ever_published(model, ids: set[int]) -> set[int]:
    rows = model.history.filter(id__in=ids, state=PUBLISHED).values_list("id", flat=True)
    return set(rows.distinct())


def gone(model, ids: set[int]) -> set[int]:
    """Of ``ids``, those readers saw once and cannot see now."""
    visible = model.objects.published().filter(pk__in=ids).values_list("pk", flat=True)
    return ever_published(model, ids) - set(visible)


def changed_since(model, since: datetime.datetime) -> set[int]:
    return set(model.history.filter(history_date__gte=since).values_list("id", flat=True))


def entry(kind: str, crisis: str | None, row) -> dict:
    return {
        "kind": kind,
        "crisis": crisis,
        "slug": row.slug if kind == "event" else None,
        "removed_at": row.history_date,
        "reason": "deleted" if row.history_type == "-" else "withdrawn",
    }


def tombstones(since: datetime.datetime) -> list[dict]:
    crises = gone(Crisis, changed_since(Crisis, since))
    in_gone_crises = set(Event.objects.filter(crisis__in=crises).values_list("pk", flat=True))
    events = gone(Event, changed_since(Event, since) | in_gone_crises)
    crisis_rows = list(Crisis.history.filter(id__in=crises).latest_of_each())
    event_rows = list(Event.history.filter(id__in=events).latest_of_each())
    shown_crises = ever_published(Crisis, {row.crisis_id for row in event_rows})
    slugs = dict(
        Crisis.history.filter(id__in=shown_crises).latest_of_each().values_list("id", "slug")
    )
    found = [entry("crisis", row.slug, row) for row in crisis_rows]
    found += [
        entry("event", slugs[row.crisis_id], row)
        for row in event_rows
        if row.crisis_id in shown_crises
    ]
    return sorted(found, key=lambda item: item["removed_at"])[:LIMIT]

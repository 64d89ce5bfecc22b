"""Group history rows into revisions of crises.

Whatever writes content (an admin request, an import, an action, a script) does it inside
``revision()``. Each history row written there gets the revision's key; when the block ends, one
``Revision`` is saved with the summary, and one ``CrisisRevision`` per crisis the rows touched,
saying what changed in words and whether readers may see it. Rows rolled back by then count for
nothing. A row written outside any ``revision()`` makes a revision of its own.
"""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.dispatch import receiver
from simple_history.signals import post_create_historical_record, pre_create_historical_record

from actors.models import Actor, Participation
from crisis_tracker.citations import cited_keys
from sources.models import Source

from .models import Crisis, CrisisRevision, Event, EventActor, PublicationState, Revision, Section
from .pages import bump_crisis

PUBLISHED = PublicationState.PUBLISHED
_current: contextvars.ContextVar[RevisionDraft | None] = contextvars.ContextVar(
    "revision", default=None
)


@dataclass
class RevisionDraft:
    key: uuid.UUID = field(default_factory=uuid.uuid4)
    summary: str = ""
    user: object = None
    is_correction: bool = False
    correction_note: str = ""


@contextmanager
def revision(*, summary: str = "", user=None) -> Iterator[RevisionDraft]:
    draft = RevisionDraft(summary=summary, user=user)
    token = _current.set(draft)
    try:
        yield draft
    finally:
        _current.reset(token)
        save_revision(draft)


def current() -> RevisionDraft | None:
    return _current.get()


@receiver(pre_create_historical_record)
def attach_row(sender, history_instance, **kwargs) -> None:
    if not hasattr(history_instance, "revision_key"):
        return
    draft = _current.get()
    if draft is None:
        draft = history_instance._standalone_revision = RevisionDraft()
    history_instance.revision_key = draft.key


@receiver(post_create_historical_record)
def save_standalone(sender, history_instance, **kwargs) -> None:
    draft = getattr(history_instance, "_standalone_revision", None)
    if draft is not None:
        save_revision(draft)


HISTORIES = [Crisis, Section, Event, Participation, EventActor, Source, Actor]


def rows_of(key: uuid.UUID) -> dict[type, list]:
    rows = {}
    for model in HISTORIES:
        found = list(model.history.filter(revision_key=key).order_by("history_date"))
        if found:
            rows[model] = found
    return rows


def save_revision(draft: RevisionDraft) -> Revision | None:
    if transaction.get_connection().needs_rollback:
        return None  # the block is being rolled back: its rows will not exist
    rows = rows_of(draft.key)
    if not rows:
        return None
    every = sorted((r for found in rows.values() for r in found), key=lambda r: r.history_date)
    reasons = (row.history_change_reason for row in every if row.history_change_reason)
    summary = draft.summary or next(reasons, "")
    user = draft.user if getattr(draft.user, "pk", None) else every[0].history_user
    revision, _created = Revision.objects.update_or_create(
        key=draft.key,
        defaults={
            "created_at": every[-1].history_date,
            "summary": (summary or "")[:300],
            "user": user,
            "is_correction": draft.is_correction,
            "correction_note": draft.correction_note,
        },
    )
    touched = impacts(rows, revision)
    for crisis_id, (public, changes) in touched.items():
        CrisisRevision.objects.update_or_create(
            crisis_id=crisis_id, revision=revision, defaults={"public": public, "changes": changes}
        )
    # Pages show the latest revision (last updated, corrections): render them afresh.
    for slug in Crisis.objects.filter(pk__in=list(touched)).values_list("slug", flat=True):
        bump_crisis(slug)
    return revision


def impacts(rows: dict[type, list], revision: Revision) -> dict[int, tuple[bool, list]]:
    """For each crisis touched: (whether readers see this change, the changes in words)."""
    touched: dict[int, list[dict]] = {}

    def note(crisis_ids, change: dict) -> None:
        for crisis_id in crisis_ids:
            touched.setdefault(crisis_id, [])
            if change not in touched[crisis_id]:
                touched[crisis_id].append(change)

    for row in rows.get(Crisis, []):
        note([row.id], describe("crisis", row, row.title))
    for row in rows.get(Section, []):
        note([row.crisis_id], describe("section", row, row.heading))
    for row in rows.get(Participation, []):
        actor = Actor.objects.filter(pk=row.actor_id).values_list("name", flat=True).first()
        note([row.crisis_id], describe("participation", row, actor or ""))
    for row in rows.get(Event, []):
        if event_is_visible(row):
            note([row.crisis_id], describe("event", row, row.title))
        else:
            touched.setdefault(row.crisis_id, [])
    event_rows = rows.get(EventActor, [])
    if event_rows:
        events = Event.history.filter(id__in={r.event_id for r in event_rows}).latest_of_each()
        event_info = {e.id: e for e in events}
        for row in event_rows:
            event = event_info.get(row.event_id)
            if event is None:
                continue
            if event.state == PUBLISHED:
                note([event.crisis_id], describe("event", event, event.title, action="edited"))
            else:
                touched.setdefault(event.crisis_id, [])
    source_rows = rows.get(Source, [])
    citing = crises_citing({row.key for row in source_rows}) if source_rows else {}
    for row in source_rows:
        note(citing.get(row.key, set()), describe("source", row, row.title))
    for row in rows.get(Actor, []):
        note(crises_involving(row.id), describe("actor", row, row.name))
    existing = set(Crisis.objects.filter(pk__in=list(touched)).values_list("pk", flat=True))
    touched = {
        crisis_id: changes for crisis_id, changes in touched.items() if crisis_id in existing
    }
    states = crisis_states_at(list(touched), revision.created_at)
    return {
        crisis_id: (bool(changes) and states.get(crisis_id) == PUBLISHED, changes)
        for crisis_id, changes in touched.items()
    }


def describe(kind: str, row, label: str, action: str | None = None) -> dict:
    action = action or {"+": "added", "~": "edited", "-": "removed"}[row.history_type]
    if kind == "source" and action == "edited":
        action = "corrected"
    if kind in ("crisis", "event") and row.history_type == "~":
        previous = row.prev_record
        if previous is not None and previous.state != row.state:
            action = "published" if row.state == PUBLISHED else "withdrawn"
    return {"kind": kind, "action": action, "label": label}


def event_is_visible(row) -> bool:
    if row.state == PUBLISHED:
        return True
    previous = row.prev_record
    return previous is not None and previous.state == PUBLISHED


NARRATIVES = [(Crisis, "id", "lead"), (Section, "crisis_id", "body"),
              (Event, "crisis_id", "summary"), (Participation, "crisis_id", "note")]  # fmt: skip


def crises_citing(keys: set[str]) -> dict[str, set[int]]:
    """For each source key, the crises whose narrative text cites it (four queries)."""
    found: dict[str, set[int]] = {}
    for model, crisis_column, text_column in NARRATIVES:
        texts = model.objects.all()
        if len(keys) <= 20:  # a few keys: let the database find the texts that name them
            condition = Q()
            for key in keys:
                condition |= Q(**{f"{text_column}__contains": f"@{key}"})
            texts = texts.filter(condition)
        else:
            texts = texts.filter(**{f"{text_column}__contains": "[@"})
        for crisis_id, text in texts.values_list(crisis_column, text_column):
            for key in keys.intersection(cited_keys(text)):
                found.setdefault(key, set()).add(crisis_id)
    return found


def crises_involving(actor_id: int) -> set[int]:
    direct = Participation.objects.filter(actor_id=actor_id).values_list("crisis_id", flat=True)
    through_events = EventActor.objects.filter(actor_id=actor_id).values_list(
        "event__crisis_id", flat=True
    )
    return set(direct) | set(through_events)


def crisis_states_at(crisis_ids: list[int], moment) -> dict[int, str]:
    if not crisis_ids:
        return {}
    latest = (
        Crisis.history.filter(id__in=crisis_ids, history_date__lte=moment)
        .latest_of_each()
        .values_list("id", "state", "history_type")
    )
    return {crisis_id: state for crisis_id, state, kind in latest if kind != "-"}

"""The one path of a change of publication state, and the signal that tells of it.

Every writer that moves an entry between draft, review and published — the change form, a list
action, a review step, a schedule, a fixture or spreadsheet import — either moves it with
``move`` (which checks the publishing rule, saves the entry in the current revision and
announces the move) or, when it saved the rows itself (the admin's form, an import writing in
bulk), announces what it moved with ``announce``. Both send one ``state_changed`` signal per
model, once the transaction commits: the review thread, notifications and the desk listen to it
(``desk.review``, ``desk.notifications``), the way Wagtail's ``page_published`` is sent by
``DraftStateMixin.publish()`` whatever published the page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.dispatch import Signal

from .history import current
from .publication import DRAFT, PUBLISHED, REVIEW, may_set_state

# Sent with ``sender`` (the model), ``changes`` (a list of StateChange), ``user`` (None: the
# system), ``comment`` (what the person moving it said; empty for most writers), ``step`` (the
# review step, when the writer names one) and ``revision_key`` (the edit that moved them).
# Receivers run inside the transaction: what they write is part of the edit.
state_changed = Signal()


@dataclass(frozen=True)
class StateChange:
    entry: object
    old: str | None  # None: the entry is new
    new: str


def move(entries, target: str, *, user, comment: str = "", step: str = "", also=None) -> list:
    """Move each of ``entries`` to ``target`` as ``user`` (None: the system), in the current
    revision, and announce it; entries already there are left alone. ``also`` gives other
    fields to set in the same save. Raises PermissionDenied, before saving anything, when the
    publishing rule does not allow one of the moves, and ValidationError when an entry cannot
    be published yet."""
    entries = list(entries)
    if not all(may_set_state(user, type(e), e.state, target) for e in entries):
        raise PermissionDenied
    if target == PUBLISHED:
        refuse_unpublishable(entries)
    changes = []
    for entry in entries:
        if entry.state == target and not also:
            continue
        old = entry.state
        entry.state = target
        for name, value in (also or {}).items():
            setattr(entry, name, value)
        entry.save()
        if old != target:
            changes.append(StateChange(entry, old, target))
    announce(changes, user=user, comment=comment, step=step)
    return changes


def refuse_unpublishable(entries) -> None:
    """An entry may say why it cannot be published yet (``publishing_problem``, e.g. an
    edition that is mostly unreviewed machine text): ValidationError, before anything is saved."""
    for entry in entries:
        problem = entry.publishing_problem() if hasattr(entry, "publishing_problem") else ""
        if problem:
            raise ValidationError(problem, code="unpublishable")


def announce(changes: list[StateChange], *, user, comment: str = "", step: str = "") -> None:
    """Tell listeners of moves a writer made itself (``move`` calls it too); a row that kept
    its state, or a new draft, moved nowhere."""
    by_model: dict[type, list[StateChange]] = {}
    for change in changes:
        if moved(change.old, change.new):
            by_model.setdefault(type(change.entry), []).append(change)
    draft = current()
    key = draft.key if draft is not None else None
    for model, found in by_model.items():
        state_changed.send(
            sender=model, changes=found, user=user, comment=comment, step=step, revision_key=key
        )


def moved(old: str | None, new: str) -> bool:
    """Whether a row written from ``old`` to ``new`` changed state (a new draft did not)."""
    return old != new and not (old is None and new == DRAFT)


def summary_of(old: str | None, new: str) -> str:
    """The edit summary of a move, whoever makes it (records stay in English, like every
    automatic summary)."""
    if new == PUBLISHED:
        return "Approved and published"
    if old == PUBLISHED:
        return "Unpublished"
    if new == REVIEW:
        return "Submitted for review"
    return "Sent back"

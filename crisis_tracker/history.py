"""History rows grouped into edits, each with one summary and one user: the one audit path.

Whatever writes content (an admin request, an import, an action, a command) does it inside
``revision(summary=..., user=...)``. Every history row written there gets the revision's key,
and the summary and user as its change reason and history user unless the writer set its own.
A ``revision()`` opened inside another joins it, so an admin save with its inlines, or a
crisis deleted with everything it holds, is one edit.

When the outermost block ends and its transaction is not being rolled back, ``revision_closed``
is sent with the rows it wrote, per model; the apps turn that into their public history. A row
written outside any ``revision()`` makes an edit of its own.
"""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

from django.apps import apps
from django.db import DatabaseError, models, transaction
from django.dispatch import Signal, receiver
from simple_history.models import HistoricalRecords
from simple_history.signals import post_create_historical_record, pre_create_historical_record
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

REASON_LENGTH = 100  # simple-history's history_change_reason column

# Sent with ``draft`` (a RevisionDraft) and ``rows`` ({model: [historical rows, oldest first]}).
revision_closed = Signal()


class RevisionedHistory(models.Model):
    revision_key = models.UUIDField(null=True, blank=True, editable=False, db_index=True)

    class Meta:
        abstract = True


def history_with_revisions() -> HistoricalRecords:
    return HistoricalRecords(bases=[RevisionedHistory])


@dataclass
class RevisionDraft:
    key: uuid.UUID = field(default_factory=uuid.uuid4)
    summary: str = ""
    user: object = None
    is_correction: bool = False
    correction_note: str = ""


_current: contextvars.ContextVar[RevisionDraft | None] = contextvars.ContextVar(
    "revision", default=None
)


@contextmanager
def revision(*, summary: str = "", user=None) -> Iterator[RevisionDraft]:
    """One edit. Inside another, joins it; a summary or user given here fills in its blanks."""
    outer = _current.get()
    if outer is not None:
        outer.summary = outer.summary or summary
        outer.user = outer.user or user
        yield outer
        return
    draft = RevisionDraft(summary=summary, user=user)
    token = _current.set(draft)
    try:
        yield draft
    except BaseException:
        _current.reset(token)
        # Rows written before the error may be committed (no transaction): record them, without
        # hiding the error if the database is what failed.
        with suppress(DatabaseError):
            close(draft)
        raise
    _current.reset(token)
    close(draft)


def current() -> RevisionDraft | None:
    return _current.get()


def revisioned_models() -> list[type[models.Model]]:
    """The content models whose history rows carry a revision key."""
    return [
        model.instance_type for model in apps.get_models() if issubclass(model, RevisionedHistory)
    ]


def rows_of(key: uuid.UUID) -> dict[type, list]:
    rows = {}
    for model in revisioned_models():
        found = list(model.history.filter(revision_key=key).order_by("history_date", "pk"))
        if found:
            rows[model] = found
    return rows


def close(draft: RevisionDraft) -> None:
    if transaction.get_connection().needs_rollback:
        return  # the block is being rolled back: its rows will not exist
    rows = rows_of(draft.key)
    if rows:
        revision_closed.send(sender=RevisionDraft, draft=draft, rows=rows)


def reason_problem(summary: str | None) -> str:
    """Why ``summary`` cannot be an edit summary ("" when it can)."""
    if summary and len(summary) > REASON_LENGTH:
        length = len(summary)
        return f"an edit summary has at most {REASON_LENGTH} characters; this one has {length}"
    return ""


def _row_stamp(draft: RevisionDraft) -> dict:
    return {
        "default_user": draft.user if getattr(draft.user, "pk", None) else None,
        "default_change_reason": draft.summary[:REASON_LENGTH],
        "custom_historical_attrs": {"revision_key": draft.key},
    }


def bulk_create(model, objects: list, batch_size: int = 1000) -> list:
    """Insert ``objects`` and one history row each, stamped like a save in the open revision."""
    draft = _current.get()
    if draft is None:
        raise RuntimeError("bulk writes need an open revision()")
    return bulk_create_with_history(objects, model, batch_size=batch_size, **_row_stamp(draft))


def bulk_update(model, objects: list, fields: list[str], batch_size: int = 1000) -> None:
    """Update ``fields`` of ``objects`` and write one history row each, like ``bulk_create``."""
    draft = _current.get()
    if draft is None:
        raise RuntimeError("bulk writes need an open revision()")
    bulk_update_with_history(objects, model, fields, batch_size=batch_size, **_row_stamp(draft))


@receiver(pre_create_historical_record)
def stamp_row(sender, history_instance, **kwargs) -> None:
    if not isinstance(history_instance, RevisionedHistory):
        return
    draft = _current.get()
    if draft is None:
        draft = history_instance._standalone_revision = RevisionDraft()
    history_instance.revision_key = draft.key
    if not history_instance.history_change_reason and draft.summary:
        history_instance.history_change_reason = draft.summary[:REASON_LENGTH]
    if history_instance.history_user_id is None and getattr(draft.user, "pk", None):
        history_instance.history_user = draft.user


@receiver(post_create_historical_record)
def close_standalone(sender, history_instance, **kwargs) -> None:
    draft = getattr(history_instance, "_standalone_revision", None)
    if draft is not None:
        close(draft)

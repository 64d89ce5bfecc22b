"""History rows grouped into edits, each with one summary and one user: the one audit path.

Whatever writes content (an admin request, an import, an action, a command) does it inside
``revision(summary=..., user=...)``. Every history row written there gets the revision's key,
and the summary and user as its change reason and history user unless the writer set its own.
A ``revision()`` opened inside another joins it, so an admin save with its inlines, or a
crisis deleted with everything it holds, is one edit.

When the outermost block ends and its transaction is not being rolled back, ``revision_closed``
is sent with the rows it wrote, read model by model in chunks; the apps turn that into their
public history. A row
written outside any ``revision()`` makes an edit of its own.
"""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, models, transaction
from django.dispatch import Signal, receiver
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.signals import post_create_historical_record, pre_create_historical_record
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from . import bulk

REASON_LENGTH = 100  # simple-history's history_change_reason column
CHUNK_ROWS = 2000  # history rows a revision's listeners are handed at a time

# Sent with ``draft`` (a RevisionDraft) and ``rows`` (a RevisionRows). A block that wrote
# nothing still sends it: its listeners find no rows.
revision_closed = Signal()


class RevisionedHistory(models.Model):
    revision_key = models.UUIDField(null=True, blank=True, editable=False, db_index=True)

    class Meta:
        abstract = True


class EntryHistory(HistoricalRecords):
    """simple-history's records, each table also indexed by entry and date: an entry's latest
    change (the desk's stale drafts, the review panels, locking, the API's tombstones) is read
    from the index alone instead of from every history row of the entry."""

    def get_meta_options(self, model):
        options = super().get_meta_options(model)
        by_entry = models.Index(fields=[model._meta.pk.attname, "history_date"])
        options["indexes"] = (*options.get("indexes", ()), by_entry)
        return options


def history_with_revisions(**options) -> HistoricalRecords:
    return EntryHistory(bases=[RevisionedHistory], **options)


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


def long_texts(model) -> list[str]:
    """Text fields, left out of the rows a revision hands to its listeners (a large import
    writes many): a listener that reads one fetches it row by row."""
    return [f.attname for f in model._meta.concrete_fields if isinstance(f, models.TextField)]


class HistoryRow(SimpleNamespace):
    """A history row as a revision's listeners read it: its columns by attribute name (long
    texts left out, the user as ``history_user_id``) and the ``instance_type`` it records."""


class RevisionRows:
    """The history rows one revision wrote, handed out model by model in chunks of whole
    entries (every row of an entry in one chunk, entries in primary-key order): a large import
    writes hundreds of thousands, more than should be held at once. Rows are HistoryRows.

    As chunks pass it notes the revision's first and last row in time and the first row that
    gives a reason, which is all a listener needs of the revision as a whole.
    """

    def __init__(self, key: uuid.UUID, chunk: int | None = None):
        self.key = key
        self.chunk = chunk or CHUNK_ROWS
        self.first = self.last = self.first_reason = None

    def chunks(self, model) -> Iterator[list]:
        for rows in self._pages(model):
            self._see(rows)
            yield rows

    def _pages(self, model) -> Iterator[list]:
        """One query per ``chunk`` rows; a page's last entry, which may go on past the page,
        is held back for the next one (or read whole, when it alone fills a page)."""
        long = long_texts(model)
        columns = [f.attname for f in model.history.model._meta.concrete_fields]
        rows = (
            model.history.filter(revision_key=self.key)
            .order_by("id", "history_date", "history_id")
            .values(*[name for name in columns if name not in long])
        )

        def read(query) -> list[HistoryRow]:
            return [HistoryRow(instance_type=model, **values) for values in query]

        after = None
        while True:
            page = read((rows if after is None else rows.filter(id__gt=after))[: self.chunk])
            if len(page) < self.chunk:
                if page:
                    yield page
                return
            last = page[-1].id
            complete = [row for row in page if row.id != last] or read(rows.filter(id=last))
            yield complete
            after = complete[-1].id

    def _see(self, rows: list) -> None:
        for row in rows:
            when = row.history_date
            if self.first is None or when < self.first.history_date:
                self.first = row
            if self.last is None or when >= self.last.history_date:
                self.last = row
            if row.history_change_reason and (
                self.first_reason is None or when < self.first_reason.history_date
            ):
                self.first_reason = row


def close(draft: RevisionDraft) -> None:
    if transaction.get_connection().needs_rollback:
        return  # the block is being rolled back: its rows will not exist
    revision_closed.send(sender=RevisionDraft, draft=draft, rows=RevisionRows(draft.key))


def last_revision_at():
    """When the latest revision was made (settings.REVISION_MODEL), or None: a page built from
    many entries has changed at the latest then, so it is its Last-Modified. The latest of all
    never goes back, as the latest of what a page shows would when an entry is withdrawn."""
    revisions = apps.get_model(settings.REVISION_MODEL).objects.order_by("-created_at")
    return revisions.values_list("created_at", flat=True).first()


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


def _open_draft() -> RevisionDraft:
    draft = _current.get()
    if draft is None:
        raise RuntimeError("bulk writes need an open revision()")
    return draft


def bulk_create(model, objects: list, batch_size: int = 1000) -> list:
    """Insert ``objects`` and one history row each, stamped like a save in the open revision.

    On PostgreSQL rows and history rows go in with COPY (primary keys drawn from the table's
    sequence first); elsewhere through django-simple-history's ``bulk_create_with_history``.
    """
    draft = _open_draft()
    connection = transaction.get_connection()
    if connection.vendor != "postgresql" or not objects:
        return bulk_create_with_history(objects, model, batch_size=batch_size, **_row_stamp(draft))
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        rows = bulk.copy_new(cursor, model, objects)
        _copy_history(cursor, model, rows, "+", draft)
    return objects


def bulk_update(model, objects: list, fields: list[str], batch_size: int = 1000) -> None:
    """Update ``fields`` of ``objects`` and write one history row each, like ``bulk_create``."""
    draft = _open_draft()
    connection = transaction.get_connection()
    if connection.vendor != "postgresql" or not objects:
        bulk_update_with_history(objects, model, fields, batch_size=batch_size, **_row_stamp(draft))
        return
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        model._default_manager.bulk_update(objects, fields, batch_size=batch_size)
        rows = [bulk.db_values(model, obj, connection) for obj in objects]
        _copy_history(cursor, model, rows, "~", draft)


def _copy_history(cursor, model, rows: list[dict], kind: str, draft: RevisionDraft) -> None:
    history_model = model.history.model
    stamp = {
        "history_date": timezone.now(),
        "history_change_reason": draft.summary[:REASON_LENGTH] or None,
        "history_type": kind,
        "history_user_id": draft.user.pk if getattr(draft.user, "pk", None) else None,
        "revision_key": draft.key,
    }
    fields = [f for f in history_model._meta.concrete_fields if f.attname != "history_id"]
    history_rows = [{**row, **stamp} for row in rows]
    bulk.copy(cursor, history_model._meta.db_table, fields, history_rows)


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

"""Importing crises as Django fixtures with natural keys, with full history, at desk scale.

``loaddata`` saves raw, so django-simple-history records nothing for what it loads. This import
reads each file as a stream, matches every object by natural key only (a ``pk`` is refused),
writes only what changed, validates everything (citation keys included) and records one history
row per created or changed object with the reason and user (the import is one revision).

Objects are handled in batches of one model: related objects are looked up by natural key with
one query per model and batch, existing objects are found with one query, check constraints are
evaluated in Python, and rows and history rows are written with bulk inserts and updates. All
files go in one transaction that also holds the import lock: one problem anywhere and nothing
is written, and two imports never interleave.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import OperationalError, models, transaction
from django.db.models import Max
from django.utils import translation

from crisis_tracker import history, transitions
from crisis_tracker.citations import cited_keys, known_keys, source_model
from crisis_tracker.constraints import (
    check_constraint_errors,
    natural_key_fields,
)
from crisis_tracker.dates import (
    Precision,
    date_precisions,
    finer,
    iso_date,
    short_date,
    truncate,
)
from crisis_tracker.locking import exclusive
from crisis_tracker.narrative import narrative_fields
from crisis_tracker.publication import (
    Publishable,
    WaitsFor,
    waits_for_publisher,
)
from crisis_tracker.transitions import StateChange
from events import signals
from events.duplicates import probable_duplicates
from events.models import Event
from events.page_cache import bumps_deferred
from events.registry import CONTENT_MODELS

from .fields import (
    FieldRules,
    differences,
    field_messages,
    field_refusal,
    importable_fields,
    new_instance,
    reference,
    required_relations,
)
from .keys import KeyIndex, existing_rows
from .problems import FixtureError, Problem, problem_order
from .reading import Entry, read_fixture, survey
from .reports import Change, ImportReport

IMPORTABLE = CONTENT_MODELS  # in import order: what others refer to comes first
BATCH_SIZE = 1000
PROGRESS_EVERY = 1000
LOCK_NAME = "fixture-import"
PRECISIONS = frozenset(Precision.values)
ANALYZE_AFTER = 10_000  # rows changed in a table before an import renews its statistics, and
ANALYZE_FRACTION = 0.1  # the part of its rows they make (autovacuum_analyze_scale_factor's default)


@dataclass
class Parsed:
    entry: Entry
    values: dict  # attname → value
    references: dict  # relation field name → natural key tuple (None: empty)
    natural_key: tuple = ()
    local_key: tuple = ()  # the natural key in this database's columns (related rows by pk)
    state_before: str | None = None  # a publishable row's state before the import


class Importer:
    def __init__(self, *, user, dry_run: bool, progress: Callable | None, details: int | None):
        self.user = user
        self.report = ImportReport(dry_run=dry_run, details=details)
        self.progress = progress
        self.total = 0
        self.done = 0
        self.problems: list[Problem] = []
        self.keys = KeyIndex()
        self.rules = FieldRules()
        self.handled: dict[str, set[int]] = defaultdict(set)  # pks created, changed or matched
        self.refused: set[tuple[str, tuple]] = set()  # natural keys of objects with problems
        self.buffers: dict[str, list[Entry]] = {}
        self.events_up_to: int | None = None  # events up to this pk existed before the import
        self.waiting: list[tuple[Entry, Problem]] = []

    def add(self, item: Entry | Problem) -> None:
        """Buffer an object with others of its model; a full buffer is written, after the
        buffers of the models it may refer to (so files in any order make full batches)."""
        if isinstance(item, Problem):
            self.problems.append(item)
            self.tick()
            return
        buffer = self.buffers.setdefault(item.label, [])
        buffer.append(item)
        if len(buffer) >= BATCH_SIZE:
            self.flush_up_to(item.label)

    def flush_up_to(self, label: str) -> None:
        for earlier in IMPORTABLE[: IMPORTABLE.index(label) + 1]:
            batch = self.buffers.pop(earlier, [])
            if batch:
                self.flush(batch)

    def flush(self, batch: list[Entry]) -> None:
        while batch:
            waiting = self.process(batch)
            if len(waiting) == len(batch):
                self.waiting.extend(waiting)
                return
            batch = [entry for entry, _problem in waiting]

    def finish(self) -> None:
        """Write what is buffered, then what waited for objects that came later in the files,
        as long as that helps; what still waits names an object that is nowhere."""
        self.flush_up_to(IMPORTABLE[-1])
        while self.waiting:
            pending = self.waiting
            self.waiting = []
            for label in IMPORTABLE:
                group = [entry for entry, _problem in pending if entry.label == label]
                for start in range(0, len(group), BATCH_SIZE):
                    self.flush(group[start : start + BATCH_SIZE])
            if len(self.waiting) == len(pending):
                self.problems.extend(self.with_causes([p for _entry, p in self.waiting]))
                self.tick(len(self.waiting))
                self.waiting = []

    def with_causes(self, unresolved: list[Problem]) -> list[Problem]:
        """Mark each object that names a refused object (itself, or through other objects that
        wait for one) as following from it: the refusal is its cause, not a missing object."""
        waiting_on = {(p.label, p.natural_key): p.refers_to for p in unresolved if p.natural_key}
        for problem in unresolved:
            named, seen = problem.refers_to, set()
            while named in waiting_on and named not in seen:
                seen.add(named)
                named = waiting_on[named]
            if named in self.refused:
                problem.cause = named
        return unresolved

    def tick(self, count: int = 1) -> None:
        before, self.done = self.done, self.done + count
        if self.progress and before // PROGRESS_EVERY != self.done // PROGRESS_EVERY:
            self.progress(self.done, self.total)

    # One batch of one model ---------------------------------------------------------------

    def process(self, batch: list[Entry]) -> list[tuple[Entry, Problem]]:
        model = apps.get_model(batch[0].label)
        parsed = []
        for entry in batch:
            try:
                parsed.append(self.parse(entry, model))
            except FixtureError as error:
                self.problems.extend(error.problems)
                self.tick()
        ready, waiting = self.resolve(model, parsed)
        existing = self.existing(model, ready)
        ready = self.unique(model, ready, existing)
        different = self.set_aside_unchanged(model, ready, existing)
        with known_keys(self.cited_sources(model, different)):
            to_create, to_update, changed_fields = self.compare(model, different, existing)
        self.write(model, to_create, to_update, changed_fields)
        self.tick(len(ready))
        return waiting

    def parse(self, entry: Entry, model) -> Parsed:
        values, references, problems, implied = {}, {}, [], {}
        importable = importable_fields(model)
        for name, raw in entry.data.get("fields", {}).items():
            model_field = importable.get(name)
            if model_field is None:
                problems.append(entry.problem(field_refusal(model, name), field=name))
                continue
            if model_field.is_relation:
                try:
                    references[name] = reference(model_field, raw)
                except ValidationError as error:
                    problems.extend(entry.problem(m, field=name) for m in error.messages)
                continue
            short = short_date(raw) if isinstance(model_field, models.DateField) else None
            if short is not None:
                values[model_field.attname], implied[name] = short
                continue
            try:
                values[model_field.attname] = model_field.to_python(raw)
            except ValidationError as error:
                problems.extend(entry.problem(m, field=name) for m in error.messages)
        problems.extend(self.short_date_problems(entry, model, values, implied))
        for model_field in required_relations(model):
            if references.get(model_field.name) is None:
                target = model_field.related_model._meta.label_lower
                message = f"required: the natural key of a {target}"
                problems.append(entry.problem(message, field=model_field.name))
        parsed = Parsed(entry, values, references)
        if problems:
            key = self.natural_key(model, parsed, partial=True)
            for problem in problems:
                problem.natural_key = key
            raise FixtureError(problems)
        parsed.natural_key = self.natural_key(model, parsed)
        return parsed

    def short_date_problems(self, entry: Entry, model, values: dict, implied: dict) -> list:
        """A year or month given as "2025" or "2025-06" takes that precision, unless the
        object asks for a finer one."""
        problems = []
        for date_name, precision_name in date_precisions(model).items():
            if date_name not in implied:
                continue
            given = values.get(precision_name)
            if given is None:
                values[precision_name] = implied[date_name]
            elif given in PRECISIONS and finer(given, implied[date_name]):
                raw = entry.data["fields"][date_name]
                message = (
                    f"'{raw}' names a {implied[date_name]}, not a {given}: give a full date "
                    f"or set {precision_name} to '{implied[date_name]}'"
                )
                problems.append(entry.problem(message, field=date_name))
        return problems

    def natural_key(self, model, parsed: Parsed, partial: bool = False) -> tuple | None:
        key = []
        for name in natural_key_fields(model):
            model_field = model._meta.get_field(name)
            if model_field.is_relation:
                part = parsed.references.get(name)
                if part is None:
                    return None if partial else ()
                key.extend(part)
            else:
                value = parsed.values.get(model_field.attname, model_field.get_default())
                key.append(value)
        return tuple(key)

    def resolve(self, model, parsed: list[Parsed]):
        """Give every reference its pk; what names an object not (yet) here waits."""
        wanted: dict[str, set[tuple]] = defaultdict(set)
        relations = {f.name: f for f in model._meta.concrete_fields if f.is_relation}
        for item in parsed:
            for name, key in item.references.items():
                if key is not None:
                    wanted[name].add(key)
        pks = {
            name: self.keys.resolve(relations[name].related_model, keys)
            for name, keys in wanted.items()
        }
        ready, waiting = [], []
        for item in parsed:
            missing = [
                (name, key)
                for name, key in item.references.items()
                if key is not None and key not in pks[name]
            ]
            if missing:
                name, key = missing[0]
                label = relations[name].related_model._meta.label_lower
                message = f"no {label} with natural key {list(key)!r}"
                problem = item.entry.problem(
                    message, natural_key=item.natural_key, field=name, refers_to=(label, key)
                )
                waiting.append((item.entry, problem))
                continue
            for name, key in item.references.items():
                item.values[relations[name].attname] = None if key is None else pks[name][key]
            item.local_key = self.local_key(model, item)
            ready.append(item)
        return ready, waiting

    def unique(self, model, ready: list[Parsed], existing: dict) -> list[Parsed]:
        """Refuse an object given twice: twice in this batch, or matching a row an earlier
        batch created, changed or matched, or repeating an object refused earlier."""
        kept, in_batch, pk = [], set(), model._meta.pk.attname
        for item in ready:
            label = item.entry.label
            row = existing.get(item.local_key)
            if (
                item.local_key in in_batch
                or (row is not None and row[pk] in self.handled[label])
                or (label, item.natural_key) in self.refused
            ):
                message = "appears twice in this import"
                self.problems.append(item.entry.problem(message, natural_key=item.natural_key))
                self.tick()
                continue
            in_batch.add(item.local_key)
            kept.append(item)
        return kept

    def handle(self, label: str, natural_key: tuple, pk: int) -> None:
        self.handled[label].add(pk)
        self.keys.add(label, natural_key, pk)

    def local_key(self, model, item: Parsed) -> tuple:
        return tuple(
            item.values.get(model._meta.get_field(name).attname)
            for name in natural_key_fields(model)
        )

    def existing(self, model, ready: list[Parsed]) -> dict[tuple, dict]:
        columns = [model._meta.get_field(name).attname for name in natural_key_fields(model)]
        wanted = {item.local_key for item in ready}
        return existing_rows(model, columns, wanted) if wanted else {}

    def cited_sources(self, model, ready: list[Parsed]) -> set[str]:
        names = [model._meta.get_field(name).attname for name in narrative_fields(model)]
        wanted = {key for item in ready for n in names for key in cited_keys(item.values.get(n))}
        if not wanted:
            return set()
        found = source_model().objects.filter(key__in=wanted).order_by()
        return set(found.values_list("key", flat=True))

    def set_aside_unchanged(self, model, ready: list[Parsed], existing: dict) -> list[Parsed]:
        """Count the objects whose every field the file gives is stored as it is (nothing to
        check or write) and return the others."""
        different = []
        label, pk = model._meta.label_lower, model._meta.pk.attname
        for item in ready:
            before = existing.get(item.local_key)
            if before is not None and all(
                before[attname] == value for attname, value in item.values.items()
            ):
                self.handle(label, item.natural_key, before[pk])
                self.report.count(label, "unchanged")
            else:
                different.append(item)
        return different

    def compare(self, model, ready: list[Parsed], existing: dict):
        to_create, to_update, changed_fields = [], [], set()
        label, db = model._meta.label_lower, model._default_manager.db
        for item in ready:
            before = existing.get(item.local_key)
            if before is None:
                candidate = new_instance(model, item.values)
            else:
                candidate = model.from_db(db, list(before), list(before.values()))
                item.state_before = before.get("state")
                for attname, value in item.values.items():
                    setattr(candidate, attname, value)
            self.warn_truncation(item, candidate)
            if hasattr(candidate, "normalise"):
                candidate.normalise()
            if before is not None:
                diff = differences(model, before, candidate)
                if not diff:
                    self.handle(label, item.natural_key, candidate.pk)
                    self.report.count(label, "unchanged")
                    continue
            problems = self.validate(item, candidate, before)
            if problems:
                self.problems.extend(problems)
                self.refused.add((label, item.natural_key))
                continue
            if before is None:
                to_create.append((item, candidate))
                self.report.count(label, "created")
                if self.report.wants_details():
                    fields = created_fields(model, candidate, item)
                    self.report.keep(Change(label, item.natural_key, "created", fields))
                else:
                    self.report.changes_not_kept += 1
            else:
                to_update.append((item, candidate))
                changed_fields.update(model._meta.get_field(name).attname for name, _o, _n in diff)
                self.report.count(label, "changed")
                self.report.keep(Change(label, item.natural_key, "changed", diff))
        if model is Event and self.report.dry_run:
            self.flag_duplicates(to_create)
        return to_create, to_update, changed_fields

    def flag_duplicates(self, to_create: list) -> None:
        """A dry run names each new event that probably reports one already kept."""
        found = probable_duplicates([event for _item, event in to_create], self.events_up_to)
        for index, candidates in found.items():
            item, event = to_create[index]
            named = "; ".join(
                f"{[candidate.event.slug]} “{candidate.event.title}” ({candidate.reason})"
                for candidate in candidates
            )
            message = (
                f"probably the same event as {named}: to update that event instead, give this "
                "object its slug"
            )
            self.report.warnings.append(
                item.entry.problem(message, natural_key=item.natural_key, field="slug")
            )

    def warn_truncation(self, item: Parsed, candidate) -> None:
        """A day given with month or year precision is stored as that month or year: say so."""
        for date_name, precision_name in date_precisions(type(candidate)).items():
            value = item.values.get(date_name)
            precision = getattr(candidate, precision_name)
            if value is None or precision not in PRECISIONS:
                continue
            stored = truncate(value, precision)
            if stored != value:
                message = (
                    f"{value.isoformat()} is stored as {iso_date(stored, precision)}: "
                    f"{precision_name} is '{precision}'"
                )
                self.report.warnings.append(
                    item.entry.problem(message, natural_key=item.natural_key, field=date_name)
                )

    def validate(self, item: Parsed, candidate, before: dict | None) -> list[Problem]:
        problems = []
        error = self.rules.errors(candidate)
        if error is not None:
            problems.extend(
                item.entry.problem(message, natural_key=item.natural_key, field=name)
                for name, message in field_messages(type(candidate), error)
            )
        for names, message in check_constraint_errors(candidate):
            problems.append(
                item.entry.problem(message, natural_key=item.natural_key, field=", ".join(names))
            )
        new_state = getattr(candidate, "state", None)
        if not problems and new_state is not None:
            old_state = before.get("state") if before else None
            waits = waits_for_publisher(self.user, type(candidate), old_state, new_state)
            if waits:
                with translation.override("en"):  # an import's messages are in English
                    message = str(WaitsFor(waits).label)
                key = item.natural_key
                self.report.for_review.append(
                    item.entry.problem(message, natural_key=key, field="state")
                )
        return problems

    def write(self, model, to_create, to_update, changed_fields) -> None:
        label, created = model._meta.label_lower, []
        if to_create:
            created = history.bulk_create(model, [candidate for _item, candidate in to_create])
            for (item, _candidate), obj in zip(to_create, created, strict=True):
                self.handle(label, item.natural_key, obj.pk)
            self.announce(model, created)
        if to_update:
            updated = [candidate for _item, candidate in to_update]
            history.bulk_update(model, updated, sorted(changed_fields))
            for item, candidate in to_update:
                self.handle(label, item.natural_key, candidate.pk)
            self.announce(model, updated)
        if issubclass(model, Publishable):
            self.announce_moves(created, to_update)

    def announce(self, model, objects: list) -> None:
        """Tell the caches what changed: purges wait for the commit (a dry run never commits)
        and page-cache bumps are collected until the import ends, so each is sent once."""
        if not self.report.dry_run:
            signals.contents_written(model, objects)

    def announce_moves(self, created: list, to_update) -> None:
        """Entries the import published, unpublished or submitted moved like any other
        (``transitions.announce``): their review threads and the people concerned hear of it."""
        if self.report.dry_run:
            return
        changes = [StateChange(obj, None, obj.state) for obj in created]
        changes += [StateChange(obj, item.state_before, obj.state) for item, obj in to_update]
        transitions.announce(changes, user=self.user)


def created_fields(model, candidate, item: Parsed) -> list[tuple[str, object, object]]:
    """The fields a new object is given (related objects by natural key), empty ones aside."""
    fields = []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        value = getattr(candidate, f.attname)
        if f.is_relation:
            value = list(item.references[f.name]) if item.references.get(f.name) else None
        if value not in (None, ""):
            fields.append((f.name, None, value))
    return fields


def import_fixtures(
    *,
    files: Iterable[tuple[str, object]],
    reason: str | None = None,
    user=None,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
    details: int | None = None,
) -> ImportReport:
    """Import fixtures given as (name, text | bytes | path | binary file) atomically.

    ``user`` is who imports: the history names them and the publishing rules apply to them;
    ``None`` is the system (a management task with every right). Raises FixtureError listing
    every problem; with ``dry_run`` writes nothing and returns what would change. ``progress``
    is called with (objects done, total) as the import goes.
    """
    files = list(files)
    names = ", ".join(sorted({Path(name).name for name, _source in files}))
    if history.reason_problem(reason):
        raise FixtureError([Problem(names, None, history.reason_problem(reason))])
    importer = Importer(user=user, dry_run=dry_run, progress=progress, details=details)
    importer.total = survey(files)
    if progress:
        progress(0, importer.total)
    summary = reason or f"Imported from {names}"[: history.REASON_LENGTH]
    try:
        with bumps_deferred(), history.revision(summary=summary, user=user), transaction.atomic():
            exclusive(LOCK_NAME)
            if dry_run:
                importer.events_up_to = Event.objects.aggregate(last=Max("pk"))["last"]
            for name, source in files:
                for item in read_fixture(name, source):
                    importer.add(item)
            importer.finish()
            if not dry_run:
                importer.problems.extend(needing_approval(importer.report, user))
            if importer.problems:
                raise FixtureError(sorted(importer.problems, key=problem_order))
            if dry_run:
                transaction.set_rollback(True)
    except OperationalError as error:
        if "locked" not in str(error):
            raise
        message = "the database is busy with another import; nothing was imported, try again"
        raise FixtureError([Problem(names, None, message)]) from None
    if not dry_run:
        refresh_statistics(importer.report)
    if progress:
        progress(importer.done, importer.total)
    return importer.report


def needing_approval(report: ImportReport, user) -> list[Problem]:
    """What an import would put before readers without a publisher: refused outside a dry run
    (a submission waits for a publisher instead, ``import_jobs.submit``)."""
    who = user.get_username() if user is not None else ""
    return [
        replace(
            item,
            message=f"{item.message}: {who} may not publish, so the file must be submitted for "
            "review and a publisher imports it",
        )
        for item in report.for_review
    ]


def refresh_statistics(report: ImportReport) -> None:
    """After an import, have PostgreSQL do now what autovacuum would do some time later: vacuum
    and analyse each table the import wrote (its history included) whose rows changed since
    it was last vacuumed by a tenth of the table (autovacuum's own default rule) and at least
    ``ANALYZE_AFTER`` rows. The next import's lookups, and readers' pages, are then planned for
    the tables as they now are, and the first to read the new rows does not pay for marking
    them all visible; a file that adds a few per cent to a large table leaves it for later
    (analysing a million events after each file of 20,000 cost 2 seconds a file).

    The tables' own columns are analysed, not their indexes' expressions: sampling the search
    indexes' texts (character pairs and trigrams of 30,000 events) took 2.3 of the 2.6 seconds
    of analysing the events at a million of them. Their statistics are renewed by autovacuum,
    which still counts the import's rows as not yet analysed."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    written = {}  # table: (model, rows this import created or changed in it)
    for label, counter in report.counts.items():
        model, changed = apps.get_model(label), counter["created"] + counter["changed"]
        if changed:
            written |= {
                table._meta.db_table: (table, changed) for table in (model, model.history.model)
            }
    if not written:
        return
    due = [
        table_and_columns(written[name][0], connection.ops.quote_name)
        for name, changed, rows in changes_since_vacuum(connection, list(written))
        if max(changed, written[name][1]) >= max(ANALYZE_AFTER, ANALYZE_FRACTION * rows)
    ]
    if due:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {', '.join(due)}")


def changes_since_vacuum(connection, tables: list[str]) -> list[tuple[str, int, float]]:
    """Each table's rows changed since it was last vacuumed (rows inserted, and rows updated or
    deleted whose old versions no vacuum has cleared) and its rows then, as PostgreSQL counts
    them. Not its changes since its last analysis: analysing some columns, as an import does,
    leaves that count as it was. This process's own counts are sent to the server first
    (PostgreSQL 15 and later), so they include the import that has just committed."""
    with connection.cursor() as cursor:
        if connection.pg_version >= 150000:
            cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute(
            "SELECT c.relname, COALESCE(s.n_ins_since_vacuum + s.n_dead_tup, 0), "
            "GREATEST(c.reltuples, 0) "
            "FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid "
            "WHERE c.relname = ANY(%s) AND pg_table_is_visible(c.oid)",
            [tables],
        )
        return cursor.fetchall()


def table_and_columns(model, quote) -> str:
    columns = ", ".join(quote(field.column) for field in model._meta.concrete_fields)
    return f"{quote(model._meta.db_table)} ({columns})"

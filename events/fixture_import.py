"""Importing crises as Django fixtures with natural keys, with full history.

``loaddata`` saves raw, so django-simple-history records nothing for what it loads. This import
matches each object by natural key, writes only what changed, validates everything (including
citation keys) and records one history row per created or changed object, with a reason and a
user (the import is one revision). All files go in one transaction: one problem anywhere and
nothing is written.
"""

from __future__ import annotations

import json
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction

from crisis_tracker.history import revision
from crisis_tracker.publication import may_set_state

from .pages import bumps_deferred

# Import order: what others refer to comes first.
IMPORTABLE = [
    "sources.source",
    "actors.actor",
    "events.crisis",
    "actors.participation",
    "events.section",
    "events.event",
    "events.eventactor",
]
PROGRESS_EVERY = 500


@dataclass
class Problem:
    file: str
    index: int | None
    message: str
    label: str = ""
    natural_key: tuple | None = None
    field: str = ""

    def __str__(self) -> str:
        where = [self.file]
        if self.index is not None:
            what = f"object {self.index}"
            if self.label:
                what += f" ({self.label}"
                what += f" {list(self.natural_key)})" if self.natural_key else ")"
            where.append(what)
        if self.field:
            where.append(f"field '{self.field}'")
        return ": ".join(where) + ": " + self.message


class FixtureError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


class MissingReference(Exception):
    """A natural key that may be created later in the same import."""


@dataclass
class Change:
    label: str
    natural_key: tuple
    action: str  # "created" or "changed"
    fields: list[tuple[str, object, object]] = field(default_factory=list)


@dataclass
class ImportReport:
    counts: dict[str, Counter] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)
    dry_run: bool = False

    def count(self, label: str, outcome: str) -> None:
        self.counts.setdefault(label, Counter())[outcome] += 1

    @property
    def total(self) -> int:
        return sum(sum(counter.values()) for counter in self.counts.values())

    def summary_lines(self) -> list[str]:
        lines = []
        for label in IMPORTABLE:
            if label in self.counts:
                c = self.counts[label]
                lines.append(
                    f"{label}: {c['created']} created, {c['changed']} changed, "
                    f"{c['unchanged']} unchanged"
                )
        return lines


@dataclass
class Entry:
    file: str
    index: int
    label: str
    data: dict

    def problem(self, message: str, **kwargs) -> Problem:
        return Problem(self.file, self.index, message, label=self.label, **kwargs)


def read_fixture(name: str, text: str) -> tuple[list[Entry], list[Problem]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        message = f"not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        return [], [Problem(name, None, message)]
    if not isinstance(data, list):
        return [], [Problem(name, None, "a fixture is a JSON list of objects")]
    entries, problems = [], []
    for index, item in enumerate(data):
        if not isinstance(item, dict) or not isinstance(item.get("fields", {}), dict):
            problems.append(Problem(name, index, "each object needs a 'model' and 'fields'"))
            continue
        label = str(item.get("model", "")).lower()
        if label not in IMPORTABLE:
            known = ", ".join(IMPORTABLE)
            problems.append(
                Problem(name, index, f"unknown model '{label}'; expected one of {known}")
            )
            continue
        entries.append(Entry(name, index, label, item))
    return entries, problems


class Importer:
    def __init__(self, *, reason: str | None, user, dry_run: bool, progress: Callable | None):
        self.reason = reason
        self.user = user
        self.report = ImportReport(dry_run=dry_run)
        self.progress = progress
        self.seen: set[tuple[str, tuple]] = set()
        self.referenced: dict[tuple, models.Model] = {}  # natural key lookups already made
        self.done = 0

    def run(self, entries: list[Entry]) -> list[Problem]:
        problems: list[Problem] = []
        queue = deque(sorted(entries, key=lambda entry: IMPORTABLE.index(entry.label)))
        total = len(queue)
        while queue:
            waiting: deque[tuple[Entry, Problem]] = deque()
            for entry in queue:
                try:
                    self.import_entry(entry)
                except MissingReference as missing:
                    waiting.append((entry, missing.args[0]))
                except FixtureError as error:
                    problems.extend(error.problems)
                self.tick(total)
            if len(waiting) == len(queue):
                problems.extend(problem for _entry, problem in waiting)
                break
            queue = deque(entry for entry, _problem in waiting)
        return problems

    def tick(self, total: int) -> None:
        self.done += 1
        if self.progress and (self.done % PROGRESS_EVERY == 0):
            self.progress(self.done, total)

    def import_entry(self, entry: Entry) -> None:
        model = apps.get_model(entry.label)
        values = self.field_values(entry, model)
        candidate = model(**values)
        natural_key = candidate.natural_key()
        if (entry.label, natural_key) in self.seen:
            raise FixtureError(
                [entry.problem("appears twice in this import", natural_key=natural_key)]
            )
        existing = self.find(entry, model, natural_key)
        before = {}
        if existing is not None:
            before = {f.attname: getattr(existing, f.attname) for f in model._meta.concrete_fields}
            for name, value in values.items():
                setattr(existing, name, value)
            candidate = existing
            changed = self.changes(model, candidate, before)
            if not changed:  # identical to a row already validated when it was saved
                self.seen.add((entry.label, natural_key))
                self.report.count(entry.label, "unchanged")
                return
        self.validate(entry, candidate, natural_key)
        self.check_publishing(entry, candidate, before.get("state"), natural_key)
        self.seen.add((entry.label, natural_key))
        if existing is None:
            self.save(candidate, entry)
            self.report.count(entry.label, "created")
            self.report.changes.append(Change(entry.label, natural_key, "created"))
            return
        self.save(candidate, entry)
        self.report.count(entry.label, "changed")
        self.report.changes.append(Change(entry.label, natural_key, "changed", changed))

    def changes(self, model, candidate, before: dict) -> list[tuple[str, object, object]]:
        if hasattr(candidate, "normalise"):
            candidate.normalise()
        return [
            (f.name, before[f.attname], getattr(candidate, f.attname))
            for f in model._meta.concrete_fields
            if getattr(candidate, f.attname) != before[f.attname]
        ]

    def validate(self, entry: Entry, candidate, natural_key) -> None:
        try:
            candidate.full_clean()
        except ValidationError as error:
            raise FixtureError(
                [
                    entry.problem(message, natural_key=natural_key, field=name)
                    for name, messages in error.message_dict.items()
                    for message in messages
                ]
            ) from None
        if hasattr(candidate, "normalise"):
            candidate.normalise()

    def check_publishing(self, entry: Entry, candidate, old_state, natural_key) -> None:
        """Publishing or unpublishing through an import needs the publish permission."""
        new_state = getattr(candidate, "state", None)
        if new_state is None:
            return
        if not may_set_state(self.user, type(candidate), old_state, new_state):
            raise FixtureError(
                [
                    entry.problem(
                        f"{self.user.get_username()} may not publish or unpublish",
                        natural_key=natural_key,
                        field="state",
                    )
                ]
            )

    def save(self, instance: models.Model, entry: Entry) -> None:
        instance.save()  # the import's revision gives the history row its reason and user

    def find(self, entry: Entry, model, natural_key: tuple):
        pk = entry.data.get("pk")
        manager = model._default_manager
        try:
            if pk is not None:
                return manager.get(pk=pk)
            return manager.get_by_natural_key(*natural_key)
        except model.DoesNotExist:
            return None
        except (ValueError, TypeError, ValidationError):
            raise FixtureError([entry.problem(f"bad primary key {pk!r}")]) from None

    def field_values(self, entry: Entry, model) -> dict:
        values, problems = {}, []
        for name, raw in entry.data.get("fields", {}).items():
            try:
                model_field = model._meta.get_field(name)
            except FieldDoesNotExist:
                problems.append(entry.problem(f"unknown field for {entry.label}", field=name))
                continue
            if not model_field.concrete or model_field.primary_key or model_field.many_to_many:
                problems.append(entry.problem("this field cannot be imported", field=name))
                continue
            try:
                if model_field.is_relation:
                    values[model_field.name] = self.related(entry, model_field, raw)
                else:
                    values[model_field.attname] = model_field.to_python(raw)
            except ValidationError as error:
                problems.extend(entry.problem(m, field=name) for m in error.messages)
        if problems:
            raise FixtureError(problems)
        return values

    def related(self, entry: Entry, model_field, raw):
        if raw is None:
            return None
        target = model_field.related_model
        manager = target._default_manager
        memo = (target._meta.label_lower, tuple(raw) if isinstance(raw, list) else raw)
        if memo in self.referenced:
            return self.referenced[memo]
        try:
            found = (
                manager.get_by_natural_key(*raw) if isinstance(raw, list) else manager.get(pk=raw)
            )
            self.referenced[memo] = found
            return found
        except target.DoesNotExist:
            label = target._meta.label_lower
            raise MissingReference(
                entry.problem(f"no {label} with natural key {raw!r}", field=model_field.name)
            ) from None
        except (TypeError, ValueError, ValidationError):
            raise ValidationError(
                f"{raw!r} is not a natural key of {target._meta.label_lower}"
            ) from None


def import_fixtures(
    *,
    files: Iterable[tuple[str, str]],
    reason: str | None = None,
    user=None,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import (name, text) fixtures atomically; raise FixtureError listing every problem."""
    entries, problems = [], []
    for name, text in files:
        found, bad = read_fixture(name, text)
        entries.extend(found)
        problems.extend(bad)
    if problems:
        raise FixtureError(problems)
    importer = Importer(reason=reason, user=user, dry_run=dry_run, progress=progress)
    names = ", ".join(sorted({Path(entry.file).name for entry in entries}))
    summary = reason or f"Imported from {names}"
    with bumps_deferred(), revision(summary=summary, user=user), transaction.atomic():
        problems = importer.run(entries)
        if problems:
            raise FixtureError(problems)
        if dry_run:
            transaction.set_rollback(True)
    return importer.report

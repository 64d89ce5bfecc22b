"""Fields as a fixture gives them: which an import may set, how a reference is read, how values
are checked (``FieldRules``) and compared with the row they would change."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterator

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models

from crisis_tracker.publication import SCHEDULE_FIELDS

VALID_KEPT = 1000  # values remembered as valid per field (see FieldRules)


@functools.cache
def importable_fields(model) -> dict[str, models.Field]:
    """The fields a fixture may give, by name."""
    return {
        f.name: f
        for f in model._meta.concrete_fields
        if not f.primary_key and not f.many_to_many and f.name not in SCHEDULE_FIELDS
    }


@functools.cache
def required_relations(model) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if f.is_relation and not f.null]


def field_refusal(model, name: str) -> str:
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return f"unknown field for {model._meta.label_lower}"
    return "this field cannot be imported"


def reference(model_field, raw) -> tuple | None:
    """A natural key given for a relation, as a tuple (None: no related object)."""
    if raw is None:
        return None
    if type(raw) is list and raw and all(type(part) in (str, int) for part in raw):
        return tuple(raw)
    if isinstance(raw, str):
        return (raw,)
    target = model_field.related_model._meta.label_lower
    raise ValidationError(
        '%(raw)r is not a natural key of %(target)s (a list like ["slug"])',
        params={"raw": raw, "target": target},
    )


class FieldRules:
    """``full_clean`` for values already converted by ``parse``: each field's rules and the
    model's ``clean()``. Related rows were resolved by natural key, uniqueness is the natural
    key, and check constraints are evaluated apart, so none of them costs a query here.

    A field's rules depend on its value alone, and an import repeats values (kinds, dates,
    places): the first ``VALID_KEPT`` short values a field accepts are remembered as valid."""

    MEMO_TYPES = frozenset({int, float, datetime.date, str})

    def __init__(self):
        self.fields: dict[type, list[tuple[models.Field, set]]] = {}

    def errors(self, candidate) -> ValidationError | None:
        errors: dict = {}
        for f, known in self.checked(type(candidate)):
            value = getattr(candidate, f.attname)
            if f.blank and value in f.empty_values:
                continue
            kind = type(value)
            memorable = kind in self.MEMO_TYPES and (kind is not str or len(value) <= 64)
            if memorable and value in known:
                continue
            try:
                f.validate(value, candidate)
                f.run_validators(value)
            except ValidationError as error:
                errors[f.name] = error.error_list
                continue
            if memorable and len(known) < VALID_KEPT:
                known.add(value)
        try:
            candidate.clean()
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        return ValidationError(errors) if errors else None

    def checked(self, model) -> list[tuple[models.Field, set]]:
        """The fields whose rules run here, each with the values it was seen to accept."""
        if model not in self.fields:
            self.fields[model] = [
                (f, set())
                for f in model._meta.concrete_fields
                if not f.is_relation and not f.primary_key
            ]
        return self.fields[model]


def new_instance(model, values: dict):
    """``model(**values)``, in half the time: every field's value in order, defaults for the
    fields the file leaves out."""
    fields = construction(model)
    return model(*[values[name] if name in values else default() for name, default in fields])


@functools.cache
def construction(model) -> list[tuple[str, Callable]]:
    return [(f.attname, f.get_default) for f in model._meta.concrete_fields]


def field_messages(model, error: ValidationError) -> Iterator[tuple[str, str]]:
    """(field, message) for each error, a refused choice with the codes that are allowed."""
    for name, errors in error.error_dict.items():
        for found in errors:
            message = " ".join(found.messages)
            if found.code == "invalid_choice":
                codes = ", ".join(
                    str(value) for value, _label in model._meta.get_field(name).flatchoices
                )
                message = f"{message} Valid codes: {codes}."
            yield name, message


def differences(model, before: dict, candidate) -> list[tuple[str, object, object]]:
    return [
        (f.name, before[f.attname], getattr(candidate, f.attname))
        for f in model._meta.concrete_fields
        if getattr(candidate, f.attname) != before[f.attname]
    ]

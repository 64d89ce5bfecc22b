"""Model rules checked for many rows at once: natural keys and check constraints.

``full_clean`` checks each unique and check constraint with a query per row. A bulk writer
(the fixture import) checks uniqueness through natural keys, which are the models' unique
constraints (``natural_key_fields``), and evaluates check constraints in Python with SQL's
three-valued logic (``satisfies``); a condition it cannot evaluate falls back to the query.
"""

from __future__ import annotations

import functools
import operator
import re

from django.core.exceptions import ValidationError
from django.db import models

COMPARISONS = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


class Unsupported(Exception):
    """A condition this module cannot evaluate in Python."""


@functools.cache
def natural_key_fields(model) -> tuple[str, ...]:
    """The fields whose values (a related row by its own natural key) identify a row: the
    model's one unique constraint, or its one unique field besides the primary key."""
    together = [c for c in model._meta.constraints if isinstance(c, models.UniqueConstraint)]
    if len(together) == 1 and together[0].condition is None:
        return tuple(together[0].fields)
    unique = [f.name for f in model._meta.concrete_fields if f.unique and not f.primary_key]
    if not together and len(unique) == 1:
        return (unique[0],)
    raise ValueError(f"{model._meta.label} has no single natural key")


def natural_key_length(model) -> int:
    """How many values the flattened natural key of ``model`` has."""
    length = 0
    for name in natural_key_fields(model):
        field = model._meta.get_field(name)
        length += natural_key_length(field.related_model) if field.is_relation else 1
    return length


def check_constraint_errors(instance) -> list[tuple[list[str], str]]:
    """The check constraints ``instance`` breaks: (the fields they name, the message)."""
    errors = []
    for constraint in instance._meta.constraints:
        if not isinstance(constraint, models.CheckConstraint):
            continue
        try:
            broken = satisfies(constraint.condition, instance) is False
        except Unsupported:
            try:
                constraint.validate(type(instance), instance)
                broken = False
            except ValidationError:
                broken = True
        if broken:
            message = str(constraint.get_violation_error_message())
            errors.append((condition_fields(constraint.condition), message))
    return errors


def condition_fields(condition: models.Q) -> list[str]:
    """The fields a condition compares, in the order it names them (the pk left out)."""
    names: list[str] = []
    for child in condition.children:
        if isinstance(child, models.Q):
            found = condition_fields(child)
        else:
            path, value = child
            found = [path.partition("__")[0]]
            if isinstance(value, models.F):
                found.append(value.name)
        names.extend(name for name in found if name != "pk" and name not in names)
    return names


def satisfies(condition: models.Q, instance) -> bool | None:
    """True, False or None (unknown: a NULL was compared, which a CHECK lets pass)."""
    results = [
        satisfies(child, instance) if isinstance(child, models.Q) else lookup(child, instance)
        for child in condition.children
    ]
    if condition.connector == models.Q.AND:
        result = False if False in results else (None if None in results else True)
    else:
        result = True if True in results else (None if None in results else False)
    if condition.negated:
        return None if result is None else not result
    return result


def lookup(child: tuple, instance) -> bool | None:
    path, expected = child
    name, _, kind = path.partition("__")
    kind = kind or "exact"
    value = value_of(instance, name)
    if isinstance(expected, models.F):
        expected = value_of(instance, expected.name)
    elif hasattr(expected, "resolve_expression"):
        raise Unsupported(path)
    if kind == "isnull":
        return (value is None) == bool(expected)
    if value is None or expected is None:
        return None
    if kind == "regex":
        return re.search(expected, str(value)) is not None
    if kind == "in":
        return value in expected
    if kind in COMPARISONS:
        return COMPARISONS[kind](value, expected)
    raise Unsupported(path)


def value_of(instance, name: str):
    if name == "pk":
        return instance.pk
    field = instance._meta.get_field(name)
    if "__" in name or field.many_to_many:
        raise Unsupported(name)
    return getattr(instance, field.attname)

"""Natural keys: primary keys looked up many at a time, and kept for the objects others refer to
while an import runs (a bounded cache)."""

from __future__ import annotations

import functools
from collections import defaultdict

from django.apps import apps

from crisis_tracker.constraints import natural_key_fields, natural_key_length
from events.registry import CONTENT_MODELS

KEYS_KEPT = 50_000  # natural keys cached per model (see KeyIndex)


@functools.cache
def referred_to() -> set[str]:
    """The labels of the importable models that others refer to."""
    return {
        f.related_model._meta.label_lower
        for label in CONTENT_MODELS
        for f in apps.get_model(label)._meta.concrete_fields
        if f.is_relation
    }


class KeyIndex:
    """Primary keys by natural key of the objects others may refer to, as this import resolved,
    matched or created them: a cache of at most ``limit`` keys per model, emptied when full
    (what is not in it is looked up again), so a large import's memory does not grow with it."""

    def __init__(self, limit: int | None = None):
        self.pks: dict[str, dict[tuple, int]] = defaultdict(dict)
        self.limit = limit or KEYS_KEPT

    def add(self, label: str, natural_key: tuple, pk: int) -> None:
        if label not in referred_to():
            return
        known = self.pks[label]
        if len(known) >= self.limit:
            known.clear()
        known[natural_key] = pk

    def resolve(self, model, wanted: set[tuple]) -> dict[tuple, int]:
        """The pks of ``wanted`` natural keys that exist, looking up the unknown ones at once."""
        label = model._meta.label_lower
        known = self.pks[label]
        found = {key: known[key] for key in wanted if key in known}
        unknown = {key for key in wanted if key not in known}
        if unknown:
            for key, pk in self.lookup(model, unknown).items():
                found[key] = pk
                self.add(label, key, pk)
        return found

    def lookup(self, model, keys: set[tuple]) -> dict[tuple, int]:
        """One query (plus one per related model in the key) for many natural keys."""
        names = natural_key_fields(model)
        columns, parts = [], []
        offset = 0
        for name in names:
            model_field = model._meta.get_field(name)
            if model_field.is_relation:
                width = natural_key_length(model_field.related_model)
                sub = {key[offset : offset + width] for key in keys}
                parts.append((offset, width, self.resolve(model_field.related_model, sub)))
                offset += width
            else:
                parts.append((offset, 1, None))
                offset += 1
            columns.append(model_field.attname)
        local = {}
        for key in keys:
            values = []
            for start, width, pks in parts:
                piece = key[start : start + width]
                if pks is None:
                    values.append(piece[0])
                elif piece in pks:
                    values.append(pks[piece])
                else:
                    break
            else:
                local[tuple(values)] = key
        if not local:
            return {}
        found = existing_rows(model, columns, set(local), values_only=True)
        return {local[row]: pk for row, pk in found.items()}


def existing_rows(model, columns: list[str], wanted: set[tuple], values_only: bool = False):
    """Rows whose ``columns`` match one of ``wanted``: one query, filtered column by column
    and matched exactly here. Returns {values: pk} or {values: {attname: value}} (no model
    instance is built: most rows of a re-import are only compared)."""
    filters = {f"{column}__in": {row[i] for row in wanted} for i, column in enumerate(columns)}
    query = model._default_manager.filter(**filters).order_by()  # no joins for the ordering
    if values_only:
        found = {tuple(row[:-1]): row[-1] for row in query.values_list(*columns, "pk")}
    else:
        attnames = [f.attname for f in model._meta.concrete_fields]
        found = {tuple(row[c] for c in columns): row for row in query.values(*attnames)}
    return {values: found[values] for values in wanted if values in found}

"""Which fields are narrative text: the one registry every consumer reads.

A narrative field holds CommonMark with ``[@key]`` citations (see ``citations``). Declaring a
model field as ``NarrativeField`` is all it takes for the field to be

- validated: every key it cites must name a source (``NarrativeField.validate``);
- indexed: "where is this source cited" and "which crises cite it" look in it;
- snapshotted and exported: the sources a crisis needs are the ones its narrative texts cite;
- edited with the citation helper in the admin.

Models with narrative fields say which crisis a row belongs to in ``crisis_field`` (``"pk"``
for the crisis itself), so the indexes can report crises without knowing the models.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalChanges

from .citations import citation_errors, cited_keys, may_cite


class NarrativeField(models.TextField):
    def validate(self, value, model_instance) -> None:
        super().validate(value, model_instance)
        errors = citation_errors(value)
        if errors:
            raise ValidationError(errors)


class RemembersCrisis:
    """For models whose rows belong to a crisis through ``crisis``: a row loaded from the
    database remembers that crisis (``loaded_crisis_id``), so what a move changes is known for
    both crises (the old one's pages must drop the row)."""

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance.loaded_crisis_id = instance.__dict__.get("crisis_id")
        return instance


def crises_touched(instance) -> set[int]:
    """The crisis a row belongs to now and, if it moved since it was loaded, the one before."""
    found = {instance.crisis_id, getattr(instance, "loaded_crisis_id", None)}
    return {pk for pk in found if pk is not None}


def narrative_fields(model) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if isinstance(f, NarrativeField)]


def narrative_models() -> list[type[models.Model]]:
    """Every content model with narrative fields (history tables left out)."""
    return [
        model
        for model in apps.get_models()
        if narrative_fields(model) and not issubclass(model, HistoricalChanges)
    ]


def crisis_of(obj):
    """The crisis a row belongs to (the row itself for a crisis), by its ``crisis_field``."""
    return obj if obj.crisis_field == "pk" else getattr(obj, obj.crisis_field)


def texts_of(obj) -> list[str]:
    return [getattr(obj, name) for name in narrative_fields(type(obj))]


def keys_cited_by(objects: Iterable) -> set[str]:
    return {key for obj in objects for text in texts_of(obj) for key in cited_keys(text)}


def citing(model, key: str) -> models.QuerySet:
    """Rows of ``model`` whose narrative text may cite ``key`` (confirm with ``cites``)."""
    condition = models.Q()
    for name in narrative_fields(model):
        condition |= models.Q(**{f"{name}__contains": f"@{key}"})
    return model._default_manager.filter(condition)


def cites(obj, key: str) -> bool:
    return any(key in cited_keys(text) for text in texts_of(obj))


def keys_cited_in_crisis(crisis_id: int) -> set[str]:
    """The keys every narrative text of a crisis cites, in any state (a query per model)."""
    found: set[str] = set()
    for model in narrative_models():
        names = narrative_fields(model)
        condition = models.Q()
        for name in names:
            condition |= may_cite(name)
        rows = model._default_manager.filter(condition, **{model.crisis_field: crisis_id})
        for texts in rows.order_by().values_list(*names).iterator(2000):
            for text in texts:
                found.update(cited_keys(text))
    return found


def crises_citing(keys: set[str]) -> dict[str, set[int]]:
    """For each source key, the crises whose narrative text cites it (a query per model)."""
    found: dict[str, set[int]] = {}
    for model in narrative_models():
        names = narrative_fields(model)
        rows = model._default_manager.all()
        condition = models.Q()
        if len(keys) <= 20:  # a few keys: let the database find the texts that name them
            for key in keys:
                for name in names:
                    condition |= models.Q(**{f"{name}__contains": f"@{key}"})
        else:
            for name in names:
                condition |= may_cite(name)
        for crisis_id, *texts in rows.filter(condition).values_list(model.crisis_field, *names):
            for text in texts:
                for key in keys.intersection(cited_keys(text)):
                    found.setdefault(key, set()).add(crisis_id)
    return found

"""Exporting a crisis as a Django fixture with natural keys, which ``import_fixtures`` reads
back with no change."""

from __future__ import annotations

from django.core import serializers
from django.db import models

from actors.models import Actor
from crisis_tracker.narrative import keys_cited_by
from crisis_tracker.publication import SCHEDULE_FIELDS
from events.models import Crisis, EventActor, Translation
from places.models import Place
from sources.models import Source


def crisis_objects(crisis) -> list[models.Model]:
    """Everything one crisis needs, in import order, each group in the order it was created
    (which is how pages order rows that tie), so a restore reads exactly the same."""
    sections = list(crisis.sections.order_by("pk"))
    events = list(crisis.events.order_by("pk"))
    participations = list(crisis.participations.order_by("pk"))
    assessments = list(crisis.assessments.order_by("pk"))
    editions = list(crisis.editions.order_by("pk"))
    translations = list(
        Translation.objects.filter(edition__crisis=crisis)
        .select_related("edition__crisis")
        .order_by("pk")
    )
    event_actors = list(
        EventActor.objects.filter(event__crisis=crisis)
        .select_related("event__crisis", "actor")
        .order_by("pk")
    )
    keys = keys_cited_by([crisis, *assessments, *participations, *sections, *events])
    sources = list(Source.objects.filter(key__in=keys).order_by("pk"))
    actor_ids = {p.actor_id for p in participations} | {link.actor_id for link in event_actors}
    actors = with_affiliations(Actor.objects.filter(pk__in=actor_ids))
    places = list(
        Place.objects.filter(
            pk__in={event.location_id for event in events} | {crisis.map_place_id}
        ).order_by("pk")
    )
    return [*sources, *actors, *places, crisis, *assessments, *participations, *sections, *events,
            *event_actors, *editions, *translations]  # fmt: skip


def everything() -> list[models.Model]:
    """Every crisis with all it needs, and the actors, sources and places no crisis uses yet."""
    crises = [crisis_objects(crisis) for crisis in Crisis.objects.order_by("pk")]
    sources = Source.objects.order_by("pk")
    actors = with_affiliations(Actor.objects.all())
    places = Place.objects.order_by("pk")
    shared = Source | Actor | Place
    rest = [obj for found in crises for obj in found if not isinstance(obj, shared)]
    return [*sources, *actors, *places, *rest]


def with_affiliations(actors) -> list:
    """The actors and everything they are affiliated with, each after its affiliation."""
    found = {actor.pk: actor for actor in actors}
    missing = {actor.affiliation_id for actor in found.values()} - set(found) - {None}
    while missing:
        fetched = {actor.pk: actor for actor in Actor.objects.filter(pk__in=missing)}
        if not fetched:
            break
        found.update(fetched)
        missing = {actor.affiliation_id for actor in fetched.values()} - set(found) - {None}
    ordered, placed = [], set()

    def place(actor) -> None:
        if actor.pk in placed:
            return
        placed.add(actor.pk)
        if actor.affiliation_id in found:
            place(found[actor.affiliation_id])
        ordered.append(actor)

    for actor in sorted(found.values(), key=lambda actor: actor.pk):
        place(actor)
    return ordered


def export_crisis(crisis) -> str:
    return serialize(crisis_objects(crisis))


def serialize(objects: list[models.Model]) -> str:
    return serializers.serialize(
        "json",
        objects,
        indent=2,
        use_natural_foreign_keys=True,
        use_natural_primary_keys=True,
        fields=content_fields({type(obj) for obj in objects}),
    )


def content_fields(models_used) -> list[str]:
    """Every field of these models but the schedule (desk state, not content)."""
    return sorted(
        {
            field.name
            for model in models_used
            for field in [*model._meta.concrete_fields, *model._meta.many_to_many]
            if field.name not in SCHEDULE_FIELDS
        }
    )

"""Exporting a crisis as a Django fixture with natural keys, which ``import_fixtures`` reads
back with no change."""

from __future__ import annotations

from django.core import serializers
from django.db import models

from actors.models import Actor
from crisis_tracker.narrative import keys_cited_by
from sources.models import Source

from .models import EventActor


def crisis_objects(crisis) -> list[models.Model]:
    """Everything one crisis needs, in import order, each group in a stable order."""
    sections = list(crisis.sections.order_by("order", "key"))
    events = list(crisis.events.order_by("date", "slug"))
    participations = list(crisis.participations.select_related("actor").order_by("order", "pk"))
    event_actors = list(
        EventActor.objects.filter(event__crisis=crisis)
        .select_related("event", "actor")
        .order_by("event__date", "event__slug", "actor__slug", "role")
    )
    keys = keys_cited_by([crisis, *participations, *sections, *events])
    sources = list(Source.objects.filter(key__in=keys).order_by("key"))
    actor_ids = {p.actor_id for p in participations} | {link.actor_id for link in event_actors}
    actors = with_affiliations(Actor.objects.filter(pk__in=actor_ids))
    return [*sources, *actors, crisis, *participations, *sections, *events, *event_actors]


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

    for actor in sorted(found.values(), key=lambda actor: actor.slug):
        place(actor)
    return ordered


def export_crisis(crisis) -> str:
    return serializers.serialize(
        "json",
        crisis_objects(crisis),
        indent=2,
        use_natural_foreign_keys=True,
        use_natural_primary_keys=True,
    )

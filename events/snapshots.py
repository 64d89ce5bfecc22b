"""A crisis's content at one moment: now, from the live tables, or as it stood after a revision,
from the history tables. The article renderer and the compare view read either the same way."""

from __future__ import annotations

from dataclasses import dataclass, field

from actors.models import Actor, Participation
from crisis_tracker.citations import cited_keys
from crisis_tracker.narrative import texts_of
from sources.models import Source

from .models import Crisis, Event, Section


@dataclass
class Snapshot:
    crisis: Crisis
    sections: list[Section]
    participations: list[Participation]
    sources: dict[str, Source] = field(default_factory=dict)
    reading: object = None  # the edition laid over it (``events.editions.Reading``), if any

    def texts(self) -> list[str]:
        parts = [self.crisis, *self.participations, *self.sections]
        return [text for part in parts for text in texts_of(part)]


def cited_in(texts) -> set[str]:
    return {key for text in texts for key in cited_keys(text)}


def cited_in_order(texts) -> list[str]:
    """The keys ``texts`` cite, in order of first citation."""
    return list(dict.fromkeys(key for text in texts for key in cited_keys(text)))


def sources_cited_in(texts) -> dict[str, Source]:
    keys = cited_in(texts)
    return Source.objects.with_archive().in_bulk(keys, field_name="key") if keys else {}


def current(slug: str) -> Snapshot | None:
    crisis = Crisis.objects.filter(slug=slug).first()
    if crisis is None:
        return None
    snapshot = Snapshot(
        crisis,
        list(crisis.sections.all()),
        list(crisis.participations.select_related("actor")),
    )
    snapshot.sources = sources_cited_in(snapshot.texts())
    return snapshot


def as_of(model, moment, **filters) -> list:
    """Instances of ``model`` as they stood at ``moment`` (deleted ones left out)."""
    rows = model.history.filter(history_date__lte=moment, **filters).latest_of_each()
    return [row.instance for row in rows if row.history_type != "-"]


def at(crisis_id: int, moment) -> Snapshot | None:
    crises = as_of(Crisis, moment, id=crisis_id)
    if not crises:
        return None
    sections = sorted(as_of(Section, moment, crisis_id=crisis_id), key=lambda s: (s.order, s.pk))
    participations = sorted(
        as_of(Participation, moment, crisis_id=crisis_id), key=lambda p: (p.order, p.pk)
    )
    actors = {a.pk: a for a in as_of(Actor, moment, id__in={p.actor_id for p in participations})}
    participations = [p for p in participations if p.actor_id in actors]
    for participation in participations:
        participation.actor = actors[participation.actor_id]
    snapshot = Snapshot(crises[0], sections, participations)
    snapshot.sources = cited_sources_at(snapshot.texts(), moment)
    return snapshot


def published_events_at(crisis_id: int, moment) -> dict[int, Event]:
    events = as_of(Event, moment, crisis_id=crisis_id)
    return {e.pk: e for e in events if e.is_published}


def cited_sources_at(texts, moment) -> dict[str, Source]:
    keys = cited_in(texts)
    return {s.key: s for s in as_of(Source, moment, key__in=keys)} if keys else {}

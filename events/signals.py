"""Keep cached public pages in step with content, whatever path wrote it (admin, import,
revert, command): the page cache and the shared HTTP caches in front (by surrogate key, after
the commit) listen for saves, deletions and recorded revisions."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from actors.models import Actor, Participation
from crisis_tracker import surrogate_keys as keys_of
from crisis_tracker.http_cache import purge
from crisis_tracker.narrative import crises_touched, narrative_fields
from places.models import Place
from sources.captures import archive_changed
from sources.models import Source

from .models import Assessment, Crisis, Edition, Event, EventActor, Section, Translation
from .page_cache import bump_all, bump_crisis, bump_crisis_ids, bump_event_id
from .revisions import revision_recorded


def text_keys(instance) -> list[str]:
    """Source pages list every text citing them: any change to narrative text refreshes them."""
    return [keys_of.CITATIONS] if narrative_fields(type(instance)) else []


@receiver([post_save, post_delete], sender=Crisis)
def crisis_changed(sender, instance: Crisis, **kwargs) -> None:
    purge([keys_of.crisis(instance.pk), keys_of.CRISES, *text_keys(instance)])
    bump_crisis(instance.slug)
    loaded_slug = getattr(instance, "_loaded_slug", None)
    if loaded_slug and loaded_slug != instance.slug:
        bump_crisis(loaded_slug)


@receiver([post_save, post_delete], sender=Section)
@receiver([post_save, post_delete], sender=Edition)
@receiver([post_save, post_delete], sender=Event)
@receiver([post_save, post_delete], sender=Participation)
def part_changed(sender, instance, **kwargs) -> None:
    crises = crises_touched(instance)  # a moved row leaves its old crisis's pages too
    keys = [*map(keys_of.crisis, crises), *text_keys(instance)]
    if sender is Event:
        keys.append(keys_of.event(instance.pk))
    if sender is Participation:
        keys.append(keys_of.actor(instance.actor_id))
    purge(keys)
    bump_crisis_ids(crises)
    instance.loaded_crisis_id = instance.crisis_id  # a later save of it moves from here


@receiver([post_save, post_delete], sender=Assessment)
def assessment_changed(sender, instance: Assessment, **kwargs) -> None:
    """An assessment shows under its article, on its crisis's assessments and on the tracker."""
    purge([keys_of.ASSESSMENTS])
    part_changed(sender, instance)


@receiver([post_save, post_delete], sender=Translation)
def translation_changed(sender, instance: Translation, **kwargs) -> None:
    """A translation shows on its edition's pages: the crisis's pages in that language."""
    translations_changed({instance.edition_id})


def translations_changed(edition_ids: set[int]) -> None:
    editions = Edition.objects.filter(pk__in=edition_ids).order_by()
    crisis_ids = set(editions.values_list("crisis_id", flat=True))
    purge([*map(keys_of.crisis, crisis_ids)])
    bump_crisis_ids(crisis_ids)


@receiver([post_save, post_delete], sender=EventActor)
def event_actor_changed(sender, instance: EventActor, **kwargs) -> None:
    purge([keys_of.event(instance.event_id), keys_of.actor(instance.actor_id)])
    bump_event_id(instance.event_id)


@receiver([post_save, post_delete], sender=Source)
@receiver([post_save, post_delete], sender=Actor)
@receiver([post_save, post_delete], sender=Place)
def shared_record_changed(sender, instance, **kwargs) -> None:
    # Sources, actors and places appear on every crisis that cites, involves or maps them.
    purge([SHARED_KEYS[sender](instance)])
    bump_all()


SHARED_KEYS = {
    Source: lambda source: keys_of.source(source.key),
    Actor: lambda actor: keys_of.actor(actor.pk),
    Place: lambda place: keys_of.place(place.pk),
}

HANDLERS = {
    Crisis: crisis_changed,
    Assessment: assessment_changed,
    Section: part_changed,
    Event: part_changed,
    Participation: part_changed,
    EventActor: event_actor_changed,
    Edition: part_changed,
    Translation: translation_changed,
    Source: shared_record_changed,
    Actor: shared_record_changed,
    Place: shared_record_changed,
}


def contents_written(model, objects: list) -> None:
    """What saves would have announced, for rows written in bulk (no save signals); the
    translations of one batch are one query, not one each."""
    if model is Translation:
        translations_changed({translation.edition_id for translation in objects})
        return
    for instance in objects:
        HANDLERS[model](sender=model, instance=instance)


@receiver(revision_recorded)
def revision_changed(sender, revision, crisis_ids, **kwargs) -> None:
    # Pages show the latest revision (last updated, corrections): render them afresh.
    purge([keys_of.crisis(crisis_id) for crisis_id in crisis_ids])
    bump_crisis_ids(crisis_ids)


@receiver(archive_changed)
def source_archive_changed(sender, source: Source, **kwargs) -> None:
    """A capture or a link's state changes what every reference to the source shows."""
    shared_record_changed(Source, source)

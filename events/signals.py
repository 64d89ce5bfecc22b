"""Keep cached public pages in step with content, whatever path wrote it (admin, import,
revert, command): the page cache listens for saves, deletions and recorded revisions."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from actors.models import Actor, Participation
from sources.models import Source

from .models import Crisis, Event, EventActor, Section
from .pages import bump_all, bump_crisis, bump_crisis_id, bump_crisis_ids, bump_event_id
from .revisions import revision_recorded


@receiver([post_save, post_delete], sender=Crisis)
def crisis_changed(sender, instance: Crisis, **kwargs) -> None:
    bump_crisis(instance.slug)
    loaded_slug = getattr(instance, "_loaded_slug", None)
    if loaded_slug and loaded_slug != instance.slug:
        bump_crisis(loaded_slug)


@receiver([post_save, post_delete], sender=Section)
@receiver([post_save, post_delete], sender=Event)
@receiver([post_save, post_delete], sender=Participation)
def part_changed(sender, instance, **kwargs) -> None:
    bump_crisis_id(instance.crisis_id)


@receiver([post_save, post_delete], sender=EventActor)
def event_actor_changed(sender, instance: EventActor, **kwargs) -> None:
    bump_event_id(instance.event_id)


@receiver([post_save, post_delete], sender=Source)
@receiver([post_save, post_delete], sender=Actor)
def shared_record_changed(sender, instance, **kwargs) -> None:
    # Sources and actors appear on every crisis that cites or involves them.
    bump_all()


@receiver(revision_recorded)
def revision_changed(sender, revision, crisis_ids, **kwargs) -> None:
    # Pages show the latest revision (last updated, corrections): render them afresh.
    bump_crisis_ids(crisis_ids)

"""Scheduled publishing: an entry whose ``publish_at`` has come goes live, one whose
``unpublish_at`` has come goes back to draft, each as one edit in the name of the publisher who
scheduled it and under the same rules as if they had done it then (``events.review``). Run every
minute by ``manage.py publish_scheduled --every 60`` (``make run`` starts it) or by cron."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from crisis_tracker.history import revision
from crisis_tracker.publication import PublicationState, may_set_state

from . import review

log = logging.getLogger(__name__)
DRAFT, REVIEW, PUBLISHED = PublicationState.values


def stamp(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z")


def go_live(entry) -> bool:
    note = f"Published as scheduled for {stamp(entry.publish_at)}"
    try:
        review.take_step(
            entry, entry.scheduled_by, review.Step.PUBLISHED, note, also={"publish_at": None}
        )
    except PermissionDenied:
        return False
    return True


def take_down(entry) -> bool:
    model, user = type(entry), entry.scheduled_by
    if user is None or not may_set_state(user, model, PUBLISHED, DRAFT):
        return False
    summary = f"Unpublished as scheduled for {stamp(entry.unpublish_at)}"
    with transaction.atomic(), revision(summary=summary, user=user):
        entry.state, entry.unpublish_at = DRAFT, None
        entry.save()
    return True


def drop_schedule(entry, name: str, why: str) -> None:
    """A schedule that cannot or need not be carried out is dropped, with a history row."""
    log.warning("Dropped the schedule of %s: %s", entry, why)
    with revision(summary=f"Schedule dropped: {why}"):
        setattr(entry, name, None)
        entry.save()


def due(model, field: str, now) -> list[int]:
    return list(
        model.objects.filter(**{f"{field}__lte": now})
        .order_by(field, "pk")
        .values_list("pk", flat=True)
    )


def locked(model, pk: int, field: str, now):
    """The entry, locked until the transaction ends, if its schedule is still due (another
    runner may have carried it out meanwhile)."""
    rows = model.objects.select_for_update().select_related("scheduled_by")
    return rows.filter(pk=pk, **{f"{field}__lte": now}).first()


def publish_due(model, pk: int, now) -> bool:
    entry = locked(model, pk, "publish_at", now)
    if entry is None:
        return False
    if entry.state == PUBLISHED:
        drop_schedule(entry, "publish_at", "already published")
        return False
    if go_live(entry):
        return True
    drop_schedule(entry, "publish_at", f"{entry.scheduled_by} may not publish it")
    return False


def unpublish_due(model, pk: int, now) -> bool:
    entry = locked(model, pk, "unpublish_at", now)
    if entry is None:
        return False
    if entry.state != PUBLISHED:
        drop_schedule(entry, "unpublish_at", "not published")
        return False
    if take_down(entry):
        return True
    drop_schedule(entry, "unpublish_at", f"{entry.scheduled_by} may not unpublish it")
    return False


def publish_scheduled(now=None) -> list[str]:
    """Carry out every schedule due at ``now``, each in its own transaction; returns what was
    done, one line each."""
    now = now or timezone.now()
    done = []
    for model in review.ENTRY_MODELS:
        name = model._meta.model_name
        for pk in due(model, "publish_at", now):
            with transaction.atomic():
                if publish_due(model, pk, now):
                    done.append(f"published {name} {model.objects.get(pk=pk)}")
        for pk in due(model, "unpublish_at", now):
            with transaction.atomic():
                if unpublish_due(model, pk, now):
                    done.append(f"unpublished {name} {model.objects.get(pk=pk)}")
    return done

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


def publish_scheduled(now=None) -> list[str]:
    """Carry out every schedule due at ``now``; returns what was done, one line each."""
    now = now or timezone.now()
    done = []
    for model in review.ENTRY_MODELS:
        due = model.objects.filter(publish_at__lte=now).select_related("scheduled_by")
        for entry in due.order_by("publish_at", "pk"):
            if entry.state == PUBLISHED:
                drop_schedule(entry, "publish_at", "already published")
            elif go_live(entry):
                done.append(f"published {model._meta.model_name} {entry}")
            else:
                drop_schedule(entry, "publish_at", f"{entry.scheduled_by} may not publish it")
        due = model.objects.filter(unpublish_at__lte=now).select_related("scheduled_by")
        for entry in due.order_by("unpublish_at", "pk"):
            if entry.state != PUBLISHED:
                drop_schedule(entry, "unpublish_at", "not published")
            elif take_down(entry):
                done.append(f"unpublished {model._meta.model_name} {entry}")
            else:
                drop_schedule(entry, "unpublish_at", f"{entry.scheduled_by} may not unpublish it")
    return done

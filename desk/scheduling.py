"""Scheduled publishing: an entry whose ``publish_at`` has come goes live, one whose
``unpublish_at`` has come goes back to draft, each as one edit in the name of the publisher who
scheduled it and under the same rules as if they had done it then (``desk.review``). Run every
minute by ``manage.py publish_scheduled --every 60`` (``make run`` starts it) or by cron."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from crisis_tracker import transitions
from crisis_tracker.history import revision
from crisis_tracker.publication import DRAFT, PUBLISHED, may_set_state
from events.models import ENTRY_MODELS

from . import review

log = logging.getLogger(__name__)


def stamp(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z")


def go_live(entry) -> bool | None:
    if entry.state == PUBLISHED or entry.scheduled_by is None:
        return False
    changer = changed_without_approval(entry)
    if changer is not None:
        review.return_to_review(
            entry,
            f"The schedule to publish at {stamp(entry.publish_at)} was cancelled: "
            f"{changer.get_username()} changed "
            "the entry after it was scheduled, and a schedule approves the version it was set on. "
            "Approve the new version, or schedule it again.",
        )
        return None
    note = f"Published as scheduled for {stamp(entry.publish_at)}"
    try:
        review.take_step(
            entry,
            entry.scheduled_by,
            review.Step.PUBLISHED,
            note,
            summary=note,
            also={"publish_at": None},
        )
    except PermissionDenied:
        return False
    except ValidationError as error:
        reason = " ".join(error.messages)
        review.return_to_review(entry, f"The schedule to publish could not be kept: {reason}")
        return None
    return True


SCHEDULE_STATE = {"state", "publish_at", "unpublish_at", "scheduled_by_id"}
LOOKBACK = 200  # history rows read back to the one that set the schedule


def changed_without_approval(entry):
    """The user who, without the right to publish ``entry``, changed it after its schedule to
    publish was set, if the change altered what the schedule approved; else None. (A system
    job, which has every right, approves what it writes.)"""
    model = type(entry)
    latest = entry.history.select_related("history_user").order_by("-history_date", "-pk")
    run = []
    for row in latest[:LOOKBACK]:
        if row.publish_at != entry.publish_at:
            break
        run.append(row)
    if len(run) < 2:
        return None
    approved, later = run[-1], run[:-1]
    fields = [f.attname for f in model._meta.concrete_fields if f.attname not in SCHEDULE_STATE]
    if all(getattr(approved, name) == getattr(entry, name) for name in fields):
        return None
    for row in later:
        user = row.history_user
        if user is not None and not may_set_state(user, model, entry.state, PUBLISHED):
            return user
    return None


def take_down(entry) -> bool:
    model, user = type(entry), entry.scheduled_by
    if entry.state != PUBLISHED or user is None:
        return False
    if not may_set_state(user, model, PUBLISHED, DRAFT):
        return False
    summary = f"Unpublished as scheduled for {stamp(entry.unpublish_at)}"
    with transaction.atomic(), revision(summary=summary, user=user):
        transitions.move([entry], DRAFT, user=user, comment=summary, also={"unpublish_at": None})
    return True


@dataclass(frozen=True)
class Schedule:
    field: str  # when it is due
    verb: str  # what was done, for the command's output
    act: Callable  # carries it out; False when it may not or need not be done, None when it
    # set the schedule aside itself

    def due(self, model, now) -> list[int]:
        rows = model.objects.filter(**{f"{self.field}__lte": now}).order_by(self.field, "pk")
        return list(rows.values_list("pk", flat=True))

    def carry_out(self, model, pk: int, now) -> bool:
        """Lock the entry and, if its schedule is still due (another runner may have carried it
        out meanwhile), act; a schedule that cannot be kept is dropped, with a history row."""
        rows = model.objects.select_for_update(of=("self",)).select_related("scheduled_by")
        entry = rows.filter(pk=pk, **{f"{self.field}__lte": now}).first()
        if entry is None:
            return False
        done = self.act(entry)
        if done or done is None:  # None: the act dealt with the schedule itself
            return bool(done)
        why = f"{self.verb} for {stamp(getattr(entry, self.field))} was not possible"
        log.warning("Dropped the schedule of %s: %s", entry, why)
        with revision(summary=f"Schedule dropped: {why}"):
            setattr(entry, self.field, None)
            entry.save()
        return False


SCHEDULES = (Schedule("publish_at", "published", go_live),
             Schedule("unpublish_at", "unpublished", take_down))  # fmt: skip


def publish_scheduled(now=None) -> list[str]:
    """Carry out every schedule due at ``now``, each in its own transaction; returns what was
    done, one line each."""
    now = now or timezone.now()
    done = []
    for model in ENTRY_MODELS:
        for schedule in SCHEDULES:
            for pk in schedule.due(model, now):
                with transaction.atomic():
                    if schedule.carry_out(model, pk, now):
                        entry = model.objects.get(pk=pk)
                        done.append(f"{schedule.verb} {model._meta.model_name} {entry}")
    return done

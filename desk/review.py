"""Review: an editor submits an entry (a crisis or an event), a publisher publishes it or sends
it back with a comment, and anyone who may change it may comment. Each step is one revision whose
edit summary says what happened and why, plus one comment in the entry's thread; the people
concerned are told once the step commits (``desk.notifications``).

Who may take which step is ``crisis_tracker.publication.may_set_state``: this module only names
the steps and the states they move between.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from crisis_tracker import bulk, transitions
from crisis_tracker.history import reason_problem, revision
from crisis_tracker.publication import (
    DRAFT,
    PUBLISHED,
    REVIEW,
    may_review,
    may_set_state,
    permission,
)
from crisis_tracker.transitions import state_changed, summary_of
from events.models import ENTRY_MODELS

from . import notifications
from .models import ReviewComment

Step = ReviewComment.Step
COMMENT_LIMIT = 5000


@dataclass(frozen=True)
class Move:
    sources: tuple[str, ...]  # the states the step starts from
    target: str | None  # None: the state stays
    summary: str  # the edit summary (records stay in English, like every automatic summary)
    publishers_only: bool = False


MOVES = {
    Step.SUBMITTED: Move((DRAFT,), REVIEW, summary_of(DRAFT, REVIEW)),
    Step.PUBLISHED: Move((DRAFT, REVIEW), PUBLISHED, summary_of(REVIEW, PUBLISHED)),
    Step.SENT_BACK: Move((REVIEW,), DRAFT, summary_of(REVIEW, DRAFT), publishers_only=True),
    Step.COMMENTED: Move((DRAFT, REVIEW, PUBLISHED), None, "Review comment"),
}


def step_of(old: str | None, new: str) -> str:
    """The review step a move is, whatever made it (a form, an action, an import, a schedule)."""
    if new == PUBLISHED:
        return Step.PUBLISHED
    if old == PUBLISHED:
        return Step.WITHDRAWN
    return Step.SUBMITTED if new == REVIEW else Step.SENT_BACK


def steps_for(user, entry) -> list[str]:
    """The steps ``user`` may take on ``entry`` now."""
    model = type(entry)
    if not user.has_perm(permission(model, "change")):
        return []
    return [
        step
        for step, move in MOVES.items()
        if entry.state in move.sources
        and (move.target is None or may_set_state(user, model, entry.state, move.target))
        and (not move.publishers_only or may_review(user, model))
    ]


def take_step(
    entry, user, step: str, text: str = "", summary: str = "", also: dict | None = None
) -> ReviewComment:
    """Take ``step`` on ``entry`` as ``user``: one revision, one comment, then notifications.
    The comment stays in the desk's thread; the revision's edit summary, which readers see once
    the entry is public, is ``summary`` (what the publisher writes for readers) or the step's
    neutral line. ``also`` gives other fields to set in the same save."""
    text, summary = text.strip(), " ".join(summary.split())
    if step in (Step.SENT_BACK, Step.COMMENTED) and not text:
        raise ValidationError(_("Say what needs changing: this step needs a comment."))
    if len(text) > COMMENT_LIMIT:
        message = _("A comment has at most %(limit)d characters; this one has %(length)d.")
        raise ValidationError(message % {"limit": COMMENT_LIMIT, "length": len(text)})
    if summary and reason_problem(summary):
        raise ValidationError(reason_problem(summary))
    move = MOVES[step]
    with transaction.atomic(), revision(summary=summary or move.summary, user=user) as draft:
        entry = type(entry).objects.select_for_update().get(pk=entry.pk)
        if step not in steps_for(user, entry):
            raise PermissionDenied
        if move.target is not None:
            transitions.move([entry], move.target, user=user, comment=text, step=step, also=also)
            return thread_of(entry).get(revision_key=draft.key)
        for name, value in (also or {}).items():
            setattr(entry, name, value)
        if also:
            entry.save()
        comment = new_step(entry, step, text, user, draft.key)
        comment.save()
        return comment


def return_to_review(entry, note: str) -> ReviewComment:
    """Send ``entry`` (back) to review with a note from the system, e.g. when a schedule cannot
    be kept: its schedule is dropped, publishers are told, and the desk lists it for review."""
    summary = "Schedule cancelled; back in review"
    dropped = {"publish_at": None, "scheduled_by": None}
    with transaction.atomic(), revision(summary=summary, user=None) as draft:
        if entry.state == DRAFT:
            transitions.move([entry], REVIEW, user=None, comment=note, also=dropped)
            return thread_of(entry).get(revision_key=draft.key)
        for name, value in dropped.items():
            setattr(entry, name, value)
        entry.save()
        comment = new_step(entry, Step.SUBMITTED, note, None, draft.key)
        comment.save()
    transaction.on_commit(lambda: notifications.after_steps([comment], [entry]), robust=True)
    return comment


@receiver(state_changed)
def record_steps(sender, changes, user, comment, step, revision_key, **kwargs) -> None:
    """Every move of a reviewed entry, whatever made it, is a step in its thread (with what the
    person moving it said), and the people concerned are told once it commits."""
    if sender not in ENTRY_MODELS:
        return
    by = user if getattr(user, "pk", None) else None
    comments = bulk.create(
        ReviewComment,
        [
            new_step(
                change.entry, step or step_of(change.old, change.new), comment, by, revision_key
            )
            for change in changes
        ],
    )
    entries = [change.entry for change in changes]
    new = {change.entry.pk for change in changes if change.old is None}  # no author to tell
    transaction.on_commit(lambda: notifications.after_steps(comments, entries, new), robust=True)


def new_step(entry, step: str, text: str, user, revision_key) -> ReviewComment:
    """A step in ``entry``'s thread (not saved), part of the edit ``revision_key``."""
    return ReviewComment(
        content_type=ContentType.objects.get_for_model(entry),
        object_id=entry.pk,
        crisis_id=crisis_id_of(entry),
        step=step,
        text=text,
        user=user,
        revision_key=revision_key,
    )


def crisis_id_of(entry) -> int:
    return entry.pk if entry.crisis_field == "pk" else getattr(entry, f"{entry.crisis_field}_id")


def thread_of(entry):
    return ReviewComment.objects.filter(
        content_type=ContentType.objects.get_for_model(entry), object_id=entry.pk
    )


def thread(entry) -> list[ReviewComment]:
    """The entry's comments, oldest first."""
    return list(thread_of(entry).select_related("user"))


def latest_comments(model, ids, step: str | None = None) -> dict[int, ReviewComment]:
    """The latest comment (of ``step``, if given) of each entry of ``model`` among ``ids``, in
    one query."""
    found = {}
    comments = ReviewComment.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id__in=list(ids)
    ).select_related("user")
    if step is not None:
        comments = comments.filter(step=step)
    for comment in comments.order_by("created_at", "pk"):
        found[comment.object_id] = comment
    return found

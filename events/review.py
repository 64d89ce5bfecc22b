"""Review: an editor submits an entry (a crisis or an event), a publisher publishes it or sends
it back with a comment, and anyone who may change it may comment. Each step is one revision whose
edit summary says what happened and why, plus one comment in the entry's thread; the people
concerned are told once the step commits (``events.notifications``).

Who may take which step is ``crisis_tracker.publication.may_set_state``: this module only names
the steps and the states they move between.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from crisis_tracker.history import reason_problem, revision
from crisis_tracker.narrative import crisis_of
from crisis_tracker.publication import PublicationState, may_review, may_set_state

from . import notifications
from .models import Crisis, Event, ReviewComment

DRAFT, REVIEW, PUBLISHED = PublicationState.values
Step = ReviewComment.Step
ENTRY_MODELS = (Crisis, Event)  # what is reviewed, scheduled and previewed
COMMENT_LIMIT = 5000


@dataclass(frozen=True)
class Move:
    sources: tuple[str, ...]  # the states the step starts from
    target: str | None  # None: the state stays
    summary: str  # the edit summary (records stay in English, like every automatic summary)
    publishers_only: bool = False


MOVES = {
    Step.SUBMITTED: Move((DRAFT,), REVIEW, "Submitted for review"),
    Step.PUBLISHED: Move((DRAFT, REVIEW), PUBLISHED, "Approved and published"),
    Step.SENT_BACK: Move((REVIEW,), DRAFT, "Sent back", publishers_only=True),
    Step.COMMENTED: Move((DRAFT, REVIEW, PUBLISHED), None, "Review comment"),
}


def steps_for(user, entry) -> list[str]:
    """The steps ``user`` may take on ``entry`` now."""
    model = type(entry)
    if not user.has_perm(f"{model._meta.app_label}.change_{model._meta.model_name}"):
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
        for name, value in (also or {}).items():
            setattr(entry, name, value)
        if move.target is not None:
            entry.state = move.target
        if move.target is not None or also:
            entry.save()
        comment = ReviewComment.objects.create(
            content_type=ContentType.objects.get_for_model(entry),
            object_id=entry.pk,
            crisis=crisis_of(entry),
            step=step,
            text=text,
            user=user,
            revision_key=draft.key,
        )
    transaction.on_commit(lambda: notifications.after_step(comment, entry), robust=True)
    return comment


def return_to_review(entry, note: str) -> ReviewComment:
    """Send ``entry`` (back) to review with a note from the system, e.g. when a schedule cannot
    be kept: its schedule is dropped, publishers are told, and the desk lists it for review."""
    summary = "Schedule cancelled; back in review"
    with transaction.atomic(), revision(summary=summary, user=None) as draft:
        entry.publish_at, entry.scheduled_by = None, None
        if entry.state == DRAFT:
            entry.state = REVIEW
        entry.save()
        comment = ReviewComment.objects.create(
            content_type=ContentType.objects.get_for_model(entry),
            object_id=entry.pk,
            crisis=crisis_of(entry),
            step=Step.SUBMITTED,
            text=note,
            user=None,
            revision_key=draft.key,
        )
    transaction.on_commit(lambda: notifications.after_step(comment, entry), robust=True)
    return comment


def thread(entry) -> list[ReviewComment]:
    """The entry's comments, oldest first."""
    return list(
        ReviewComment.objects.filter(
            content_type=ContentType.objects.get_for_model(entry), object_id=entry.pk
        ).select_related("user")
    )


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

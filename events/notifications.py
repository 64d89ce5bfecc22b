"""E-mail about review steps: publishers hear of a submission, the author of its approval or its
sending back. Each user may switch each kind off (``NotificationSettings``); a failed send is
logged and never undoes the step."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail

from crisis_tracker.editorial.admin import change_path

from .models import NotificationSettings, ReviewComment

log = logging.getLogger(__name__)
PERMISSIONS_BACKEND = "django.contrib.auth.backends.ModelBackend"  # where permissions live
Step = ReviewComment.Step

SUBJECTS = {
    Step.SUBMITTED: "Submitted for review: {entry}",
    Step.PUBLISHED: "Approved and published: {entry}",
    Step.SENT_BACK: "Sent back to you: {entry}",
}


def admin_url(entry) -> str:
    return settings.SITE_URL.rstrip("/") + change_path(entry)


def publishers_of(model):
    permission = f"{model._meta.app_label}.publish_{model._meta.model_name}"
    users = get_user_model().objects.with_perm(permission, backend=PERMISSIONS_BACKEND)
    return users.filter(is_active=True)


def author_of(entry, before: ReviewComment):
    """Who submitted the entry last (before ``before``), or None."""
    submitted = (
        ReviewComment.objects.filter(
            content_type=before.content_type,
            object_id=before.object_id,
            step=Step.SUBMITTED,
            created_at__lte=before.created_at,
        )
        .exclude(pk=before.pk)
        .select_related("user")
        .order_by("-created_at", "-pk")
        .first()
    )
    return submitted.user if submitted else None


def recipients(comment: ReviewComment, entry) -> list:
    if comment.step == Step.SUBMITTED:
        people, kind = list(publishers_of(type(entry))), "submitted"
    elif comment.step in (Step.PUBLISHED, Step.SENT_BACK):
        people, kind = [author_of(entry, comment)], "reviewed"
    else:
        return []
    people = [p for p in people if p is not None and p.email and p.pk != comment.user_id]
    off = set(
        NotificationSettings.objects.filter(user__in=people, **{kind: False}).values_list(
            "user_id", flat=True
        )
    )
    return [person for person in people if person.pk not in off]


def message(comment: ReviewComment, entry) -> tuple[str, str]:
    subject = SUBJECTS[comment.step].format(entry=entry)
    by = comment.user.get_username() if comment.user else "The system"
    lines = [f"{by}: {comment.get_step_display()}.", ""]
    if comment.text:
        lines += [comment.text, ""]
    lines.append(admin_url(entry))
    return subject, "\n".join(lines)


def after_step(comment: ReviewComment, entry) -> None:
    people = recipients(comment, entry)
    if not people:
        return
    subject, body = message(comment, entry)
    mails = [(subject, body, None, [person.email]) for person in people]
    try:
        send_mass_mail(mails, fail_silently=False)
    except OSError:
        log.exception("Could not send the review notifications for %s", entry)

"""E-mail about the desk's work: publishers hear of a submission, the author of its approval or
its sending back, and watchers of a crisis of what is published in it, whatever path published
it (admin, action, import, schedule). Each user may switch each kind off
(``NotificationSettings``); mail goes out after the commit, and a failed send is logged and never
undoes the change."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import transaction
from django.dispatch import receiver
from django.urls import reverse

from crisis_tracker.editorial.admin import change_path
from crisis_tracker.publication import permission
from events.models import Crisis, CrisisRevision, Event
from events.revisions import revision_recorded
from interchange.import_jobs import job_reviewed, job_submitted

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
    users = get_user_model().objects.with_perm(
        permission(model, "publish"), backend=PERMISSIONS_BACKEND
    )
    return users.filter(is_active=True)


def authors_of(comments: list[ReviewComment]) -> dict[int, object]:
    """Who submitted each comment's entry last before it (by comment pk), in one query per
    thousand entries."""
    found: dict[int, object] = {}
    if not comments:
        return found
    content_type = comments[0].content_type_id
    mine = {comment.pk for comment in comments}
    ids = sorted({comment.object_id for comment in comments})
    for start in range(0, len(ids), 1000):
        submitted = (
            ReviewComment.objects.filter(
                content_type_id=content_type,
                object_id__in=ids[start : start + 1000],
                step=Step.SUBMITTED,
            )
            .exclude(pk__in=mine)
            .select_related("user")
            .order_by("created_at", "pk")
        )
        latest: dict[int, list[ReviewComment]] = {}
        for row in submitted:
            latest.setdefault(row.object_id, []).append(row)
        for comment in comments:
            rows = latest.get(comment.object_id, [])
            earlier = [row for row in rows if row.created_at <= comment.created_at]
            if earlier:
                found[comment.pk] = earlier[-1].user
    return found


def switched_on(people, kind: str) -> list:
    """Those of ``people`` with an address who have not switched ``kind`` off."""
    people = [person for person in people if person is not None and person.email]
    off = set(
        NotificationSettings.objects.filter(user__in=people, **{kind: False}).values_list(
            "user_id", flat=True
        )
    )
    return [person for person in people if person.pk not in off]


def recipients(comments: list[ReviewComment], entries: list, new=frozenset()) -> dict[int, list]:
    """Who hears of each step (by comment pk): publishers of a submission, the author of an
    approval or a sending back; never the person who took the step."""
    found: dict[int, list] = {}
    if not comments:
        return found
    model = type(entries[0])
    reviewed = (Step.PUBLISHED, Step.SENT_BACK)
    authors = authors_of([c for c in comments if c.step in reviewed and c.object_id not in new])
    listening = {
        p.pk
        for p in switched_on(list({a.pk: a for a in authors.values() if a}.values()), "reviewed")
    }
    publishers = None
    for comment in comments:
        if comment.step == Step.SUBMITTED:
            if publishers is None:
                publishers = switched_on(list(publishers_of(model)), "submitted")
            people = publishers
        elif comment.step in (Step.PUBLISHED, Step.SENT_BACK):
            author = authors.get(comment.pk)
            people = [author] if author is not None and author.pk in listening else []
        else:
            continue
        found[comment.pk] = [p for p in people if p.pk != comment.user_id]
    return found


def message(comment: ReviewComment, entry) -> tuple[str, str]:
    subject = SUBJECTS[comment.step].format(entry=entry)
    by = comment.user.get_username() if comment.user else "The system"
    lines = [f"{by}: {comment.get_step_display()}.", ""]
    if comment.text:
        lines += [comment.text, ""]
    lines.append(admin_url(entry))
    return subject, "\n".join(lines)


def after_steps(comments: list[ReviewComment], entries: list, new=frozenset()) -> None:
    """Mail those concerned by steps taken together (one move of many entries, e.g. a list
    action or an import): a step of one entry is one mail; each person hears of many steps of
    one kind in one mail listing the entries."""
    people = recipients(comments, entries, new)
    grouped: dict[tuple[int, str], list[tuple[ReviewComment, object]]] = {}
    persons = {}
    for comment, entry in zip(comments, entries, strict=True):
        for person in people.get(comment.pk, []):
            persons[person.pk] = person
            grouped.setdefault((person.pk, comment.step), []).append((comment, entry))
    for (pk, step), steps in grouped.items():
        if len(steps) == 1:
            send([persons[pk]], *message(*steps[0]))
            continue
        lines = [f"- {entry}: {admin_url(entry)}" for _comment, entry in steps[:LISTED]]
        if len(steps) > LISTED:
            lines.append(f"- … and {len(steps) - LISTED} more")
        subject = SUBJECTS[step].format(entry=f"{len(steps)} entries")
        send([persons[pk]], subject, "\n".join(lines))


# --- import submissions ---------------------------------------------------------------------


def job_url(job) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("admin:events_crisis_import_job", args=[job.pk])


def files_of(job) -> str:
    return ", ".join(item["name"] for item in job.files)


@receiver(job_submitted)
def import_submitted(sender, job, **kwargs) -> None:
    """Publishers of what the submission holds hear of it."""
    publishers = {p for model in (Crisis, Event) for p in publishers_of(model)}
    people = switched_on([p for p in publishers if p.pk != job.user_id], "submitted")
    if people:
        by = job.user.get_username() if job.user else "The system"
        waiting = job.preview.get("review_lines", [])
        body = "\n".join([f"{by} submitted an import for review.", "", *waiting, "", job_url(job)])
        send(people, f"Import submitted for review: {files_of(job)}", body)


@receiver(job_reviewed)
def import_reviewed(sender, job, **kwargs) -> None:
    """The editor hears that their submission was imported or sent back, and why."""
    people = switched_on([job.user] if job.user_id != job.reviewed_by_id else [], "reviewed")
    if not people:
        return
    by = job.reviewed_by.get_username() if job.reviewed_by else "The system"
    if job.status == job.Status.SENT_BACK:
        subject, lines = f"Import sent back to you: {files_of(job)}", [job.review_comment]
    elif job.status == job.Status.DONE:
        totals = job.totals()
        subject = f"Import approved: {files_of(job)}"
        lines = [f"Imported: {totals['created']} created, {totals['changed']} changed."]
    else:
        subject = f"Import approved but refused: {files_of(job)}"
        lines = ["The files no longer import as they are; the import page lists the problems."]
    send(people, subject, "\n".join([f"{by}:", "", *lines, "", job_url(job)]))


def one_line(text: str) -> str:
    """A mail subject names entries by their titles, which may hold any whitespace: a header
    is one line."""
    return " ".join(str(text).split())


def send(people, subject: str, body: str) -> None:
    """Mail that cannot go out is logged; it never undoes, or hides, the change it tells of."""
    subject = one_line(subject)
    mails = [(subject, body, None, [person.email]) for person in people]
    try:
        send_mass_mail(mails, fail_silently=False)
    except Exception:
        log.exception("Could not send %d notifications: %s", len(mails), subject)


# --- watchers ------------------------------------------------------------------------------

NEWS = {CrisisRevision.Action.PUBLISHED, CrisisRevision.Action.ADDED}
LISTED = 20  # change lines in one mail


def news_in(link: CrisisRevision) -> list[str]:
    """What a public revision put before readers, in words (the entries it names)."""
    return [
        line["label"] for line in link.changes if line["action"] in NEWS and not line.get("more")
    ]


def news_count(link: CrisisRevision) -> int:
    """How many entries a public revision put before readers, named or counted."""
    return sum(line.get("more", 1) for line in link.changes if line["action"] in NEWS)


@receiver(revision_recorded)
def tell_watchers(sender, revision, crisis_ids, **kwargs) -> None:
    links = CrisisRevision.objects.filter(revision=revision, crisis_id__in=crisis_ids, public=True)
    for link in links.select_related("crisis"):
        news = news_in(link)
        if news:
            transaction.on_commit(
                lambda link=link, news=news: mail_watchers(link, news), robust=True
            )


def mail_watchers(link: CrisisRevision, news: list[str]) -> None:
    watchers = (
        get_user_model()
        .objects.filter(is_active=True, crisis_watches__crisis=link.crisis)
        .exclude(pk=link.revision.user_id)
    )
    people = switched_on(list(watchers), "published")
    if not people:
        return
    crisis = link.crisis
    lines = [f"- {label}" for label in news[:LISTED]]
    hidden = news_count(link) - len(lines)
    if hidden > 0:
        lines.append(f"- … and {hidden} more")
    summary = link.revision.summary or "(no summary)"
    body = "\n".join(
        [summary, "", *lines, "", settings.SITE_URL.rstrip("/") + crisis.get_absolute_url()]
    )
    send(people, f"Published in {crisis.title}", body)

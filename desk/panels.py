"""The editors' desk (the admin's home page): what this user may act on now.

Each panel is a function of the user; each "needs attention" check is one queryset, used both for
its count on the desk and for the list its link opens, so the two always agree.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crisis_tracker.citations import may_cite
from crisis_tracker.editorial.admin import change_path
from crisis_tracker.publication import DRAFT, REVIEW, may_review
from events import tallies
from events.models import ENTRY_MODELS, Crisis, CrisisRevision, Edition, Event
from interchange import import_jobs
from interchange.models import ImportJob
from sources.models import LinkHealth, Source

from . import review

SHOWN = 50  # rows listed per kind of entry in a panel, and per needs-attention list
STALE_AFTER = datetime.timedelta(days=14)


@dataclass
class Row:
    entry: object
    comment: object | None  # the latest review comment
    changed_at: datetime.datetime | None

    @property
    def admin_url(self) -> str:
        return change_path(self.entry)

    @property
    def sent_back(self) -> bool:
        return (
            self.entry.state == DRAFT
            and self.comment is not None
            and self.comment.step == review.Step.SENT_BACK
        )


def last_change(model):
    """The time of each row's latest history row, as a subquery."""
    rows = model.history.model.objects.filter(id=OuterRef("pk")).order_by("-history_date")
    return Subquery(rows.values("history_date")[:1])


def rows_of(model, entries, step: str | None = None) -> list[Row]:
    """Each entry with its latest review comment (of ``step``, if given)."""
    entries = list(entries)
    comments = review.latest_comments(model, [entry.pk for entry in entries], step)
    return [Row(entry, comments.get(entry.pk), entry.changed_at) for entry in entries]


def with_crisis(model, queryset):
    return queryset.select_related("crisis") if model is Event else queryset


def awaiting_review(user) -> list[Row]:
    """Entries in review that this user may publish, oldest first, each with its submission."""
    found = []
    for model in ENTRY_MODELS:
        if may_review(user, model):
            entries = model.objects.filter(state=REVIEW).annotate(changed_at=last_change(model))
            oldest = with_crisis(model, entries).order_by("changed_at")[:SHOWN]
            found += rows_of(model, oldest, review.Step.SUBMITTED)
    return sorted(found, key=lambda row: row.changed_at or timezone.now())


def my_work(user) -> list[Row]:
    """This user's drafts and submissions: sent back first, then the latest changed."""
    found = []
    for model in ENTRY_MODELS:
        mine = model.history.filter(history_user=user).values("id")
        entries = model.objects.filter(pk__in=mine, state__in=[DRAFT, REVIEW])
        entries = entries.annotate(changed_at=last_change(model)).order_by("-changed_at")
        found += rows_of(model, with_crisis(model, entries)[:SHOWN])
    return sorted(found, key=lambda row: (not row.sent_back, -row.changed_at.timestamp()))


def recent_changes(user, limit: int = 15) -> list[CrisisRevision]:
    """The latest edits, by anyone, of the crises this user has edited."""
    mine = CrisisRevision.objects.filter(revision__user=user).values("crisis_id")
    return list(
        CrisisRevision.objects.filter(crisis_id__in=mine)
        .select_related("crisis", "revision__user")
        .order_by("-revision__created_at", "-pk")[:limit]
    )


def submitted_imports(user) -> list[ImportJob]:
    """Editors' imports waiting for this user's approval, oldest first."""
    if not import_jobs.may_approve(user):
        return []
    submitted = ImportJob.objects.filter(status=ImportJob.Status.SUBMITTED)
    return list(submitted.select_related("user").order_by("updated_at")[:SHOWN])


def recent_imports(user, limit: int = 10) -> list[ImportJob]:
    """The latest imports this user may open (``import_jobs.seen_by``)."""
    if not user.has_perm("events.add_event"):
        return []
    return list(import_jobs.seen_by(user).select_related("user")[:limit])


# --- needs attention -------------------------------------------------------------------------


class Facts:
    """What several checks need, worked out once per page."""

    @functools.cached_property
    def cited(self) -> set[str]:
        """The keys of the sources some crisis cites (read from the crises' tallies)."""
        return tallies.cited_anywhere()


def events_without_source(facts: Facts):
    return Event.objects.exclude(may_cite("summary"))


def sources_cited_nowhere(facts: Facts):
    return cited_among(facts, Source.objects.all(), cited=False)


def sources_without_link(facts: Facts):
    return Source.objects.filter(url="", archive_url="")


def cited_among(facts: Facts, sources, cited: bool = True) -> QuerySet:
    """Those of ``sources`` some crisis cites (or, ``cited=False``, none does). The candidates
    are read first and matched with the cited keys here; the database is then sent the
    shorter list — the candidates that match, or those that do not — never every cited key."""
    keep, drop = [], []
    for pk, key in sources.values_list("pk", "key"):
        (keep if (key in facts.cited) == cited else drop).append(pk)
    if len(drop) < len(keep):
        return sources.exclude(pk__in=drop)
    return Source.objects.filter(pk__in=keep)


def cited_sources_missing_fields(facts: Facts):
    """Cited sources whose reference would lack the work or the date it was published."""
    return cited_among(facts, Source.objects.filter(Q(work="") | Q(published__isnull=True)))


def dead_links(facts: Facts):
    """Cited sources whose address is dead (three failed checks, three days apart)."""
    return cited_among(facts, Source.objects.filter(link_health__state=LinkHealth.State.DEAD))


def changed_links(facts: Facts):
    """Cited sources whose page no longer reads as it did when captured."""
    return cited_among(facts, Source.objects.filter(link_health__changed=True))


def never_captured(facts: Facts):
    """Cited sources with an address and no copy of it."""
    return cited_among(facts, Source.objects.exclude(url="").filter(captures=None))


def month_just_ended(today: datetime.date | None = None) -> datetime.date:
    first = (today or timezone.localdate()).replace(day=1)
    return (first - datetime.timedelta(days=1)).replace(day=1)


def crises_without_assessment(facts: Facts):
    """Ongoing crises with no assessment of the month that just ended (asked from the 1st)."""
    ongoing = Crisis.objects.filter(status=Crisis.Status.ONGOING)
    return ongoing.exclude(assessments__month=month_just_ended())


def events_without_place(facts: Facts):
    """Events neither placed nor marked as having no single place (with the reason)."""
    return Event.objects.filter(location__isnull=True, latitude__isnull=True, no_place_reason="")


def editions_behind(facts: Facts):
    """Editions whose original changed, or gained texts, since they were translated."""
    return Edition.objects.filter(behind__gt=0).select_related("crisis")


def stale_drafts(facts: Facts):
    cutoff = timezone.now() - STALE_AFTER
    recent = Event.history.model.objects.filter(id=OuterRef("pk"), history_date__gte=cutoff)
    drafts = Event.objects.filter(state=DRAFT).exclude(Exists(recent))  # no change since
    return drafts.annotate(changed_at=last_change(Event))


@dataclass(frozen=True)
class Check:
    slug: str
    label: str
    query: Callable


CHECKS = [
    Check("events-without-source", _("Events that cite no source"), events_without_source),
    Check("sources-cited-nowhere", _("Sources cited nowhere"), sources_cited_nowhere),
    Check(
        "sources-without-link", _("Sources without a URL or an archive URL"), sources_without_link
    ),  # fmt: skip
    Check(
        "sources-missing-fields",
        _("Cited sources without their work or date"),
        cited_sources_missing_fields,
    ),  # fmt: skip
    Check(
        "missing-assessments",
        _("Ongoing crises without last month's assessment"),
        crises_without_assessment,
    ),  # fmt: skip
    Check("dead-links", _("Cited sources whose link is dead"), dead_links),
    Check("changed-links", _("Cited sources changed since captured"), changed_links),
    Check("never-captured", _("Cited sources never captured"), never_captured),
    Check("events-without-place", _("Events without a place on the map"), events_without_place),
    Check("editions-behind", _("Editions behind their original"), editions_behind),
    Check("stale-drafts", _("Drafts untouched for 14 days"), stale_drafts),
]
CHECKS_BY_SLUG = {check.slug: check for check in CHECKS}


def needs_attention(user) -> list[tuple[Check, int]]:
    if not user.has_perm("events.change_event"):
        return []
    facts = Facts()
    return [(check, check.query(facts).count()) for check in CHECKS]

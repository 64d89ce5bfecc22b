"""Build the reader's pages of a crisis: the article and the timeline, with numbered citations."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from itertools import groupby
from urllib.parse import urlencode

from django.db.models import Max, Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from actors.models import Actor, Participation
from crisis_tracker.citations import (
    CitationIndex,
    backlinks_html,
    reference_html,
    render,
)
from crisis_tracker.dates import Precision, format_date
from crisis_tracker.http_cache import surrogate_key
from crisis_tracker.publication import PUBLISHED

from . import snapshots
from .models import Crisis, CrisisRevision, Event, EventActor, Revision, Section

PUBLIC = "public"
PREVIEW = "preview"


@dataclass
class Page:
    """A reader's page of a crisis, as the page cache keeps it.

    A published page is kept as the finished document (``html``); an unpublished one keeps its
    parts, for the staff preview rendered per request with its banner.
    """

    slug: str
    title: str
    state: str
    language: str
    body: str = ""
    last_updated: datetime.datetime | None = None
    html: str = ""
    keys: list[str] = field(default_factory=list)  # surrogate keys: what the page shows
    built_at: datetime.datetime = field(default_factory=timezone.now)

    @property
    def is_published(self) -> bool:
        return self.state == PUBLISHED


def references(index: CitationIndex) -> list[dict]:
    # One reverse() for the whole list: an article can cite thousands of sources.
    source_url = reverse("sources:detail", args=["KEY"])
    return [
        {
            "number": reference.number,
            "key": reference.key,
            "source": reference.source,
            "url": source_url.replace("KEY", reference.key) if reference.source else "",
            "backlinks": backlinks_html(reference),
            "citation": reference_html(reference),
        }
        for reference in index.references
    ]


def last_updated(crisis_ids: list[int]) -> dict[int, object]:
    """The time of each crisis's latest public revision, in one query."""
    latest = (
        CrisisRevision.objects.filter(crisis_id__in=crisis_ids, public=True)
        .values_list("crisis_id")
        .annotate(latest=Max("revision__created_at"))
    )
    return dict(latest)


@dataclass
class InfoboxEntry:
    actor: Actor
    note: str
    side: str


@dataclass
class ArticleSection:
    section: Section
    level: int
    html: str
    children: list[ArticleSection] = field(default_factory=list)


def build_article(slug: str) -> Page | None:
    snapshot = snapshots.current(slug)
    if snapshot is None:
        return None
    crisis = snapshot.crisis
    updated = last_updated([crisis.pk]).get(crisis.pk)
    body = render_article(snapshot, last_updated=updated, corrections=corrections(crisis))
    keys = [surrogate_key("crisis", crisis.pk)]
    keys += [surrogate_key("actor", p.actor_id) for p in snapshot.participations]
    keys += [surrogate_key("source", key) for key in snapshot.sources]
    return Page(crisis.slug, crisis.title, crisis.state, crisis.language, body, updated, keys=keys)


def render_article(snapshot: snapshots.Snapshot, **extra) -> str:
    """The article's HTML, numbering citations over infobox, lead and sections in that order."""
    crisis = snapshot.crisis
    roles = {
        role: [p for p in snapshot.participations if p.role == role]
        for role in Participation.Role.values
    }
    index = CitationIndex(snapshot.sources)
    infobox = {
        role: [
            InfoboxEntry(p.actor, render(p.note, index, inline=True), p.side) for p in roles[role]
        ]
        for role in Participation.Role.values
    }
    lead = render(crisis.lead, index)
    language = get_language()
    context = {
        "LANGUAGE_CODE": language,
        "crisis": crisis,
        "infobox": infobox,
        "dates": crisis.span_display(language),
        "lead": lead,
        "outline": outline_sections(snapshot.sections, index),
        "references": references(index),
        **extra,
    }
    return render_to_string("events/includes/article_body.html", context)


def corrections(crisis: Crisis) -> list[Revision]:
    return list(
        Revision.objects.public_for(crisis).filter(is_correction=True).order_by("created_at")
    )


def outline_sections(sections: list[Section], index: CitationIndex) -> list[ArticleSection]:
    """Sections as a two-level tree, rendered in reading order (a parent before its children)."""
    children: dict[int, list[Section]] = {}
    for section in sections:
        if section.parent_id is not None:
            children.setdefault(section.parent_id, []).append(section)
    outline = []
    for section in sections:
        if section.parent_id is not None:
            continue
        node = ArticleSection(section, 2, render(section.body, index))
        for child in children.get(section.pk, []):
            node.children.append(ArticleSection(child, 3, render(child.body, index)))
        outline.append(node)
    return outline


@dataclass
class TimelineFilters:
    actor: str = ""
    kind: str = ""
    verification: str = ""

    @classmethod
    def from_query(cls, query) -> TimelineFilters:
        kind = query.get("kind", "")
        verification = query.get("verification", "")
        return cls(
            actor=query.get("actor", "")[:100],
            kind=kind if kind in Event.Kind.values else "",
            verification=verification if verification in Event.Verification.values else "",
        )

    def cache_name(self) -> str:
        return f"actor={self.actor}&kind={self.kind}&verification={self.verification}"

    def query_string(self) -> str:
        values = {"actor": self.actor, "kind": self.kind, "verification": self.verification}
        return urlencode({name: value for name, value in values.items() if value})

    def apply(self, events):
        if self.actor:
            events = events.filter(event_actors__actor__slug=self.actor).distinct()
        if self.kind:
            events = events.filter(kind=self.kind)
        if self.verification:
            events = events.filter(verification=self.verification)
        return events


def build_timeline(slug: str, audience: str, filters: TimelineFilters) -> Page | None:
    crisis = Crisis.objects.filter(slug=slug).first()
    if crisis is None:
        return None
    events = Event.objects.for_crisis(crisis)
    if audience == PUBLIC:
        events = events.published()
    everything = events
    events = list(
        filters.apply(events)
        .chronological()
        .prefetch_related(
            Prefetch("event_actors", queryset=EventActor.objects.select_related("actor"))
        )
    )
    index = CitationIndex(snapshots.sources_cited_in(event.summary for event in events))
    language = get_language()
    rows = [
        {
            "event": event,
            "date": event.start_display(language),
            "end": event.end_display(language),
            "summary": render(event.summary, index),
            "actors": list(event.event_actors.all()),
        }
        for event in events
    ]
    years = group_by_period(rows, language)
    actor_choices = (
        Actor.objects.filter(event_roles__event__in=everything).distinct().order_by("name")
    )
    context = {
        "LANGUAGE_CODE": language,
        "crisis": crisis,
        "years": years,
        "count": len(rows),
        "references": references(index),
        "filters": filters,
        "actor_choices": list(actor_choices.values_list("slug", "name")),
        "kind_choices": Event.Kind.choices,
        "verification_choices": Event.Verification.choices,
    }
    body = render_to_string("events/includes/timeline_body.html", context)
    keys = [surrogate_key("crisis", crisis.pk)]
    keys += [surrogate_key("event", row["event"].pk) for row in rows]
    keys += [surrogate_key("actor", link.actor_id) for row in rows for link in row["actors"]]
    keys += [surrogate_key("source", key) for key in index.sources]
    return Page(crisis.slug, crisis.title, crisis.state, crisis.language, body, keys=keys)


def group_by_period(rows: list[dict], language: str) -> list[dict]:
    """Rows grouped by year, then by month; year-precision rows form a month group of their own."""
    years = []
    for _year, in_year in groupby(rows, key=lambda row: row["event"].date.year):
        months = []
        for month, in_month in groupby(in_year, key=lambda row: row["event"].period()[1]):
            in_month = list(in_month)
            first = in_month[0]["event"].date
            label = format_date(first, Precision.MONTH, language) if month else _("Month unknown")
            months.append({"label": label, "rows": in_month})
        label = format_date(months[0]["rows"][0]["event"].date, Precision.YEAR, language)
        years.append({"label": label, "months": months})
    return years

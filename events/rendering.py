"""Build the reader's pages of a crisis: the article and the timeline, with numbered citations."""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Max
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse, translate_url
from django.utils import timezone
from django.utils.translation import get_language, ngettext

from actors.models import Actor, Participation
from crisis_tracker import surrogate_keys as keys_of
from crisis_tracker.citations import (
    CitationIndex,
    backlinks_html,
    reference_html,
    render,
)
from crisis_tracker.dates import Precision, format_date, iso_date
from crisis_tracker.publication import PREVIEW, PUBLISHED
from places.maps import OUTLINES
from places.models import Place

from . import charts, editions, kinds, mapdata, snapshots, tallies
from .charts import slot_label
from .models import Assessment, Crisis, CrisisRevision, Event, EventActor, Revision, Section
from .timeline import Paging, TimelineFilters, TimelinePage, count_slots, group_rows


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
    html: bytes = b""  # the finished document, encoded once
    keys: list[str] = field(default_factory=list)  # surrogate keys: what the page shows
    built_at: datetime.datetime = field(default_factory=timezone.now)
    etag: str = ""  # of ``html``, worked out once rather than on every request
    languages: list[str] = field(default_factory=list)  # the original's and its editions'

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
    language = get_language()
    published = editions.published_editions(crisis)
    languages = editions.languages_of(crisis, published)
    reading = editions.reading_for(crisis, language, published)
    located = mapdata.map_data(
        Event.objects.for_crisis(crisis).published(), crisis.slug, language, titles_of(reading)
    )
    event_map = article_map(located, crisis)
    assessment = latest_assessment(crisis)
    if assessment is not None:
        snapshot.sources.update(snapshots.sources_cited_in([assessment.text]))
    numbering = in_edition(snapshot, assessment, reading)
    body = render_article(
        snapshot,
        last_updated=updated,
        corrections=corrections(crisis),
        event_map=event_map,
        assessment=assessment,
        numbering=numbering,
        notice=edition_notice(crisis, language, lambda: updated),
    )
    keys = [keys_of.crisis(crisis.pk)]
    keys += [keys_of.place(pk) for pk in located.place_ids]
    keys += [keys_of.actor(p.actor_id) for p in snapshot.participations]
    keys += [keys_of.source(key) for key in snapshot.sources]
    page = Page(crisis.slug, str(crisis.title), crisis.state, crisis.language, body, updated)
    return dataclasses.replace(page, keys=keys, languages=languages)


def titles_of(reading: editions.Reading | None):
    return reading.event_title if reading else None


def in_edition(snapshot: snapshots.Snapshot, assessment, reading) -> list[str]:
    """Lay the edition (None: none) over the article's texts; returns the original's citation
    order, which the edition keeps (empty: no edition)."""
    if reading is None:
        return []
    numbering = cited_in_reading_order(snapshot, assessment)
    parts = [snapshot.crisis, *snapshot.sections, *snapshot.participations]
    reading.apply_all([*parts, assessment] if assessment else parts)
    actors = [p.actor for p in snapshot.participations]
    editions.actor_names(actors, reading.edition.language, snapshot.crisis.language)
    in_language_of(snapshot.crisis, reading.edition)
    snapshot.reading = reading
    return numbering


def in_language_of(crisis: Crisis, edition) -> None:
    """The crisis now reads in ``edition``'s language (in memory only, for one page)."""
    crisis.original_language, crisis.language = crisis.language, edition.language
    crisis.edition = edition


def edition_notice(crisis: Crisis, language: str, updated) -> dict:
    """What readers of another language are told: no edition yet, or the edition is behind
    its original (with the original's date and address)."""
    original = getattr(crisis, "original_language", crisis.language)
    if language == original:
        return {}
    edition = getattr(crisis, "edition", None)
    if edition is not None and not edition.behind:
        return {}
    notice = {
        "kind": "none" if edition is None else "behind",
        "language": editions.LANGUAGE_NAMES.get(language, language),
        "original": editions.LANGUAGE_NAMES.get(original, original),
        "original_language": original,
        "original_url": translate_url(crisis.get_absolute_url(), original),
    }
    return {**notice, "updated": updated()} if edition is not None else notice


def cited_in_reading_order(snapshot: snapshots.Snapshot, assessment=None) -> list[str]:
    """The keys the article cites in the order it numbers them (see ``render_article``)."""
    texts = [p.note for role in Participation.Role.values
             for p in snapshot.participations if p.role == role]  # fmt: skip
    texts.append(snapshot.crisis.lead)
    texts += [section.body for section in reading_order(snapshot.sections)]
    texts += [assessment.text] if assessment else []
    return snapshots.cited_in_order(texts)


def latest_assessment(crisis: Crisis) -> Assessment | None:
    return crisis.assessments.published().order_by("-month").first()


def render_article(snapshot: snapshots.Snapshot, assessment=None, numbering=(), **extra) -> str:
    """The article's HTML, numbering citations over infobox, lead, sections and the latest
    assessment in that order (an edition keeps its original's ``numbering``)."""
    crisis = snapshot.crisis
    roles = {
        role: [p for p in snapshot.participations if p.role == role]
        for role in Participation.Role.values
    }
    index = CitationIndex(snapshot.sources)
    index.reserve(numbering)
    infobox = {
        role: [
            InfoboxEntry(p.actor, marked(p.note, index, inline=True), p.side) for p in roles[role]
        ]
        for role in Participation.Role.values
    }
    lead = marked(crisis.lead, index)
    outline = outline_sections(snapshot.sections, index)
    # Numbered after the sections, though shown under the lead: the article's own references
    # keep the numbers they have without it.
    assessed = (assessment, marked(assessment.text, index)) if assessment else None
    language = get_language()
    context = {
        "LANGUAGE_CODE": language,
        "crisis": crisis,
        "infobox": infobox,
        "dates": crisis.span_display(language),
        "lead": lead,
        "assessment": assessed,
        "outline": outline,
        "references": references(index),
        **extra,
    }
    return render_to_string("events/includes/article_body.html", context)


def corrections(crisis: Crisis) -> list[Revision]:
    return list(
        Revision.objects.public_for(crisis).filter(is_correction=True).order_by("created_at")
    )


def marked(text: str, index: CitationIndex, *, inline: bool = False) -> str:
    """A narrative text rendered; one an edition lacks is marked in the original's language."""
    html = render(text, index, inline=inline)
    if isinstance(text, editions.Fallback) and html:
        return editions.fallback_html(html, text.language, inline=inline)
    return html


def section_tree(sections: list[Section]) -> list[tuple[Section, list[Section]]]:
    """Sections as a two-level tree: each top-level section with its subsections."""
    children: dict[int, list[Section]] = {}
    for section in sections:
        if section.parent_id is not None:
            children.setdefault(section.parent_id, []).append(section)
    return [(s, children.get(s.pk, [])) for s in sections if s.parent_id is None]


def reading_order(sections: list[Section]) -> list[Section]:
    """A parent before its children, as the article shows them."""
    return [section for top, children in section_tree(sections) for section in (top, *children)]


def outline_sections(sections: list[Section], index: CitationIndex) -> list[ArticleSection]:
    """Sections as a two-level tree, rendered in reading order (a parent before its children)."""
    outline = []
    for section, children in section_tree(sections):
        node = ArticleSection(section, 2, marked(section.body, index))
        for child in children:
            node.children.append(ArticleSection(child, 3, marked(child.body, index)))
        outline.append(node)
    return outline


def actor_links(events: list[Event]) -> dict[int, list[EventActor]]:
    """Each event's links to its actors, in the order they were made, each with its actor's
    ``url``, in one query (none for no event). Kept beside the events, not prefetched onto them:
    a prefetch ties each link back to its event, and a page of 300 events left some 12,000
    objects in reference cycles that only the garbage collector frees, all at once in a later
    request."""
    if not events:
        return {}
    links = defaultdict(list)
    actor_url = reverse("actors:detail", args=["SLUG"])  # once: a page names some 600 actors
    found = EventActor.objects.filter(event__in=[event.pk for event in events])
    for link in found.select_related("actor").order_by("pk"):
        link.url = actor_url.replace("SLUG", link.actor.slug)
        links[link.event_id].append(link)
    return links


def build_timeline(
    slug: str, audience: str, filters: TimelineFilters, wanted_page: str = ""
) -> Page | None:
    """The timeline with its map, charts and visual timeline, all showing the selected events;
    the list shows one month at a time when there are more than a page of them."""
    # Every published event (a reader's timeline, unfiltered): counted in the crisis's tally;
    # other pages count their selection and read only the tally's filter choices.
    from_tally = audience != PREVIEW and not filters.narrows
    crises = Crisis.objects.filter(slug=slug).select_related("tally")
    if not from_tally:
        crises = crises.defer(*(f"tally__{name}" for name in tallies.TIMELINE_FIELDS))
    crisis = crises.first()
    if crisis is None:
        return None
    events = Event.objects.for_crisis(crisis).for_audience(audience)
    selected = filters.apply(events)
    counted = tallies.tally_of(crisis) if from_tally else None
    slots = tallies.timeline_slots(counted) if counted else count_slots(selected)
    paging = Paging.choose(slots, wanted_page)
    listed = selected.filter(paging.current.condition()) if paging.current else selected
    listed = listed.chronological().select_related("location")
    window = paging.current.window() if paging.current else None
    listed = list(listed[window] if window else listed)
    links = actor_links(listed)
    index = CitationIndex(snapshots.sources_cited_in(event.summary for event in listed))
    language = get_language()
    published = editions.published_editions(crisis)
    languages = editions.languages_of(crisis, published)
    reading = editions.reading_for(crisis, language, published)
    if reading is not None:
        index.reserve(snapshots.cited_in_order(event.summary for event in listed))
        reading.apply_all(listed)
        actors = [link.actor for event_links in links.values() for link in event_links]
        editions.actor_names(actors, language, crisis.language)
    rows = [
        {
            "event": event,
            "date": event.start_display(language),
            "iso": iso_date(event.date, event.date_precision),
            "end": event.end_display(language),
            "summary": marked(event.summary, index),
            "actors": links.get(event.pk, []),
        }
        for event in listed
    ]
    count = sum(slot.total for slot in slots)
    choices = filter_choices(events, language, published_in=None if audience == PREVIEW else crisis)
    located = mapdata.map_data(selected, crisis.slug, language, titles_of(reading), count,
                               places=choices.pop("place_rows"),
                               counts=counted.points if counted else None)  # fmt: skip
    if reading is not None:
        in_language_of(crisis, reading.edition)
    figures = tallies.figure_bars(counted) if counted else charts.figure_bars(selected)
    context = {
        "LANGUAGE_CODE": language,
        "crisis": crisis,
        "notice": edition_notice(
            crisis, language, lambda: last_updated([crisis.pk]).get(crisis.pk)
        ),
        "years": group_rows(rows, language),
        "count": count,
        **paging_links(paging, filters, language),
        "all_dates": filters.query_string(**{"from": "", "to": ""}),
        "references": references(index),
        "filters": filters,
        "query": filters.query_string(),
        "api_query": filters.api_query(crisis.slug),
        "choices": choices,
        "map": timeline_map(located, crisis, filters, count - located.located),
        "charts": {
            "per_month": charts.per_month_svg(slots, filters, language),
            "per_month_table": charts.per_month_table(slots, language),
            "figures": charts.figures_svg(figures, filters, language),
            "figures_table": charts.figures_table(figures, language),
            "visual": charts.visual_timeline_svg(slots, filters, language),
            "legend": kinds.legend({kind for slot in slots for kind in slot.kinds}),
            "figure_legend": charts.figure_legend(),
        },
    }
    body = render_to_string("events/includes/timeline_body.html", context)
    keys = [keys_of.crisis(crisis.pk)]
    keys += [keys_of.event(row["event"].pk) for row in rows]
    keys += [keys_of.actor(link.actor_id) for row in rows for link in row["actors"]]
    keys += [keys_of.source(key) for key in index.sources]
    keys += [keys_of.place(pk) for pk in located.place_ids]
    page = Page(crisis.slug, str(crisis.title), crisis.state, crisis.language, body)
    return dataclasses.replace(page, keys=keys, languages=languages)


def page_label(page: TimelinePage | None, language: str) -> str:
    if page is None:
        return ""
    if page.days is None:
        label = slot_label(page.slot, language)
    else:
        first, last = (format_date(day, Precision.DAY, language) for day in page.days)
        label = first if first == last else f"{first} – {last}"
    return f"{label} ({page.chunk + 1})" if page.chunked else label


def paging_links(paging: Paging, filters: TimelineFilters, language: str) -> dict:
    before, after = paging.neighbours()
    return {
        "paging": paging,
        "neighbours": (before, after),
        "page_label": page_label(paging.current, language),
        "previous_query": filters.query_string(page=before.key) if before else "",
        "previous_label": page_label(before, language),
        "next_query": filters.query_string(page=after.key) if after else "",
        "next_label": page_label(after, language),
    }


def filter_choices(events, language: str = "", published_in=None) -> dict:
    """What the timeline's filters offer: the actors and places of the crisis's events (actors
    by their English names on English pages, where they have one). Of the published events of
    the crisis ``published_in``, they are read from its tally, not from every event."""
    if published_in:
        tally = tallies.tally_of(published_in)
        actors, places = Actor.objects.filter(pk__in=tally.actors), tally.places
    else:
        links = EventActor.objects.filter(event__in=events.order_by()).values("actor_id")
        actors, places = Actor.objects.filter(pk__in=links), events.order_by().values("location_id")
    named = actors.order_by("name").values_list("slug", "name", "name_en")
    places = Place.objects.filter(pk__in=places).order_by("name")
    places = list(places.values_list(*mapdata.PLACE_ROW))
    english = language == "en"
    return {
        "actors": [
            (slug, name_en if english and name_en else name) for slug, name, name_en in named
        ],
        "places": [(slug, name, name_en) for _pk, slug, name, name_en, *_rest in places],
        "place_rows": {row[0]: row for row in places},  # for the map's counted points
        "kinds": Event.Kind.choices,
        "verifications": Event.Verification.choices,
    }


def map_title(located: mapdata.MapData) -> str:
    count = located.located
    return ngettext(
        "Map of %(count)s event with a place", "Map of %(count)s events with a place", count
    ) % {"count": count}


def map_settings() -> dict:
    return {
        "outlines": static(OUTLINES),
        "tiles": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
    }


def article_map(located: mapdata.MapData, crisis: Crisis) -> dict:
    """The infobox's map of the crisis's published events, when any has a place."""
    if not located.points:
        return {}
    title = map_title(located)
    return {
        "svg": mapdata.static_svg(located, title, width=320),
        "title": title,
        "url": reverse("events:map_data", args=[crisis.slug]),
        **map_settings(),
    }


def timeline_map(located: mapdata.MapData, crisis: Crisis, filters, unplaced: int) -> dict:
    title = map_title(located)
    for point in located.points:
        point.place_query = filters.query_string(place=point.place_slug, page="")
    query = filters.query_string()
    return {
        "data": located,
        "svg": mapdata.static_svg(located, title, width=640) if located.points else "",
        "title": title,
        "url": reverse("events:map_data", args=[crisis.slug]) + (f"?{query}" if query else ""),
        "listed_slice": f":{mapdata.LISTED_PER_POINT}",
        "legend": kinds.legend({kind for point in located.points for kind in point.kinds}),
        "unplaced": unplaced,
        **map_settings(),
    }

"""Events as ACLED-compatible rows: ACLED's columns in ACLED's order, filled where our data has
a counterpart and left empty where it has none (docs/open-data.md gives the mapping)."""

from __future__ import annotations

import re

from django.db.models import OuterRef, Subquery
from django.utils.html import strip_tags

from crisis_tracker.citations import cited_keys
from crisis_tracker.countries import country_name, lookup
from crisis_tracker.dates import Precision
from events.models import Event, EventActor
from sources.models import Source

COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2",
    "admin3", "location", "latitude", "longitude", "geo_precision", "source", "source_scale",
    "notes", "fatalities", "tags", "timestamp",
]  # fmt: skip

# ACLED's time_precision: 1 the day is known, 3 only the month. A year alone has no code.
TIME_PRECISION = {Precision.DAY: 1, Precision.MONTH: 3}
# ACLED's geo_precision: 1 the town (or spot), 3 only the region. A country alone has no code.
GEO_PRECISION = {"exact": 1, "town": 1, "region": 3}
# Our kinds with a clear ACLED counterpart: (disorder_type, event_type, sub_event_type).
EVENT_TYPES = {
    Event.Kind.KILLING: ("Political violence", "Violence against civilians", "Attack"),
    Event.Kind.OFFENSIVE: ("Political violence", "Battles", "Armed clash"),
    Event.Kind.ARREST: ("Strategic developments", "Strategic developments", "Arrests"),
    Event.Kind.DETENTION: ("Strategic developments", "Strategic developments", "Arrests"),
}
# Whose side of the event an actor is on: initiators are actor 1, targets and the affected
# actor 2; participants and speakers are associated with actor 1.
FIRST, SECOND = {EventActor.Role.INITIATOR}, {EventActor.Role.TARGET, EventActor.Role.AFFECTED}


def with_timestamp(events):
    """Events with the time of their latest history row (one subquery)."""
    latest = Event.history.filter(id=OuterRef("pk")).order_by("-history_date")
    return events.annotate(changed_at=Subquery(latest.values("history_date")[:1]))


def rows(events) -> list[dict]:
    """ACLED rows of ``events`` (from ``with_timestamp``), their sources in one query."""
    events = list(events)
    keys = {key for event in events for key in cited_keys(event.summary)}
    sources = {source.key: source for source in Source.objects.filter(key__in=keys)}
    return [row(event, sources) for event in events]


def row(event: Event, sources: dict) -> dict:
    links = list(event.event_actors.all())
    first = [link.actor.name for link in links if link.role in FIRST]
    second = [link.actor.name for link in links if link.role in SECOND]
    associated = [link.actor.name for link in links if link.role not in FIRST | SECOND]
    place = event.location
    point = event.point()
    country = lookup(place.country) if place else None
    types = EVENT_TYPES.get(event.kind, ("", "", ""))
    keys = cited_keys(event.summary)
    changed = getattr(event, "changed_at", None)
    return {
        "event_id_cnty": f"{event.crisis.slug}/{event.slug}",
        "event_date": event.date.isoformat(),
        "year": event.date.year,
        "time_precision": TIME_PRECISION.get(event.date_precision, ""),
        "disorder_type": types[0],
        "event_type": types[1],
        "sub_event_type": types[2],
        "actor1": "; ".join(first[:1]),
        "assoc_actor_1": "; ".join(first[1:] + associated),
        "inter1": "",
        "actor2": "; ".join(second[:1]),
        "assoc_actor_2": "; ".join(second[1:]),
        "inter2": "",
        "interaction": "",
        "civilian_targeting": "",
        "iso": int(country.numeric) if country else "",
        "region": "",
        "country": country_name(place.country, "en") if place else "",
        "admin1": place.admin1 if place else "",
        "admin2": "",
        "admin3": "",
        "location": place.name_en if place else event.place,
        "latitude": point[0] if point else "",
        "longitude": point[1] if point else "",
        "geo_precision": GEO_PRECISION.get(point[2], "") if point else "",
        "source": "; ".join(
            sources[key].work or sources[key].title for key in keys if key in sources
        ),
        "source_scale": "",
        "notes": f"{event.title}. {plain(event.summary)}",
        "fatalities": event.killed if event.killed is not None else "",
        "tags": f"kind={event.kind}; verification={event.verification}",
        "timestamp": int(changed.timestamp()) if changed else "",
    }


CITATION = re.compile(r"\[@[^\]]*\]")


def plain(summary: str) -> str:
    """The summary without citation markers or markup."""
    return " ".join(strip_tags(CITATION.sub("", summary)).split())

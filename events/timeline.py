"""The timeline of a crisis: its events as readers filter them, grouped by period and paged by
month when there are many, with the map, the charts and the visual timeline of the same events.

One aggregate query counts the selected events by kind and date; paging, the charts and the
visual timeline all read it, so the page's query count does not grow with its events.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext as _

from crisis_tracker.dates import YEAR_SLOT, Period, Precision, overlapping, slot_of

from .models import Event, EventActor

PAGE_SIZE = 300  # beyond this many selected events, the list shows one month at a time


@dataclass
class TimelineFilters:
    actor: str = ""
    kind: str = ""
    verification: str = ""
    place: str = ""
    since: Period | None = None
    until: Period | None = None

    @classmethod
    def from_query(cls, query) -> TimelineFilters:
        """Filters from a query string; a value that names nothing is dropped, not guessed."""
        kind = query.get("kind", "")
        verification = query.get("verification", "")
        return cls(
            actor=query.get("actor", "")[:100],
            kind=kind if kind in Event.Kind.values else "",
            verification=verification if verification in Event.Verification.values else "",
            place=query.get("place", "")[:100],
            since=Period.parse(query.get("from", "")[:10]),
            until=Period.parse(query.get("to", "")[:10]),
        )

    def values(self) -> dict[str, str]:
        return {
            "actor": self.actor,
            "kind": self.kind,
            "verification": self.verification,
            "place": self.place,
            "from": self.since.key if self.since else "",
            "to": self.until.key if self.until else "",
        }

    def cache_name(self) -> str:
        return urlencode(self.values())

    def query_string(self, **changes) -> str:
        values = {**self.values(), **changes}
        return urlencode({name: value for name, value in values.items() if value})

    def for_period(self, period: Period) -> str:
        """The query string that narrows these filters to one period."""
        return self.query_string(**{"from": period.key, "to": period.key})

    @property
    def dated(self) -> bool:
        return self.since is not None or self.until is not None

    def apply(self, events):
        if self.actor:
            links = EventActor.objects.filter(event=OuterRef("pk"), actor__slug=self.actor)
            events = events.filter(Exists(links))
        if self.kind:
            events = events.filter(kind=self.kind)
        if self.verification:
            events = events.filter(verification=self.verification)
        if self.place:
            events = events.filter(location__slug=self.place)
        if self.dated:
            dates = overlapping(self.since, self.until, start="date", precision="date_precision")
            events = events.filter(dates)
        return events


@dataclass
class Slot:
    """A month of the timeline, or what is known only to a year (after its December)."""

    year: int
    month: int  # 1–12, or YEAR_SLOT
    kinds: Counter = field(default_factory=Counter)
    days: Counter = field(default_factory=Counter)  # (date, kind) of events dated to the day
    vague: Counter = field(default_factory=Counter)  # kinds of events known only to this slot

    @property
    def period(self) -> Period:
        return Period.of_slot(self.year, self.month)

    @property
    def total(self) -> int:
        return sum(self.kinds.values())


def count_slots(events) -> list[Slot]:
    """The selected events counted by slot, kind and day, in one query."""
    rows = events.order_by().values_list("date", "date_precision", "kind").annotate(n=Count("pk"))
    slots: dict[tuple[int, int], Slot] = {}
    for date, precision, kind, n in rows:
        key = slot_of(date, precision)
        slot = slots.get(key) or slots.setdefault(key, Slot(*key))
        slot.kinds[kind] += n
        if precision == Precision.DAY:
            slot.days[(date, kind)] += n
        else:
            slot.vague[kind] += n
    return [slots[key] for key in sorted(slots)]


def in_slot(period: Period) -> Q:
    """The events listed under one slot of the timeline."""
    if period.precision == Precision.YEAR:
        return Q(date__year=period.first.year, date_precision=Precision.YEAR)
    return Q(date__range=(period.first, period.last)) & ~Q(date_precision=Precision.YEAR)


@dataclass
class Paging:
    """Which slot the list shows when there are too many events for one page."""

    slots: list[Slot]
    current: Slot | None

    @classmethod
    def choose(cls, slots: list[Slot], wanted: str) -> Paging:
        if sum(slot.total for slot in slots) <= PAGE_SIZE:
            return cls(slots, None)
        by_key = {slot.period.key: slot for slot in slots}
        return cls(slots, by_key.get(wanted, slots[-1]))

    def neighbours(self) -> tuple[Slot | None, Slot | None]:
        if self.current is None:
            return None, None
        at = self.slots.index(self.current)
        before = self.slots[at - 1] if at > 0 else None
        after = self.slots[at + 1] if at + 1 < len(self.slots) else None
        return before, after


def group_rows(rows: list[dict], language: str) -> list[dict]:
    """Rows grouped by year, then by slot: a month's day-dated events first, then those known
    only to the month ("some time in June 2025"); a year's events known only to the year come
    last, as "some time in 2025"."""
    years: dict[int, dict[int, dict]] = defaultdict(dict)
    for row in rows:
        event = row["event"]
        year, month = slot_of(event.date, event.date_precision)
        group = years[year].get(month)
        if group is None:
            period = Period.of_slot(year, month)
            group = years[year][month] = {
                "label": period.label(language) if month != YEAR_SLOT else "",
                "vague_label": _("Some time in %(period)s") % {"period": period.label(language)},
                "rows": [],
                "vague": [],
            }
        exact = event.date_precision == Precision.DAY and month != YEAR_SLOT
        group["rows" if exact else "vague"].append(row)
    return [
        {
            "label": Period(datetime.date(year, 1, 1), Precision.YEAR).label(language),
            "months": [months[month] for month in sorted(months)],
        }
        for year, months in sorted(years.items())
    ]

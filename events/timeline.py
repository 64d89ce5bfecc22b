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


KINDS = frozenset(Event.Kind.values)  # the enums build their lists on every access
VERIFICATIONS = frozenset(Event.Verification.values)


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
            kind=kind if kind in KINDS else "",
            verification=verification if verification in VERIFICATIONS else "",
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

    @property
    def narrows(self) -> bool:
        """Whether anything is chosen: else every event of the crisis is selected."""
        return any(self.values().values())

    def cache_name(self) -> str:
        """What the filters select, as part of a page's cache key (read on every request)."""
        return urlencode(self.values()) if self.narrows else ""

    def api_query(self, crisis_slug: str) -> str:
        """The same selection as the open-data API's event filters, for links to its formats."""
        names = {"from": "date_from", "to": "date_to"}
        chosen = {names.get(name, name): value for name, value in self.values().items() if value}
        return urlencode({"crisis": crisis_slug, **chosen, "page_size": 1000})

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


def counts_of(events):
    """The events counted per date, precision and kind: (date, precision, kind, n) rows."""
    return events.order_by().values_list("date", "date_precision", "kind").annotate(n=Count("pk"))


def count_slots(events) -> list[Slot]:
    """The selected events counted by slot, kind and day, in one query."""
    return slots_of(counts_of(events))


def slots_of(rows) -> list[Slot]:
    """Slots from (date, precision, kind, n) rows. A long timeline reads tens of thousands of
    rows per page, so the loop keeps to plain dictionaries (a Counter's reads and writes cost
    twice theirs), made Counters once counted."""
    counted: dict[tuple[int, int], tuple[dict, dict, dict]] = {}
    day = Precision.DAY.value
    for date, precision, kind, n in rows:
        key = slot_of(date, precision)
        slot = counted.get(key)
        if slot is None:
            slot = counted[key] = ({}, {}, {})
        kinds = slot[0]
        kinds[kind] = kinds.get(kind, 0) + n
        if precision == day:
            days, pair = slot[1], (date, kind)
            days[pair] = days.get(pair, 0) + n
        else:
            vague = slot[2]
            vague[kind] = vague.get(kind, 0) + n
    slots = []
    for (year, month), (kinds, days, vague) in sorted(counted.items()):
        slots.append(Slot(year, month, Counter(kinds), Counter(days), Counter(vague)))
    return slots


def in_slot(period: Period) -> Q:
    """The events listed under one slot of the timeline."""
    if period.precision == Precision.YEAR:
        return Q(date__year=period.first.year, date_precision=Precision.YEAR)
    return Q(date__range=(period.first, period.last)) & ~Q(date_precision=Precision.YEAR)


@dataclass
class TimelinePage:
    """One page of a long timeline: a month (or what is known only to a year), or, for a
    month with more events than a page holds, a run of its days. Days stay together unless one
    day alone holds more than a page: then it is listed a page at a time (its *chunks*), and so
    are more events known only to the month than a page holds. Those events come on the month's
    last pages, after its days."""

    slot: Slot
    days: tuple[datetime.date, datetime.date] | None = None  # None: the whole slot, or chunks
    vague: bool = True  # lists the events known only to the slot
    total: int = 0
    chunk: int = 0  # of a day, or of the events known only to the slot, too many for a page
    chunked: bool = False

    @property
    def key(self) -> str:
        key = self.days[0].isoformat() if self.days else self.slot.period.key
        return f"{key}{CHUNK}{self.chunk + 1}" if self.chunk else key

    @property
    def only_vague(self) -> bool:
        return self.days is None and self.chunked

    def holds(self, day: datetime.date) -> bool:
        return self.days is None or self.days[0] <= day <= self.days[1]

    def condition(self) -> Q:
        period = self.slot.period
        known_to_slot = Q(date=period.first, date_precision=period.precision)
        if self.only_vague:
            return known_to_slot
        if self.days is None:
            return in_slot(period)
        listed = Q(date__range=self.days, date_precision=Precision.DAY)
        return listed | known_to_slot if self.vague else listed

    def window(self) -> slice | None:
        """The slice of the events matching ``condition`` this page lists, when it is a chunk."""
        if not self.chunked:
            return None
        return slice(self.chunk * PAGE_SIZE, self.chunk * PAGE_SIZE + self.total)


CHUNK = "~"  # page=2025-06-27~2: the second page of that day's events


def chunks(slot: Slot, n: int, day: datetime.date | None) -> list[TimelinePage]:
    days = (day, day) if day else None
    return [
        TimelinePage(slot, days, vague=day is None, total=min(PAGE_SIZE, n - start),
                     chunk=number, chunked=True)
        for number, start in enumerate(range(0, n, PAGE_SIZE))
    ]  # fmt: skip


def pages_of(slot: Slot) -> list[TimelinePage]:
    if slot.total <= PAGE_SIZE:
        return [TimelinePage(slot, total=slot.total)]
    per_day: dict[datetime.date, int] = {}
    for (day, _kind), n in slot.days.items():
        per_day[day] = per_day.get(day, 0) + n
    pages, run, count = [], [], 0

    def close_run(vague: int = 0) -> None:
        if run:
            pages.append(TimelinePage(slot, (run[0], run[-1]), vague=bool(vague),
                                      total=count + vague))  # fmt: skip

    for day in sorted(per_day):
        if run and count + per_day[day] > PAGE_SIZE:
            close_run()
            run, count = [], 0
        if per_day[day] > PAGE_SIZE:
            pages += chunks(slot, per_day[day], day)
            continue
        run.append(day)
        count += per_day[day]
    vague = sum(slot.vague.values())
    if run and count + vague <= PAGE_SIZE:
        close_run(vague)
    else:
        close_run()
        if vague:
            pages += chunks(slot, vague, None)
    return pages


@dataclass
class Paging:
    """Which page the list shows when there are too many events for one."""

    pages: list[TimelinePage]
    current: TimelinePage | None

    @classmethod
    def choose(cls, slots: list[Slot], wanted: str) -> Paging:
        if sum(slot.total for slot in slots) <= PAGE_SIZE:
            return cls([], None)
        pages = [page for slot in slots for page in pages_of(slot)]
        return cls(pages, find_page(pages, wanted) or latest(pages))

    def neighbours(self) -> tuple[TimelinePage | None, TimelinePage | None]:
        if self.current is None:
            return None, None
        at = self.pages.index(self.current)
        before = self.pages[at - 1] if at > 0 else None
        after = self.pages[at + 1] if at + 1 < len(self.pages) else None
        return before, after


def page_key(value: str) -> str:
    """The page a query asks for, as a page's key ("" when it names none): a period (2025,
    2025-06, 2025-06-27), then perhaps which of its pages (~2)."""
    period, _sep, number = value[:16].partition(CHUNK)
    wanted = Period.parse(period[:10])
    if wanted is None:
        return ""
    if number.isascii() and number.isdigit() and 2 <= int(number) <= 99999:
        return f"{wanted.key}{CHUNK}{int(number)}"
    return wanted.key


def latest(pages: list[TimelinePage]) -> TimelinePage:
    """The page a long timeline opens at: its latest month (what is known only to a year
    comes after it, one page on)."""
    dated = [page for page in pages if page.slot.month != YEAR_SLOT]
    return dated[-1] if dated else pages[-1]


def find_page(pages: list[TimelinePage], wanted: str) -> TimelinePage | None:
    """The page that lists a day, or the page of a month's (or year's) own events; with a
    chunk number, that page of them."""
    key, _sep, number = wanted.partition(CHUNK)
    period = Period.parse(key)
    if period is None:
        return None
    chunk = int(number) - 1 if number else 0
    slot = slot_of(period.first, period.precision)
    found = [page for page in pages if (page.slot.year, page.slot.month) == slot]
    if period.precision == Precision.DAY:
        found = [page for page in found if page.days and page.holds(period.first)]
    else:
        found = [page for page in found if page.only_vague] or found[-1:]
    return next((page for page in found if page.chunk == chunk), found[0] if found else None)


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

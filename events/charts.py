"""Charts of a crisis's events drawn on the server as SVG (no script, nothing for the CSP to
allow): events per month by kind, figures over time with the sources behind each bar, and the
visual timeline. Each has a table alternative in the page and a CSV of the same numbers."""

from __future__ import annotations

import datetime
import functools
import math
import operator
from collections import Counter
from dataclasses import dataclass, field
from functools import reduce

from django.db.models import (
    Aggregate,
    BooleanField,
    Count,
    ExpressionWrapper,
    Q,
    Sum,
    TextField,
    Value,
)
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from crisis_tracker.citations import cited_keys
from crisis_tracker.dates import YEAR_SLOT, Period, Precision, slot_of

from . import kinds
from .models import Event
from .timeline import Slot, TimelineFilters

FIGURES = ("killed", "injured", "detained")
FIGURE_COLOURS = {"killed": "#b3261e", "injured": "#f08c00", "detained": "#5f3dc4"}
WIDTH = 720
BAR_AREA = 160


def slot_label(slot: Slot, language: str) -> str:
    return period_label((slot.year, slot.month), language)


def period_label(slot: tuple[int, int], language: str) -> str:
    """ "June 2025" for a month; "some time in 2025" for what is known only to the year."""
    period = Period.of_slot(*slot)
    if slot[1] == YEAR_SLOT:
        return _("Some time in %(period)s") % {"period": period.label(language)}
    return period.label(language)


# Events per month by kind --------------------------------------------------------------------


def per_month_table(slots: list[Slot], language: str) -> dict:
    present = kinds.legend({kind for slot in slots for kind in slot.kinds})
    rows = [
        {
            "slot": slot,
            "label": slot_label(slot, language),
            "counts": [slot.kinds.get(k["kind"], 0) for k in present],
            "total": slot.total,
        }
        for slot in slots
    ]
    return {"kinds": present, "rows": rows}


def bar_width(count: int) -> float:
    return min(48.0, (WIDTH - 40) / max(count, 1))


def per_month_svg(
    slots: list[Slot], filters: TimelineFilters, language: str, href=None
) -> SafeString:
    """Stacked bars, one per month with events (and one per year for what is known only to
    the year), each a link that narrows the timeline to that period (or, with ``href``, to
    the address it gives a slot; none where it gives none)."""
    if not slots:
        return mark_safe("")
    peak = max(slot.total for slot in slots)
    step = bar_width(len(slots))
    # Each kind's colour and name escaped once: a chart of many months has thousands of bars.
    present = {kind for slot in slots for kind in slot.kinds}
    named = {e["kind"]: (escape(e["colour"]), escape(e["label"])) for e in kinds.legend(present)}
    order = list(named)  # the legend's order, which each bar stacks its kinds in
    parts = []
    for i, slot in enumerate(slots):
        x = 30 + i * step
        y = BAR_AREA + 10
        label = slot_label(slot, language)
        segments = []
        for kind in order:
            if kind not in slot.kinds:
                continue
            n = slot.kinds[kind]
            height = BAR_AREA * n / peak
            y -= height
            colour, name = named[kind]
            segments.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{step * 0.8:.1f}" height="{height:.1f}" '
                f'fill="{colour}"><title>{escape(label)} · {name}: {n}</title></rect>'
            )
        bar = format_html(
            '<g class="bar{}">{}</g>',
            " vague" if slot.month == YEAR_SLOT else "",
            mark_safe("".join(segments)),
        )
        address = href(slot) if href else f"?{filters.for_period(slot.period)}"
        if address:
            bar = format_html('<a href="{}" aria-label="{}">{}</a>', address,
                              f"{label}: {slot.total}", bar)  # fmt: skip
        parts.append(bar)
    axis = format_html(
        '<line x1="28" y1="{}" x2="{}" y2="{}" class="axis"/><text x="0" y="14">{}</text>',
        BAR_AREA + 10, WIDTH, BAR_AREA + 10, peak,
    )  # fmt: skip
    ends = x_labels([(slot.year, slot.month) for slot in slots], step)
    title = _("Events per month by kind")
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="chart-per-month-title">'
        '<title id="chart-per-month-title">{}</title>{}{}{}</svg>',
        WIDTH, BAR_AREA + 34, title, axis, mark_safe("".join(parts)), ends,
    )  # fmt: skip


def short_label(slot: tuple[int, int]) -> str:
    """2025-06 for a month, 2025 for what is known only to the year."""
    return Period.of_slot(*slot).key


def x_labels(slots: list[tuple[int, int]], step: float) -> SafeString:
    """A label under every bar when they fit, else under evenly spaced ones."""
    every = max(1, math.ceil(44 / step))
    return format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="middle" class="tick">{}</text>',
        (
            (f"{30 + i * step + step * 0.4:.1f}", BAR_AREA + 26, short_label(slot))
            for i, slot in enumerate(slots)
            if i % every == 0
        ),
    )


# Figures over time ---------------------------------------------------------------------------


@dataclass
class FigureBar:
    slot: tuple[int, int]
    figure: str
    total: int = 0
    events: int = 0
    sources: set = field(default_factory=set)
    counted_sources: int | None = None  # how many, when only the number was kept (a tally)

    @property
    def source_count(self) -> int:
        return len(self.sources) if self.counted_sources is None else self.counted_sources

    @property
    def period(self) -> Period:
        return Period.of_slot(*self.slot)


class Joined(Aggregate):
    """A group's texts joined by newlines (STRING_AGG on PostgreSQL, GROUP_CONCAT on SQLite)."""

    function = "STRING_AGG"
    output_field = TextField()

    def __init__(self, expression, **extra):
        super().__init__(expression, Value("\n"), **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


def figure_bars(events) -> list[FigureBar]:
    """Killed, injured and detained summed per month, each with the sources its events cite.
    The database sums them per date and set of figures given, with the group's texts joined,
    so a crisis of many events is read as a few thousand rows."""
    given = {
        f"has_{name}": ExpressionWrapper(Q(**{f"{name}__isnull": False}), BooleanField())
        for name in FIGURES
    }
    rows = (
        events.filter(reduce(operator.or_, given.values()))
        .order_by()
        .annotate(**given)
        .values_list("date", "date_precision", *given)
        .annotate(**{f"sum_{name}": Sum(name) for name in FIGURES})
        .annotate(n=Count("pk"), texts=Joined("summary"))
    )
    bars: dict[tuple, FigureBar] = {}
    for date, precision, *flags_and_sums, n, texts in rows:
        slot, keys = slot_of(date, precision), set(cited_keys(texts))
        flags, sums = flags_and_sums[: len(FIGURES)], flags_and_sums[len(FIGURES) :]
        for name, present, total in zip(FIGURES, flags, sums, strict=True):
            if not present:
                continue
            bar = bars.get((slot, name)) or bars.setdefault((slot, name), FigureBar(slot, name))
            bar.total += total
            bar.events += n
            bar.sources |= keys
    order = {name: i for i, name in enumerate(FIGURES)}
    return sorted(bars.values(), key=lambda bar: (bar.slot, order[bar.figure]))


def figure_legend() -> list[tuple[str, str, str]]:
    labels = figure_labels()
    return [(name, labels[name], FIGURE_COLOURS[name]) for name in FIGURES]


def figure_labels() -> dict[str, str]:
    return {name: str(Event._meta.get_field(name).verbose_name) for name in FIGURES}


def figures_table(bars: list[FigureBar], language: str) -> list[dict]:
    labels = figure_labels()
    return [
        {
            "period": period_label(bar.slot, language),
            "key": bar.period.key,
            "figure": labels[bar.figure],
            "total": bar.total,
            "events": bar.events,
            "sources": bar.source_count,
        }
        for bar in bars
    ]


def figures_svg(bars: list[FigureBar], filters: TimelineFilters, language: str) -> SafeString:
    if not bars:
        return mark_safe("")
    labels = figure_labels()
    slots = sorted({bar.slot for bar in bars})
    peak = max(bar.total for bar in bars)
    step = bar_width(len(slots))
    width = step * 0.8 / len(FIGURES)
    parts = []
    for i, slot in enumerate(slots):
        period = Period.of_slot(*slot)
        group = []
        for bar in (b for b in bars if b.slot == slot):
            x = 30 + i * step + FIGURES.index(bar.figure) * width
            height = max(BAR_AREA * bar.total / peak, 1)
            group.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>',
                    f"{x:.1f}",
                    f"{BAR_AREA + 10 - height:.1f}",
                    f"{width:.1f}",
                    f"{height:.1f}",
                    FIGURE_COLOURS[bar.figure],
                    _("%(period)s · %(figure)s: %(total)s (%(sources)s sources)")
                    % {
                        "period": period.label(language),
                        "figure": labels[bar.figure],
                        "total": bar.total,
                        "sources": bar.source_count,
                    },
                )  # fmt: skip
            )
        link = format_html('<a href="?{}">', filters.for_period(period))
        parts.append(link + mark_safe("".join(group)) + mark_safe("</a>"))
    title = _("Figures over time")
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="chart-figures-title">'
        '<title id="chart-figures-title">{}</title><text x="0" y="14">{}</text>'
        '<line x1="28" y1="{}" x2="{}" y2="{}" class="axis"/>{}{}</svg>',
        WIDTH, BAR_AREA + 34, title, peak, BAR_AREA + 10, WIDTH, BAR_AREA + 10,
        mark_safe("".join(parts)), x_labels(slots, step),
    )  # fmt: skip


# The visual timeline --------------------------------------------------------------------------

BAND = 22
LEFT = 130


GAP = 14  # between years that are not consecutive, marked as a break


@dataclass(frozen=True)
class Axis:
    """Time along x: each year with events gets an equal segment (a break between years that
    are not consecutive), so a crisis with a long background stays readable."""

    years: tuple[int, ...]

    @classmethod
    def of(cls, slots: list[Slot]) -> Axis:
        return cls(tuple(sorted({slot.year for slot in slots})))

    @functools.cached_property
    def breaks(self) -> list[int]:
        """Indexes of the years that follow a gap."""
        return [i for i in range(1, len(self.years)) if self.years[i] != self.years[i - 1] + 1]

    @functools.cached_property
    def segment(self) -> float:
        return (WIDTH - LEFT - GAP * len(self.breaks)) / len(self.years)

    def start(self, year: int) -> float:
        at = self.years.index(year)
        gaps = sum(1 for i in self.breaks if i <= at)
        return LEFT + at * self.segment + gaps * GAP

    def x(self, day: datetime.date) -> float:
        first = datetime.date(day.year, 1, 1)
        length = (datetime.date(day.year + 1, 1, 1) - first).days
        return self.start(day.year) + self.segment * (day - first).days / length

    def end(self, period: Period) -> float:
        """Where the last day of ``period`` ends."""
        following = period.last + datetime.timedelta(days=1)
        if following.year != period.last.year:
            return self.start(period.last.year) + self.segment
        return self.x(following)

    def columns(self) -> list[Period]:
        """The periods a reader can choose: the months of each year shown."""
        return [Period.of_slot(year, month) for year in self.years for month in range(1, 13)]


def visual_timeline_svg(slots: list[Slot], filters: TimelineFilters, language: str) -> SafeString:
    """A band per kind along a time axis: a dot for each day with events, a bar across the
    month or the year for events known only to it. Each column is a link to its period."""
    if not slots:
        return mark_safe("")
    axis = Axis.of(slots)
    legend = kinds.legend({kind for slot in slots for kind in slot.kinds})
    rows = {entry["kind"]: i for i, entry in enumerate(legend)}
    height = 24 + BAND * len(legend)
    colours = {kind: escape(kinds.colour(kind)) for kind in rows}  # escaped once: many marks
    marks = []
    for slot in slots:
        period = slot.period
        x0, x1 = axis.x(period.first), axis.end(period)
        label = escape(slot_label(slot, language))
        year = " year" if slot.month == YEAR_SLOT else ""
        for kind, n in slot.vague.items():
            y = 24 + rows[kind] * BAND + 4
            marks.append(
                f'<rect class="span{year}" x="{x0:.1f}" y="{y}" width="{max(x1 - x0, 2):.1f}" '
                f'height="{BAND - 8}" fill="{colours[kind]}" stroke="{colours[kind]}">'
                f"<title>{label}: {n}</title></rect>"
            )
    for (first, last, kind), n in day_dots(slots).items():
        middle = first + (last - first) / 2
        label = Period(first, Precision.DAY).label(language)
        if last != first:
            label = f"{label}–{Period(last, Precision.DAY).label(language)}"
        marks.append(
            f'<circle cx="{axis.x(middle):.1f}" cy="{24 + rows[kind] * BAND + BAND // 2}" '
            f'r="{min(3 + math.sqrt(n), 9):.1f}" fill="{colours[kind]}">'
            f"<title>{escape(label)}: {n}</title></circle>"
        )
    bands = format_html_join(
        "",
        '<text x="0" y="{}" class="band-label">{}</text>',
        ((24 + i * BAND + 15, entry["label"]) for i, entry in enumerate(legend)),
    )
    columns = [
        format_html(
            '<a href="?{}" aria-label="{}"><rect class="column{}" x="{}" y="18" width="{}" '
            'height="{}"/></a>',
            filters.for_period(period),
            period.label(language),
            " chosen" if chosen(filters, period) else "",
            f"{axis.x(period.first):.1f}",
            f"{axis.segment / 12:.1f}",
            height - 18,
        )  # fmt: skip
        for period in axis.columns()
    ]
    for year in axis.years:
        period = Period(datetime.date(year, 1, 1), Precision.YEAR)
        columns.append(
            format_html(
                '<a href="?{}"><text x="{}" y="14" class="year{}">{}</text></a>',
                filters.for_period(period),
                f"{axis.start(year) + 2:.1f}",
                " chosen" if chosen(filters, period) else "",
                year,
            )  # fmt: skip
        )
    for i in axis.breaks:
        x = axis.start(axis.years[i]) - GAP / 2
        columns.append(format_html('<text x="{}" y="14" class="break">⋯</text>', f"{x - 4:.1f}"))
    title = _("Visual timeline: choose a period to see its events")
    return format_html(
        '<svg class="visual-timeline" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="visual-timeline-title"><title id="visual-timeline-title">{}</title>'
        "{}{}{}</svg>",
        WIDTH, height, title, mark_safe("".join(columns)), bands, mark_safe("".join(marks)),
    )  # fmt: skip


DOTS_LIMIT = 600  # dots on the visual timeline; beyond, days of one kind merge by week


def day_dots(slots: list[Slot]) -> Counter:
    """Day-dated events per (first day, last day, kind): one dot per day, or per week when
    that would draw more than DOTS_LIMIT dots, or per month beyond that."""
    if sum(len(slot.days) for slot in slots) <= DOTS_LIMIT:  # a day belongs to one slot
        counted = (item for slot in slots for item in slot.days.items())
        return Counter({(day, day, kind): n for (day, kind), n in counted})
    by_month = month_dots(slots)
    if len(by_month) > DOTS_LIMIT:  # then weeks, finer, draw more still
        return by_month
    days: dict = {}
    for slot in slots:
        days.update(slot.days)
    spans = {day: span_of(day, "week") for day in {day for day, _kind in days}}
    by_week: dict = {}
    for (day, kind), n in days.items():
        key = (*spans[day], kind)
        by_week[key] = by_week.get(key, 0) + n
    return Counter(by_week) if len(by_week) <= DOTS_LIMIT else by_month


def month_dots(slots: list[Slot]) -> Counter:
    """Day-dated events per month and kind, from each month's counts (all its events of a
    kind less those known only to the month)."""
    dots = Counter()
    for slot in slots:
        if slot.month == YEAR_SLOT:
            continue
        period = slot.period
        for kind, n in slot.kinds.items():
            if n > slot.vague[kind]:
                dots[(period.first, period.last, kind)] = n - slot.vague[kind]
    return dots


def span_of(day: datetime.date, width: str) -> tuple[datetime.date, datetime.date]:
    if width == "week":
        first = day - datetime.timedelta(days=day.weekday())
        last = first + datetime.timedelta(days=6)
        return max(first, day.replace(month=1, day=1)), min(last, day.replace(month=12, day=31))
    if width == "month":
        first = day.replace(day=1)
        return first, Period(first, Precision.MONTH).last
    return day, day


def chosen(filters: TimelineFilters, period: Period) -> bool:
    return filters.since == period and filters.until == period


# CSV ----------------------------------------------------------------------------------------


def per_month_csv_rows(slots: list[Slot]) -> list[list]:
    """period (2025-06, or 2025 for what is known only to the year), precision, kind, events."""
    rows = [["period", "period_precision", "kind", "events"]]
    for slot in slots:
        period = slot.period
        for entry in kinds.legend(slot.kinds):
            rows.append([period.key, period.precision, entry["kind"], slot.kinds[entry["kind"]]])
    return rows


def figures_csv_rows(bars: list[FigureBar]) -> list[list]:
    rows = [["period", "period_precision", "figure", "total", "events", "sources", "source_keys"]]
    for bar in bars:
        period = bar.period
        rows.append(
            [
                period.key, period.precision, bar.figure, bar.total, bar.events,
                len(bar.sources), " ".join(sorted(bar.sources)),
            ]
        )  # fmt: skip
    return rows

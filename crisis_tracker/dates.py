"""Dates known to a year, a month or a day, and how they read in each interface language."""

import datetime
import re
from dataclasses import dataclass

from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

ENGLISH_MONTHS = (
    "January February March April May June July August September October November December"
).split()


class Precision(models.TextChoices):
    YEAR = "year", _("year")
    MONTH = "month", _("month")
    DAY = "day", _("day")


def format_date(value: datetime.date | None, precision: str, language: str | None = None) -> str:
    """Format a date at its precision: 2001年 / 2024年12月 / 2025年6月27日 in Chinese,
    2001 / December 2024 / 27 June 2025 in English."""
    if value is None:
        return ""
    language = language or get_language() or "zh-hans"
    if language.startswith("zh"):
        if precision == Precision.YEAR:
            return f"{value.year}年"
        if precision == Precision.MONTH:
            return f"{value.year}年{value.month}月"
        return f"{value.year}年{value.month}月{value.day}日"
    if precision == Precision.YEAR:
        return str(value.year)
    month = ENGLISH_MONTHS[value.month - 1]
    if precision == Precision.MONTH:
        return f"{month} {value.year}"
    return f"{value.day} {month} {value.year}"


def iso_date(value: datetime.date | None, precision: str) -> str:
    """ISO 8601 at a precision: 2025-07-03, 2025-07 or 2025."""
    if value is None:
        return ""
    return value.isoformat()[: {Precision.YEAR: 4, Precision.MONTH: 7}.get(precision, 10)]


FINENESS = {Precision.YEAR: 0, Precision.MONTH: 1, Precision.DAY: 2}
SHORT_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?$")


def short_date(text: str) -> tuple[datetime.date, str] | None:
    """ "2025" or "2025-06" as (its first day, the precision it names); None for other text."""
    match = SHORT_DATE.match(text) if isinstance(text, str) else None
    if match is None:
        return None
    year, month = int(match[1]), int(match[2] or 1)
    if not 1 <= month <= 12 or year < datetime.MINYEAR:
        return None
    return datetime.date(year, month, 1), Precision.MONTH if match[2] else Precision.YEAR


def finer(precision: str, than: str) -> bool:
    return FINENESS[Precision(precision)] > FINENESS[Precision(than)]


def date_precisions(model) -> dict[str, str]:
    """Each date field of ``model`` that has a precision, with the name of that precision."""
    if issubclass(model, DateSpan):
        return {model.START: model.START_PRECISION, "end_date": "end_precision"}
    return dict(getattr(model, "DATE_PRECISIONS", {}))


def truncate(value: datetime.date | str, precision: str) -> datetime.date:
    """The first day of the period a date stands for, so equal periods compare equal."""
    if isinstance(value, str):
        value = datetime.date.fromisoformat(value)
    if precision == Precision.YEAR:
        return value.replace(month=1, day=1)
    if precision == Precision.MONTH:
        return value.replace(day=1)
    return value


class DateSpan(models.Model):
    """A period that starts on a date known to a year, month or day and may end on another.

    Each concrete span names its start fields (an event's ``date``, a crisis's ``start_date``),
    so it is made with ``date_span()``. Dates are stored as the first day of the period their
    precision names, and the database refuses an end before the start.
    """

    START = "date"
    START_PRECISION = "date_precision"

    class Meta:
        abstract = True

    def normalise(self) -> None:
        """Store each date as the first day of the period its precision names."""
        start = getattr(self, self.START)
        if start:
            setattr(self, self.START, truncate(start, getattr(self, self.START_PRECISION)))
        if self.end_date:
            self.end_date = truncate(self.end_date, self.end_precision)

    def save(self, *args, **kwargs) -> None:
        self.normalise()
        super().save(*args, **kwargs)

    def start_display(self, language: str | None = None) -> str:
        start, precision = getattr(self, self.START), getattr(self, self.START_PRECISION)
        return format_date(start, precision, language)

    def end_display(self, language: str | None = None) -> str:
        return format_date(self.end_date, self.end_precision, language)

    def span_display(self, language: str | None = None) -> dict[str, str]:
        return {"start": self.start_display(language), "end": self.end_display(language)}


def date_span(
    *,
    start: str,
    precision: str,
    start_label,
    precision_label,
    start_help="",
    precision_help="",
    end_help="",
    end_before_start,
) -> type[DateSpan]:
    """An abstract ``DateSpan`` whose start fields are called ``start`` and ``precision``."""
    end_after_start = models.CheckConstraint(
        condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F(start)),
        name="%(class)s_end_after_start",
        violation_error_message=end_before_start,
    )
    attributes = {
        "__module__": __name__,
        "Meta": type("Meta", (), {"abstract": True, "constraints": [end_after_start]}),
        "START": start,
        "START_PRECISION": precision,
        start: models.DateField(start_label, help_text=start_help),
        precision: models.CharField(
            precision_label,
            max_length=5,
            choices=Precision,
            default=Precision.DAY,
            help_text=precision_help,
        ),
        "end_date": models.DateField(_("end date"), null=True, blank=True, help_text=end_help),
        "end_precision": models.CharField(
            _("end date precision"), max_length=5, choices=Precision, default=Precision.DAY
        ),
    }
    return type(f"DateSpanFrom_{start}", (DateSpan,), attributes)


YEAR_SLOT = 13  # the month slot of what is known only to its year: after December


def month_slot(start: str, precision: str):
    """The month a date falls in (1–12), or YEAR_SLOT for a date known only to its year."""
    return Case(
        When(**{precision: Precision.YEAR}, then=Value(YEAR_SLOT)), default=ExtractMonth(start)
    )


_YEAR = Precision.YEAR.value  # a plain string: reading an enum member costs a lookup each time


def slot_of(date: datetime.date, precision: str) -> tuple[int, int]:
    """(year, month slot) of a date at its precision, as ``month_slot`` counts them."""
    return (date.year, YEAR_SLOT if precision == _YEAR else date.month)


def chronological_order(start: str, precision: str, prefix: str = "") -> list:
    """How dated rows sort: by period, a period's finer dates before what is known only to it.
    A year's months come first and the rows dated only to that year last ("2025年内"); within
    a month its days come first, then the rows dated only to that month. ``prefix`` reaches
    the date through a relation (``"event__"``)."""
    start, precision = prefix + start, prefix + precision
    return [
        ExtractYear(start).asc(),
        month_slot(start, precision).asc(),
        Case(When(**{precision: Precision.DAY}, then=Value(0)), default=Value(1)).asc(),
        F(start).asc(),
    ]


def last_day(first: datetime.date, precision: str) -> datetime.date:
    """The last day of the period that starts on ``first`` at ``precision``."""
    if precision == Precision.YEAR:
        return first.replace(month=12, day=31)
    if precision == Precision.MONTH:
        following = first.replace(day=28) + datetime.timedelta(days=4)
        return following - datetime.timedelta(days=following.day)
    return first


@dataclass(frozen=True)
class Period:
    """A year, a month or a day, as readers and clients name it: 2025, 2025-06, 2025-06-27."""

    first: datetime.date
    precision: str

    @classmethod
    def parse(cls, text: str) -> "Period | None":
        text = (text or "").strip()
        found = short_date(text)
        if found:
            return cls(*found)
        try:
            return (
                cls(datetime.date.fromisoformat(text), Precision.DAY) if len(text) == 10 else None
            )
        except ValueError:
            return None

    @classmethod
    def of_slot(cls, year: int, slot: int) -> "Period":
        if slot == YEAR_SLOT:
            return cls(datetime.date(year, 1, 1), Precision.YEAR)
        return cls(datetime.date(year, slot, 1), Precision.MONTH)

    @property
    def last(self) -> datetime.date:
        return last_day(self.first, self.precision)

    @property
    def key(self) -> str:
        return iso_date(self.first, self.precision)

    def label(self, language: str | None = None) -> str:
        return format_date(self.first, self.precision, language)


def reaches(day: datetime.date, start: str, precision: str) -> Q:
    """Rows whose date, at its precision, lasts until ``day`` or later: "June 2025" reaches
    15 June 2025, "2025" reaches any day of 2025."""
    return (
        Q(**{precision: Precision.DAY, f"{start}__gte": day})
        | Q(**{precision: Precision.MONTH, f"{start}__gte": day.replace(day=1)})
        | Q(**{precision: Precision.YEAR, f"{start}__gte": day.replace(month=1, day=1)})
    )


def overlapping(since: Period | None, until: Period | None, *, start: str, precision: str) -> Q:
    """Rows of a ``DateSpan`` whose period overlaps the range from ``since`` to ``until``
    (either may be open), each date read at its precision."""
    condition = Q()
    if until is not None:
        condition &= Q(**{f"{start}__lte": until.last})
    if since is not None:
        day = since.first
        open_ended = Q(end_date__isnull=True) & reaches(day, start, precision)
        ended = Q(end_date__isnull=False) & reaches(day, "end_date", "end_precision")
        condition &= open_ended | ended
    return condition

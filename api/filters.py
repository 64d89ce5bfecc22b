"""Filters on the API's events. Each refuses a value it cannot read with a 400 that says why;
nothing is guessed."""

from __future__ import annotations

import datetime
import re

import pycountry
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField
from drf_spectacular.utils import extend_schema_field

from actors.models import Participation
from crisis_tracker.countries import validate_country_code
from crisis_tracker.dates import Period, overlapping
from crisis_tracker.narrative import keys_cited_by
from events.models import Assessment, Crisis, CrisisRevision, Event, EventActor, Section
from sources.models import Source

# What the schema says each parameter accepts, so a client knows before it asks; the filters
# refuse the rest with a 400, an empty value included.
YEAR = r"(000[1-9]|00[1-9]\d|0[1-9]\d{2}|[1-9]\d{3})"
LEAP_YEAR = r"(\d{2}(0[48]|[2468][048]|[13579][26])|(0[48]|[2468][048]|[13579][26])00)"
MONTH = r"(0[1-9]|1[0-2])"
PERIOD = (  # a year, a month, or a day that exists (2025, 2025-06, 2025-06-27, 2024-02-29)
    rf"^({YEAR}(-{MONTH}(-(0[1-9]|1\d|2[0-8]))?)?|{YEAR}-(0[13-9]|1[0-2])-(29|30)"
    rf"|{YEAR}-(0[13578]|1[02])-31|{LEAP_YEAR}-02-29)$"
)
NUMBER = r"-?\d{1,3}(\.\d+)?"
BBOX = rf"^{NUMBER},{NUMBER},{NUMBER},{NUMBER}$"
RFC3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", re.ASCII
)


def validate_rfc3339(value: str) -> None:
    if not RFC3339.fullmatch(value):
        raise ValidationError(
            "%(value)r is not an RFC 3339 date-time: use e.g. 2025-07-01T00:00:00Z.",
            params={"value": value},
        )


class RFC3339Field(IsoDateTimeField):
    def to_python(self, value):
        if value not in self.empty_values:
            validate_rfc3339(str(value))
        found = super().to_python(value)
        if found is None:
            return None
        try:  # in UTC: a database keeps offsets to ±15:59 only (RFC 3339 allows ±23:59)
            return found.astimezone(datetime.UTC)
        except OverflowError:
            raise ValidationError("%(value)r is out of range.", params={"value": value}) from None


class RFC3339Filter(filters.IsoDateTimeFilter):
    field_class = RFC3339Field


@extend_schema_field({"type": "string", "pattern": PERIOD})
class PeriodFilter(filters.CharFilter):
    pass


@extend_schema_field({"type": "string", "enum": sorted(c.alpha_2 for c in pycountry.countries)})
class CountryFilter(filters.CharFilter):
    pass


@extend_schema_field({"type": "string", "pattern": BBOX})
class BoxFilter(filters.CharFilter):
    pass


SLUG = r"^[-a-zA-Z0-9_]*$"


def validate_slug(value: str) -> None:
    if not re.fullmatch(SLUG, value):
        raise ValidationError("A slug is letters, digits, hyphens and underscores.")


@extend_schema_field({"type": "string", "pattern": SLUG})
class SlugFilter(filters.CharFilter):
    """A slug: any other text is refused (it could name nothing)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("validators", [validate_slug])
        super().__init__(*args, **kwargs)


def changed_since(queryset, moment):
    """The rows created or changed at or after ``moment``, from their model's history."""
    changed = queryset.model.history.filter(history_date__gte=moment).values("id")
    return queryset.filter(pk__in=changed)


class StrictFilterSet(filters.FilterSet):
    """A parameter given must have a value its filter accepts: ``kind=`` is refused, as the
    schema has no empty kind (DRF's filters would ignore it). ``MAY_BE_EMPTY`` lists the plain
    strings, for which empty is a value."""

    MAY_BE_EMPTY: tuple[str, ...] = ()

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for name in self.filters:
            if name in self.data and name not in self.MAY_BE_EMPTY and not self.data.get(name):
                self.form.add_error(name, "Give a value, or leave the parameter out.")
                valid = False
        return valid


def validate_period(value: str) -> None:
    if not re.fullmatch(PERIOD, value, re.ASCII) or Period.parse(value) is None:
        # The value goes in as a parameter: text of the client's is never a format string.
        raise ValidationError(
            "%(value)r is not a date: use 2025, 2025-06 or 2025-06-27.", params={"value": value}
        )


def bbox(value: str) -> tuple[float, float, float, float]:
    """west,south,east,north in degrees, as GeoJSON orders a bounding box. A box from west to
    east across 180° wraps around; one whose south is above its north holds nothing."""
    if not re.fullmatch(BBOX, value, re.ASCII):
        raise ValidationError("Give four numbers: west,south,east,north (e.g. 44,38,52,43).")
    west, south, east, north = (float(part) for part in value.split(","))
    return west, south, east, north


class EventFilter(StrictFilterSet):
    MAY_BE_EMPTY = ("crisis", "actor", "place")

    crisis = SlugFilter(field_name="crisis__slug", help_text="A crisis slug.")
    actor = SlugFilter(method="filter_actor", help_text="An actor slug.")
    role = filters.ChoiceFilter(
        method="filter_actor", choices=EventActor.Role.choices,
        help_text="The role an actor plays (with actor: that actor's role).",
    )  # fmt: skip
    kind = filters.ChoiceFilter(choices=Event.Kind.choices)
    verification = filters.ChoiceFilter(choices=Event.Verification.choices)
    date_from = PeriodFilter(
        method="filter_dates",
        validators=[validate_period],
        help_text="2025, 2025-06 or 2025-06-27. An event dated to a month or a year matches "
        "when that period overlaps the range.",
    )
    date_to = PeriodFilter(
        method="filter_dates", validators=[validate_period], help_text="As date_from."
    )
    country = CountryFilter(
        field_name="location__country",
        validators=[validate_country_code],
        help_text="ISO 3166-1 code, e.g. AZ.",
    )
    place = SlugFilter(field_name="location__slug", help_text="A place slug.")
    bbox = BoxFilter(
        method="filter_bbox",
        validators=[bbox],
        help_text="west,south,east,north: events whose point is inside.",
    )
    updated_since = RFC3339Filter(
        method="filter_updated_since",
        help_text="Events created or changed at or after this time (RFC 3339, e.g. "
        "2025-07-01T00:00:00Z), from the history.",
    )

    class Meta:
        model = Event
        fields = []

    def filter_actor(self, queryset, name, value):
        actor, role = self.data.get("actor"), self.data.get("role")
        links = EventActor.objects.filter(event=OuterRef("pk"))
        if actor:
            links = links.filter(actor__slug=actor)
        if role:
            links = links.filter(role=role)
        return queryset.filter(Exists(links))

    def filter_dates(self, queryset, name, value):
        since = Period.parse(self.form.cleaned_data.get("date_from") or "")
        until = Period.parse(self.form.cleaned_data.get("date_to") or "")
        return queryset.filter(overlapping(since, until, start="date", precision="date_precision"))

    def filter_bbox(self, queryset, name, value):
        west, south, east, north = bbox(value)
        queryset = queryset.with_point().filter(point_lat__gte=south, point_lat__lte=north)
        if west <= east:
            return queryset.filter(point_lon__gte=west, point_lon__lte=east)
        return queryset.filter(Q(point_lon__gte=west) | Q(point_lon__lte=east))  # across 180°

    def filter_updated_since(self, queryset, name, value):
        return changed_since(queryset, value)


MONTH_OF_YEAR = rf"^{YEAR}-{MONTH}$"  # 2025-06


def validate_month(value: str) -> None:
    if not re.fullmatch(MONTH_OF_YEAR, value, re.ASCII):
        raise ValidationError("%(value)r is not a month: use 2025-06.", params={"value": value})


@extend_schema_field({"type": "string", "pattern": MONTH_OF_YEAR})
class MonthFilter(filters.CharFilter):
    pass


class AssessmentFilter(StrictFilterSet):
    MAY_BE_EMPTY = ("crisis",)

    crisis = SlugFilter(field_name="crisis__slug", help_text="A crisis slug.")
    month = MonthFilter(
        method="filter_month",
        validators=[validate_month],
        help_text="The month assessed: 2025-06.",
    )
    trend = filters.ChoiceFilter(choices=Assessment.Trend.choices)
    updated_since = RFC3339Filter(
        method="filter_updated_since",
        help_text="Assessments created or changed at or after this time (RFC 3339), from the "
        "history.",
    )

    class Meta:
        model = Assessment
        fields = []

    def filter_month(self, queryset, name, value):
        return queryset.filter(month=Period.parse(value).first)

    def filter_updated_since(self, queryset, name, value):
        return changed_since(queryset, value)


class RevisionFilter(StrictFilterSet):
    MAY_BE_EMPTY = ("crisis",)

    crisis = SlugFilter(field_name="crisis__slug", help_text="A crisis slug.")

    class Meta:
        model = CrisisRevision
        fields = []


def published_texts_of(crisis: Crisis) -> list:
    """The published crisis and its published parts: every text readers see of it."""
    return [
        crisis,
        *Section.objects.published().filter(crisis=crisis),
        *Event.objects.published().filter(crisis=crisis),
        *Participation.objects.published().filter(crisis=crisis),
        *Assessment.objects.published().filter(crisis=crisis),
    ]


class SourceFilter(StrictFilterSet):
    MAY_BE_EMPTY = ("crisis",)

    crisis = SlugFilter(
        method="filter_crisis",
        help_text="A crisis slug: the sources its published text cites (its bibliography).",
    )

    class Meta:
        model = Source
        fields = []

    def filter_crisis(self, queryset, name, value):
        crisis = Crisis.objects.published().filter(slug=value).first()
        if crisis is None:
            return queryset.none()
        return queryset.filter(key__in=keys_cited_by(published_texts_of(crisis)))

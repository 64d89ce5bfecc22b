"""Filters on the API's events. Each refuses a value it cannot read with a 400 that says why;
nothing is guessed."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django_filters import rest_framework as filters

from actors.models import Participation
from crisis_tracker.countries import validate_country_code
from crisis_tracker.dates import Period, overlapping
from crisis_tracker.narrative import keys_cited_by
from events.models import Crisis, CrisisRevision, Event, EventActor, Section
from sources.models import Source


def validate_period(value: str) -> None:
    if Period.parse(value) is None:
        # The value goes in as a parameter: text of the client's is never a format string.
        raise ValidationError(
            "%(value)r is not a date: use 2025, 2025-06 or 2025-06-27.", params={"value": value}
        )


def bbox(value: str) -> tuple[float, float, float, float]:
    """west,south,east,north in degrees, as GeoJSON orders a bounding box."""
    try:
        west, south, east, north = (float(part) for part in value.split(","))
    except ValueError:
        raise ValidationError(
            "Give four numbers: west,south,east,north (e.g. 44,38,52,43)."
        ) from None
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
        raise ValidationError(
            "Longitudes are between -180 and 180, latitudes between -90 and 90, and south is "
            "not above north."
        )
    return west, south, east, north


class EventFilter(filters.FilterSet):
    crisis = filters.CharFilter(field_name="crisis__slug", help_text="A crisis slug.")
    actor = filters.CharFilter(method="filter_actor", help_text="An actor slug.")
    role = filters.ChoiceFilter(
        method="filter_actor", choices=EventActor.Role.choices,
        help_text="The role an actor plays (with actor: that actor's role).",
    )  # fmt: skip
    kind = filters.ChoiceFilter(choices=Event.Kind.choices)
    verification = filters.ChoiceFilter(choices=Event.Verification.choices)
    date_from = filters.CharFilter(
        method="filter_dates",
        validators=[validate_period],
        help_text="2025, 2025-06 or 2025-06-27. An event dated to a month or a year matches "
        "when that period overlaps the range.",
    )
    date_to = filters.CharFilter(
        method="filter_dates", validators=[validate_period], help_text="As date_from."
    )
    country = filters.CharFilter(
        field_name="location__country",
        validators=[validate_country_code],
        help_text="ISO 3166-1 code, e.g. AZ.",
    )
    place = filters.CharFilter(field_name="location__slug", help_text="A place slug.")
    bbox = filters.CharFilter(
        method="filter_bbox",
        validators=[bbox],
        help_text="west,south,east,north: events whose point is inside.",
    )
    updated_since = filters.IsoDateTimeFilter(
        method="filter_updated_since",
        help_text="Events created or changed at or after this time (ISO 8601), from the history.",
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
        changed = Event.history.filter(history_date__gte=value).values("id")
        return queryset.filter(pk__in=changed)


class RevisionFilter(filters.FilterSet):
    crisis = filters.CharFilter(field_name="crisis__slug", help_text="A crisis slug.")

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
    ]


class SourceFilter(filters.FilterSet):
    crisis = filters.CharFilter(
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

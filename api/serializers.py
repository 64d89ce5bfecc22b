"""What the API says about each object: published content only, no editor's name, each object
with its public page and, for narrative text, the sources it cites with their reference text."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import translation
from django.utils.html import strip_tags
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from actors.models import Actor
from crisis_tracker.citations import cited_keys
from crisis_tracker.dates import iso_date
from events import editions
from events.models import Assessment, Crisis, CrisisRevision, Event
from places.models import Place
from sources.models import Source

from .filters import validate_rfc3339


def absolute(request, obj, language: str = "") -> str:
    """The object's public page, at its canonical address (the default language's, or
    ``language``'s)."""
    with translation.override(language or settings.LANGUAGE_CODE):
        path = obj.get_absolute_url()
    return request.build_absolute_uri(path) if request is not None else path


class Citation(serializers.Serializer):
    key = serializers.CharField()
    reference = serializers.CharField(help_text="The reference as the article prints it.")


def sources_for(context: dict, keys) -> dict:
    """The serializer run's sources by key, fetching the keys not looked up yet in one query;
    a key with no source is remembered as None, so it is not asked for again."""
    sources = context.setdefault("sources", {})
    wanted = set(keys) - set(sources)
    if wanted:
        sources.update(dict.fromkeys(wanted))
        sources.update((s.key, s) for s in Source.objects.filter(key__in=wanted))
    return sources


class CitingSerializer(serializers.ModelSerializer):
    """Narrative text with the sources it cites. Sources of a whole page come in one query
    (``CitingListSerializer``). With ``?lang=`` the texts come from the crisis's published
    edition in that language where it has them; ``languages`` says which language each is in."""

    citations = serializers.SerializerMethodField()
    languages = serializers.SerializerMethodField(
        help_text="The language of each text field: the crisis's own, or its edition's when "
        "?lang= asked for one and it has the text."
    )
    narrative = "summary"

    def to_representation(self, instance):
        language = self.context.get("language")
        if language and not hasattr(instance, "field_languages"):
            editions.lay_over([instance], language)
        return super().to_representation(instance)

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "string"}})
    def get_languages(self, obj) -> dict[str, str]:
        found = editions.field_languages(obj)
        return {name: language for name, language in found.items() if name in self.fields}

    @extend_schema_field(Citation(many=True))
    def get_citations(self, obj) -> list[dict]:
        keys = cited_keys(getattr(obj, self.narrative))
        sources = sources_for(self.context, keys)
        return [
            {"key": key, "reference": strip_tags(sources[key].citation_html())}
            for key in keys
            if sources[key] is not None
        ]


class CitingListSerializer(serializers.ListSerializer):
    def to_representation(self, data):
        items = list(data)
        if self.context.get("language"):
            editions.lay_over(items, self.context["language"])
        narrative = self.child.narrative
        sources_for(self.context, {k for obj in items for k in cited_keys(getattr(obj, narrative))})
        return super().to_representation(items)


class AssessmentSerializer(CitingSerializer):
    """A crisis's monthly assessment: the month's trend, the flags for the next, why."""

    crisis = serializers.CharField(source="crisis.slug")
    month = serializers.SerializerMethodField(help_text="The month assessed: 2025-06.")
    url = serializers.SerializerMethodField()
    narrative = "text"

    class Meta:
        model = Assessment
        list_serializer_class = CitingListSerializer
        fields = ["crisis", "month", "trend", "risk_alert", "resolution_opportunity", "reason",
                  "text", "citations", "languages", "url"]  # fmt: skip

    def get_month(self, assessment: Assessment) -> str:
        return f"{assessment.month:%Y-%m}"

    def get_url(self, assessment: Assessment) -> str:
        return absolute(self.context.get("request"), assessment)


class EventActorSerializer(serializers.Serializer):
    actor = serializers.CharField(source="actor.slug")
    name = serializers.SerializerMethodField(help_text="In English with ?lang=en, if known.")
    role = serializers.CharField()

    def get_name(self, link) -> str:
        actor = link.actor
        return (
            actor.name_en if self.context.get("language") == "en" and actor.name_en else actor.name
        )


class EventSerializer(CitingSerializer):
    crisis = serializers.CharField(source="crisis.slug")
    date = serializers.SerializerMethodField(
        help_text="ISO 8601 at its precision: 2025, 2025-06 or 2025-06-27."
    )
    end_date = serializers.SerializerMethodField()
    location = serializers.CharField(
        source="location.slug", default=None, allow_null=True, help_text="The gazetteer place."
    )
    latitude = serializers.SerializerMethodField()
    longitude = serializers.SerializerMethodField()
    geo_precision = serializers.SerializerMethodField(help_text="exact, town, region or country.")
    actors = EventActorSerializer(source="event_actors", many=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Event
        list_serializer_class = CitingListSerializer
        fields = [
            "crisis", "slug", "title", "date", "date_precision", "end_date", "end_precision",
            "day_order", "place", "location", "latitude", "longitude", "geo_precision", "kind",
            "verification", "killed", "injured", "detained", "displaced", "figures_note",
            "summary", "no_place_reason", "actors", "citations", "languages", "url",
        ]  # fmt: skip

    def get_date(self, event: Event) -> str:
        return iso_date(event.date, event.date_precision)

    def get_end_date(self, event: Event) -> str | None:
        return iso_date(event.end_date, event.end_precision) or None

    def _point(self, event: Event):
        return event.point() or (None, None, None)

    def get_latitude(self, event: Event) -> float | None:
        value = self._point(event)[0]
        return float(value) if value is not None else None

    def get_longitude(self, event: Event) -> float | None:
        value = self._point(event)[1]
        return float(value) if value is not None else None

    def get_geo_precision(self, event: Event) -> str | None:
        return self._point(event)[2]

    def get_url(self, event: Event) -> str:
        return absolute(self.context.get("request"), event)


class CrisisSerializer(CitingSerializer):
    narrative = "lead"
    start_date = serializers.SerializerMethodField()
    end_date = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Crisis
        list_serializer_class = CitingListSerializer
        fields = ["slug", "title", "language", "status", "start_date", "end_date", "lead",
                  "citations", "languages", "url"]  # fmt: skip

    def get_start_date(self, crisis: Crisis) -> str:
        return iso_date(crisis.start_date, crisis.start_precision)

    def get_end_date(self, crisis: Crisis) -> str | None:
        return iso_date(crisis.end_date, crisis.end_precision) or None

    def get_url(self, crisis: Crisis) -> str:
        return absolute(self.context.get("request"), crisis)


class ActorSerializer(serializers.ModelSerializer):
    affiliation = serializers.CharField(source="affiliation.slug", default=None, allow_null=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Actor
        fields = ["slug", "name", "name_en", "kind", "title", "affiliation", "country_code",
                  "description", "url"]  # fmt: skip

    def get_url(self, actor: Actor) -> str:
        return absolute(self.context.get("request"), actor)


class PlaceSerializer(serializers.ModelSerializer):
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()

    class Meta:
        model = Place
        fields = ["slug", "name", "name_en", "country", "admin1", "latitude", "longitude",
                  "precision", "geonames_id", "coordinates_source"]  # fmt: skip


class SourceSerializer(serializers.ModelSerializer):
    source_url = serializers.CharField(source="url", help_text="The source on the web.")
    published = serializers.SerializerMethodField()
    reference = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    link_status = serializers.SerializerMethodField(
        help_text="What the checks of source_url found: unchecked, live, blocked (not dead), "
        "failing (not dead yet) or dead (three failures at least three days apart)."
    )
    archived_copy = serializers.SerializerMethodField(
        help_text="A copy readers may open: this site's capture when copies are public, else "
        "archive_url; null when there is none."
    )
    archived_at = serializers.SerializerMethodField(
        help_text="When the copy was captured (null for an external archive or none)."
    )

    class Meta:
        model = Source
        fields = ["key", "authors", "title", "work", "source_url", "archive_url", "published",
                  "accessed", "language", "issn", "reliability_note", "reference",
                  "url", "link_status", "archived_copy", "archived_at"]  # fmt: skip

    def get_published(self, source: Source) -> str | None:
        return iso_date(source.published, source.published_precision) or None

    def get_reference(self, source: Source) -> str:
        return strip_tags(source.citation_html())

    def get_url(self, source: Source) -> str:
        return absolute(self.context.get("request"), source)

    def get_link_status(self, source: Source) -> str:
        health = source.loaded_health()
        return health.state if health and source.url else "unchecked"

    def get_archived_copy(self, source: Source) -> str | None:
        copy = source.archived_copy()
        if copy is None:
            return None
        request = self.context.get("request")
        return request.build_absolute_uri(copy[0]) if request and copy[1] else copy[0]

    def get_archived_at(self, source: Source) -> datetime.datetime | None:
        copy = source.archived_copy()
        return copy[1] if copy else None


class RevisionSerializer(serializers.ModelSerializer):
    """A public revision of a crisis: when, why and what changed for readers. Never who."""

    crisis = serializers.CharField(source="crisis.slug")
    id = serializers.IntegerField(source="revision_id")
    time = serializers.DateTimeField(source="revision.created_at")
    summary = serializers.CharField(source="revision.summary")
    is_correction = serializers.BooleanField(source="revision.is_correction")
    correction_note = serializers.CharField(source="revision.correction_note")
    edition = serializers.CharField(
        source="language",
        help_text="The language of the edition this revision changed alone; empty: the original.",
    )
    url = serializers.SerializerMethodField()

    class Meta:
        model = CrisisRevision
        fields = ["crisis", "id", "time", "summary", "is_correction", "correction_note",
                  "changes", "edition", "url"]  # fmt: skip

    def get_url(self, link: CrisisRevision) -> str:
        # An edition's revision is at the address its readers see it at.
        return absolute(self.context.get("request"), link, link.language)


class SinceSerializer(serializers.Serializer):
    since = serializers.DateTimeField(help_text="RFC 3339, e.g. 2025-07-01T00:00:00Z.")

    def to_internal_value(self, data):
        raw = data.get("since", "")
        if raw:
            try:
                validate_rfc3339(raw)
            except DjangoValidationError as error:
                raise serializers.ValidationError({"since": error.messages}) from None
        return super().to_internal_value(data)


class TombstoneSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["crisis", "event", "assessment"])
    crisis = serializers.CharField()
    slug = serializers.CharField(
        allow_null=True,
        help_text="The event's slug, or the assessment's month (2025-06); null for a crisis.",
    )
    removed_at = serializers.DateTimeField()
    reason = serializers.ChoiceField(
        choices=["deleted", "withdrawn", "moved"],
        help_text="moved: the entry is public under another address (in updated_since).",
    )

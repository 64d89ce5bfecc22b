"""The read-only open-data API (``/api/v1/``): published content only, the same for every
client, cacheable by any HTTP cache, paged by cursor."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.http import http_date
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, viewsets
from rest_framework.decorators import api_view
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response

from actors.models import Actor
from events.models import Assessment, Crisis, CrisisRevision, Event, EventActor, Revision
from places.models import Place
from sources.models import Source

from . import acled, serializers, tombstones
from .filters import AssessmentFilter, EventFilter, RevisionFilter, SourceFilter
from .renderers import ACLEDRenderer, CSLJSONRenderer, GeoJSONRenderer


class Cursor(CursorPagination):
    """Stable order by creation, so a nightly sync pages through without gaps or repeats. The
    next page is also in a Link header, for formats that have no place for it (CSV)."""

    ordering = "pk"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_page_size(self, request) -> int:
        """As the schema says: an integer from 1 to 1000, given once; anything else is a 400
        (DRF would quietly fall back to the default page)."""
        given = request.query_params.getlist(self.page_size_query_param)
        if not given:
            return self.page_size
        if len(given) > 1 or not given[0].isascii() or not given[0].isdigit():
            raise ValidationError({"page_size": ["Give one whole number from 1 to 1000."]})
        size = int(given[0])
        if not 1 <= size <= self.max_page_size:
            raise ValidationError({"page_size": ["Give one whole number from 1 to 1000."]})
        return size

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        links = [(self.get_next_link(), "next"), (self.get_previous_link(), "prev")]
        found = [f'<{url}>; rel="{rel}"' for url, rel in links if url]
        if found:
            response["Link"] = ", ".join(found)
        return response


class PublicAPI:
    """The same for every client: English messages, cacheable answers, errors never kept.
    Answers are last modified when readers last had something new to see (a public revision,
    or an edit of an actor or source), so ``If-Modified-Since`` gets a 304 until then."""

    renderer_classes = [JSONRenderer, BrowsableAPIRenderer]

    def initial(self, request, *args, **kwargs):
        # Clients worldwide read the API: its messages are in English whatever the address.
        translation.activate("en")
        super().initial(request, *args, **kwargs)

    def perform_content_negotiation(self, request, force=False):
        """``?format=`` names one of the formats the schema lists for the route; anything else,
        empty included, is a 400 naming them (DRF would ignore an empty one and answer 404)."""
        given = request.query_params.getlist("format")
        formats = [r.format for r in self.get_renderers() if r.format != "api"]
        if given and not force and (len(given) > 1 or given[0] not in formats):
            raise ValidationError({"format": [f"Choose one of: {', '.join(formats)}."]})
        if force:
            return JSONRenderer(), JSONRenderer.media_type
        return super().perform_content_negotiation(request, force)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code == 200:
            last_change = Revision.objects.last_seen_by_readers()
            if last_change is not None and not response.has_header("Last-Modified"):
                response["Last-Modified"] = http_date(last_change.timestamp())
            patch_cache_control(
                response,
                public=True,
                max_age=0,
                s_maxage=settings.API_SHARED_MAX_AGE,
                stale_if_error=settings.READER_STALE_IF_ERROR,
            )
        else:
            patch_cache_control(response, no_store=True)
            if hasattr(response, "accepted_renderer"):  # errors are JSON whatever the format
                response.accepted_renderer = JSONRenderer()
                response.accepted_media_type = JSONRenderer.media_type
        return response


class ReadOnly(PublicAPI, viewsets.ReadOnlyModelViewSet):
    pagination_class = Cursor


LANGUAGES = [code for code, _name in settings.LANGUAGES]
LANG = OpenApiParameter(
    "lang",
    OpenApiTypes.STR,
    enum=LANGUAGES,
    description="The texts in this language where the crisis has a published edition in it "
    "(each object's `languages` says which texts are); others stay in the crisis's own.",
)


@extend_schema_view(
    list=extend_schema(parameters=[LANG]), retrieve=extend_schema(parameters=[LANG])
)
class Translated(ReadOnly):
    """Crises, events and assessments: their texts in another language with ``?lang=``."""

    def language(self) -> str | None:
        given = self.request.query_params.getlist("lang")
        if not given:
            return None
        if len(given) > 1 or given[0] not in LANGUAGES:
            raise ValidationError({"lang": [f"Choose one of: {', '.join(LANGUAGES)}."]})
        return given[0]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.language()  # a wrong one is refused whatever the format

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "language": self.language()}


class CrisisViewSet(Translated):
    """Published crises, with their lead and the sources it cites."""

    serializer_class = serializers.CrisisSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return Crisis.objects.published()


class EventViewSet(Translated):
    """Published events of published crises. Filters combine; `?format=geojson` gives the
    page as a GeoJSON FeatureCollection of the events with a point."""

    serializer_class = serializers.EventSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = EventFilter
    renderer_classes = [*PublicAPI.renderer_classes, GeoJSONRenderer, ACLEDRenderer]
    lookup_value_regex = r"[-\w]+/[-\w]+"
    lookup_field = "natural"

    def acled(self) -> bool:
        renderer = getattr(self.request, "accepted_renderer", None)
        return getattr(renderer, "format", None) == ACLEDRenderer.format

    def retrieve(self, request, *args, **kwargs):
        if not self.acled():
            return super().retrieve(request, *args, **kwargs)
        return Response(acled.rows([self.get_object()]))

    def list(self, request, *args, **kwargs):
        if not self.acled():
            response = super().list(request, *args, **kwargs)
        else:
            events = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
            response = self.get_paginated_response(acled.rows(events))
        return with_tombstones_link(request, response)

    def get_queryset(self):
        events = (
            Event.objects.published()
            .select_related("crisis", "location")
            .prefetch_related(
                Prefetch("event_actors", EventActor.objects.select_related("actor").order_by("pk"))
            )
        )
        return acled.with_timestamp(events) if self.acled() else events

    def get_object(self):
        """``/api/v1/events/<crisis>/<slug>/``: an event by its natural key."""
        crisis, _slash, slug = self.kwargs["natural"].partition("/")
        return get_object_or_404(self.get_queryset(), crisis__slug=crisis, slug=slug)


def with_tombstones_link(request, response):
    """A sync asking what changed since T is pointed at what to drop since T, in the Link header."""
    since = request.query_params.get("updated_since")
    if since and response.status_code == 200:
        address = reverse("api:tombstones") + "?" + urlencode({"since": since})
        link = f'<{request.build_absolute_uri(address)}>; rel="tombstones"'
        response["Link"] = ", ".join(filter(None, [response.get("Link"), link]))
    return response


class ActorViewSet(ReadOnly):
    serializer_class = serializers.ActorSerializer
    lookup_field = "slug"
    queryset = Actor.objects.select_related("affiliation")


class PlaceViewSet(ReadOnly):
    """Places of the gazetteer that a published event refers to."""

    serializer_class = serializers.PlaceSerializer
    lookup_field = "slug"

    def get_queryset(self):
        used = Event.objects.published().filter(location=OuterRef("pk"))
        return Place.objects.filter(Exists(used))


class SourceViewSet(ReadOnly):
    """Sources; `?crisis=` narrows them to a crisis's bibliography, `?format=csl-json` gives
    the page as CSL-JSON (imports into Zotero)."""

    serializer_class = serializers.SourceSerializer
    lookup_field = "key"
    queryset = Source.objects.with_archive()
    filter_backends = [DjangoFilterBackend]
    filterset_class = SourceFilter
    renderer_classes = [*PublicAPI.renderer_classes, CSLJSONRenderer]


class AssessmentViewSet(Translated):
    """Published monthly assessments of published crises; filter by crisis, month (2025-06),
    trend and ``updated_since``."""

    serializer_class = serializers.AssessmentSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = AssessmentFilter
    lookup_value_regex = r"[-\w]+/\d{4}-\d{2}"
    lookup_field = "natural"

    def get_queryset(self):
        return Assessment.objects.published().select_related("crisis").order_by("-month", "pk")

    def get_object(self):
        """``/api/v1/assessments/<crisis>/<2025-06>/``."""
        crisis, _slash, month = self.kwargs["natural"].partition("/")
        return get_object_or_404(self.get_queryset(), crisis__slug=crisis, month=f"{month}-01")

    def list(self, request, *args, **kwargs):
        return with_tombstones_link(request, super().list(request, *args, **kwargs))


class RevisionViewSet(ReadOnly):
    """Public revisions of published crises: what changed, when and why; never who."""

    serializer_class = serializers.RevisionSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = RevisionFilter

    def get_queryset(self):
        return CrisisRevision.objects.filter(
            public=True, crisis__in=Crisis.objects.published()
        ).select_related("crisis", "revision")


class TombstoneView(PublicAPI, generics.GenericAPIView):
    """Events and crises readers could see once and cannot now (deleted or withdrawn) that
    changed at or after `since`: what a nightly sync drops. Never names an entry that was
    never published."""

    serializer_class = serializers.TombstoneSerializer
    pagination_class = None

    @extend_schema(
        parameters=[OpenApiParameter("since", OpenApiTypes.DATETIME, required=True)],
        responses=serializers.TombstoneSerializer(many=True),
    )
    def get(self, request):
        form = serializers.SinceSerializer(data=request.query_params)
        form.is_valid(raise_exception=True)
        found = tombstones.tombstones(form.validated_data["since"])
        return Response(self.get_serializer(found, many=True).data)


@extend_schema(exclude=True)
@api_view(["GET", "HEAD", "OPTIONS"])
def not_found(request, path=""):
    """Any other address under /api/v1/: a JSON 404, as every API answer is JSON."""
    raise NotFound(f"No such resource: {request.path}. The resources are listed at /api/v1/.")

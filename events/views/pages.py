"""The crisis list, the article and the timeline: cached as finished documents, served
with their validators and surrogate keys."""

import dataclasses
import hashlib

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import http_date, quote_etag
from django.utils.translation import get_language

from crisis_tracker import surrogate_keys as keys_of
from crisis_tracker.countries import region_name
from crisis_tracker.history import last_revision_at
from crisis_tracker.http_cache import (
    last_modified,
    reader_page,
    tag,
    viewer,
)
from crisis_tracker.publication import audience, may_read

from .. import front, rendering, tallies, timeline
from ..models import Assessment, Crisis, Event
from ..page_cache import cached_part
from ..rendering import Page
from ..timeline import TimelineFilters


def crisis_response(response: HttpResponse, crisis: Crisis, latest=False) -> HttpResponse:
    """A page about one crisis: purged with it, last modified at its latest public revision
    (``latest`` when the caller knows it, None when it does not apply)."""
    if latest is False:
        latest = rendering.last_updated([crisis.pk]).get(crisis.pk)
    if latest is not None:
        response["Last-Modified"] = http_date(latest.timestamp())
    return tag(response, [keys_of.crisis(crisis.pk)])


@reader_page
def crisis_list(request: HttpRequest) -> HttpResponse:
    """The front page: every crisis (the most recently changed first, narrowed by ``?trend=``
    and ``?region=``, a UN M49 sub-region code),
    on one map, with the latest events, the latest month's assessments and the events per
    month across crises."""
    trend = request.GET.get("trend", "")
    trend = trend if trend in Assessment.Trend.values else ""
    region = request.GET.get("region", "")[:3]
    crises = Crisis.objects.visible_to(viewer(request))
    listed = list(crises.ongoing_first().select_related("map_place"))
    found = tallies.tallies([crisis.pk for crisis in listed])
    rows, regions = front.rows_for(listed, found, trend, region)
    language = get_language()
    latest_events, assessments = front.latest_events(crises), front.latest_assessments()
    front.in_language(rows, latest_events, assessments, language)
    context = {
        "rows": rows,
        "trend": trend,
        "trends": Assessment.Trend.choices,
        "region": region,
        "regions": [(code, region_name(code, language)) for code in regions],
        "world_map": front.world_map(rows),
        "latest_events": latest_events,
        "assessments": assessments,
        "per_month": front.per_month(language, found),
    }
    response = render(request, "events/crisis_list.html", context)
    # The list changes with any revision of a crisis: a public one, or one that takes a crisis
    # off it (the latest shown would go back in time, and a client's If-Modified-Since get a
    # 304 for a list still naming it). The latest revision of all never goes back.
    last_modified(response, last_revision_at())
    keys = [keys_of.CRISES, keys_of.ASSESSMENTS, *(keys_of.crisis(row.crisis.pk) for row in rows)]
    return tag(response, keys)


def etag_of(body: bytes) -> str:
    """The strong ETag of a cached document, worked out once when it is built (the same one
    ConditionalGetMiddleware would give)."""
    return quote_etag(hashlib.md5(body, usedforsecurity=False).hexdigest())


def with_html(page: Page | None, template: str, next_path: str) -> Page | None:
    """Published pages are cached as the finished document, the same for every reader; others
    keep their parts for the staff preview, which is rendered per request with its banner.

    ``next_path`` is the page's canonical address (language alternates and switcher): never the
    address of the request that happened to build it, which may be a preview link's secret."""
    if page is not None and page.is_published:
        context = {"page": page, "next_path": next_path}
        html = render_to_string(template, context).encode()
        page = dataclasses.replace(page, body="", html=html, etag=etag_of(html))
    return page


def serve_page(request: HttpRequest, page: Page | None, template: str) -> HttpResponse:
    if page is None or not may_read(viewer(request), Crisis, page.state):
        raise Http404
    if not page.is_published:
        return render(request, template, {"page": page})  # staff preview, with its banner
    response = HttpResponse(page.html)
    response["ETag"] = page.etag  # the same strong ETag ConditionalGetMiddleware would give
    response["Last-Modified"] = http_date(page.built_at.timestamp())
    return tag(response, page.keys)


@reader_page
def crisis_detail(request: HttpRequest, slug: str) -> HttpResponse:
    template = "events/crisis_detail.html"
    page = cached_part(
        slug,
        f"article|{get_language()}",
        lambda: with_html(
            rendering.build_article(slug), template, reverse("events:crisis", args=[slug])
        ),
    )
    return serve_page(request, page, template)


def audience_of(request: HttpRequest) -> str:
    return audience(viewer(request), Event)


@reader_page
def crisis_timeline(request: HttpRequest, slug: str) -> HttpResponse:
    template = "events/crisis_timeline.html"
    filters = TimelineFilters.from_query(request.GET)
    wanted_page = timeline.page_key(request.GET.get("page", ""))
    audience = audience_of(request)

    def build():
        page = rendering.build_timeline(slug, audience, filters, wanted_page)
        query = filters.query_string(page=wanted_page)
        canonical = reverse("events:timeline", args=[slug])
        return with_html(page, template, f"{canonical}?{query}" if query else canonical)

    name = f"timeline|{get_language()}|{audience}|{filters.cache_name()}|{wanted_page}"
    return serve_page(request, cached_part(slug, name, build), template)

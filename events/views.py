from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from . import rendering
from .models import Crisis, PublicationState
from .pages import cached_part


def can_preview(user) -> bool:
    """Staff who may view crises in the admin also see unpublished content, with a banner."""
    return user.is_active and user.is_staff and user.has_perm("events.view_crisis")


def visible_or_404(request: HttpRequest, page: dict | None) -> dict:
    if page is None:
        raise Http404
    if page["state"] != PublicationState.PUBLISHED and not can_preview(request.user):
        raise Http404
    return page


def crisis_list(request: HttpRequest) -> HttpResponse:
    crises = Crisis.objects.ongoing_first()
    if not can_preview(request.user):
        crises = crises.published()
    crises = list(crises)
    latest = rendering.last_updated([crisis.pk for crisis in crises])
    rows = [{"crisis": crisis, "last_updated": latest.get(crisis.pk)} for crisis in crises]
    return render(request, "events/crisis_list.html", {"rows": rows})


def crisis_detail(request: HttpRequest, slug: str) -> HttpResponse:
    page = cached_part(slug, f"article|{get_language()}", lambda: rendering.build_article(slug))
    page = visible_or_404(request, page)
    return render(request, "events/crisis_detail.html", {"page": page})


def crisis_timeline(request: HttpRequest, slug: str) -> HttpResponse:
    filters = rendering.TimelineFilters.from_query(request.GET)
    audience = rendering.PREVIEW if can_preview(request.user) else rendering.PUBLIC
    page = cached_part(
        slug,
        f"timeline|{get_language()}|{audience}|{filters.cache_name()}",
        lambda: rendering.build_timeline(slug, audience, filters),
    )
    page = visible_or_404(request, page)
    return render(request, "events/crisis_timeline.html", {"page": page})

"""Site search over published crises, events, actors and sources."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language

from .. import search
from ..models import Crisis, Event

SEARCH_SHARED_MAX_AGE = 60  # search results change with any edit: shared caches keep them a minute


def site_search(request: HttpRequest) -> HttpResponse:
    """Search crises, events, actors and sources; the same answer for every reader."""
    query = request.GET.get("q", "")[:200]
    crisis = request.GET.get("crisis", "")[:100]
    kind = request.GET.get("kind", "")
    kind = kind if kind in Event.Kind.values else ""
    only = request.GET.get("type", "")
    only = only if only in search.KINDS else ""
    terms = search.terms_of(query)
    found = search.search(query, crisis=crisis, kind=kind, only=only, language=get_language())
    sections = [
        {"name": name, "rows": [result_row(name, obj, terms) for obj in rows]}
        for name, rows in found.items()
    ]
    context = {
        "query": query,
        "terms": terms,
        "sections": sections,
        "total": sum(len(section["rows"]) for section in sections),
        "filters": {"crisis": crisis, "kind": kind, "type": only},
        "crisis_choices": list(Crisis.objects.published().values_list("slug", "title")),
        "kind_choices": Event.Kind.choices,
        "per_kind": search.PER_KIND,
    }
    response = render(request, "events/search.html", context)
    patch_cache_control(response, public=True, max_age=0, s_maxage=SEARCH_SHARED_MAX_AGE)
    return response


def result_row(name: str, obj, terms: list[str]) -> dict:
    """What a result shows: its title and a snippet, matches marked."""
    if name == "events":
        title, body = obj.title, obj.summary
        meta = f"{obj.crisis.title} · {obj.start_display()} · {obj.get_kind_display()}"
    elif name == "crises":
        title, body, meta = obj.title, obj.lead, obj.span_display()["start"]
    elif name == "actors":
        latin = obj.name_en or (obj.slug if search.contains_any(obj.slug, terms) else "")
        title = f"{obj.name} ({latin})" if latin else obj.name  # shows why a Latin query matched
        body, meta = obj.description or obj.title, obj.get_kind_display()
    else:
        title, body, meta = obj.title, obj.authors, f"{obj.work} {obj.published_display()}"
    return {
        "url": obj.get_absolute_url(),
        "title": search.highlight(title, terms, snippet=False),
        "snippet": search.highlight(body, terms),
        "meta": meta,
    }

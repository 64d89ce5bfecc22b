"""The desk's monthly assessments: a crisis's, month by month, and one month's across every
crisis (the tracker), each with the previous and next month."""

import datetime

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from crisis_tracker import surrogate_keys as keys_of
from crisis_tracker.citations import CitationIndex
from crisis_tracker.dates import Period, Precision
from crisis_tracker.http_cache import reader_page, tag, viewer
from crisis_tracker.publication import get_visible_or_404

from .. import editions, snapshots
from ..models import Assessment, Crisis
from ..rendering import marked, references
from .pages import crisis_response


def rendered(assessments: list[Assessment]) -> tuple[list, list]:
    """Each assessment with its text rendered, citations numbered over the page, in the
    reader's language where the crisis has an edition in it; references."""
    index = CitationIndex(snapshots.sources_cited_in(a.text for a in assessments))
    language = get_language()
    crises = {id(a.crisis): a.crisis for a in assessments}
    editions.lay_over([*crises.values(), *assessments], language, mark=True)
    editions.now_reading_in(crises.values(), language)
    items = [(assessment, marked(assessment.text, index)) for assessment in assessments]
    return items, references(index)


@reader_page
def crisis_assessments(request: HttpRequest, slug: str) -> HttpResponse:
    crisis = get_visible_or_404(viewer(request), Crisis.objects.all(), slug=slug)
    found = list(crisis.assessments.visible_to(viewer(request)).order_by("-month"))
    for assessment in found:
        assessment.crisis = crisis  # one crisis, laid over once
    items, cited = rendered(found)
    context = {"crisis": crisis, "items": items, "references": cited}
    response = render(request, "events/crisis_assessments.html", context)
    return tag(crisis_response(response, crisis), [keys_of.ASSESSMENTS])


def month_of(text: str) -> datetime.date:
    period = Period.parse(text[:7]) if len(text) == 7 else None
    if period is None or period.precision != Precision.MONTH:
        raise Http404
    return period.first


def shift(month: datetime.date, by: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + by
    return datetime.date(index // 12, index % 12 + 1, 1)


@reader_page
def tracker(request: HttpRequest, month: str) -> HttpResponse:
    """One month's assessments across crises, the worsening first."""
    first = month_of(month)
    order = {Assessment.Trend.DETERIORATED: 0, Assessment.Trend.UNCHANGED: 1}
    found = Assessment.objects.visible_to(viewer(request)).filter(month=first)
    found = sorted(
        found.select_related("crisis"), key=lambda a: (order.get(a.trend, 2), a.crisis.title)
    )
    items, cited = rendered(found)
    context = {
        "month": first,
        "items": items,
        "references": cited,
        "previous": shift(first, -1),
        "next": shift(first, 1),
    }
    response = render(request, "events/tracker.html", context)
    return tag(response, [keys_of.ASSESSMENTS, keys_of.CRISES])

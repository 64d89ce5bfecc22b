"""Site search over published crises and events, actors and sources.

Every word of the query must appear (as a substring, so a two-character Chinese word such as
制裁 finds every text that contains it, and a Latin name matches whatever its case). Results
rank by how many of the words their title holds, then by date (or name). Each of those tiers
is read on its own, best first, until a page of results is found: the database can stop at the
first matches of a tier in date order (walking the date index for a frequent word) instead of
ranking every match of the query. On PostgreSQL trigram indexes (migration events/0009) serve
the substring matches of three characters or more; a shorter word with no case (two Chinese
characters) is matched without case mapping (``lookup_for``) and, in events, read from the
index of their pairs of characters (migration events/0027, ``Kind.anywhere``).
"""

from __future__ import annotations

import itertools
import operator
import re
from dataclasses import dataclass
from functools import reduce

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.fields.array import ArrayContains
from django.db import connection
from django.db.models import Exists, F, Func, OuterRef, Q, TextField, Value
from django.db.models.functions import Concat
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from actors.models import Actor
from crisis_tracker.publication import PUBLISHED
from sources.models import Source

from . import editions
from .models import Crisis, Edition, Event, Translation

MAX_TERMS = 6
MAX_TERM_LENGTH = 50
PER_KIND = 20
SNIPPET = 70  # characters of context either side of the first match
CHARACTER_PAIRS = ArrayField(TextField())  # events/migrations/0027
CITATION = re.compile(r"\[@[^\]]*\]")


def terms_of(query: str) -> list[str]:
    """The query's words, at most MAX_TERMS of at most MAX_TERM_LENGTH characters each."""
    words = [word[:MAX_TERM_LENGTH] for word in query.split()]
    return list(dict.fromkeys(word for word in words if word))[:MAX_TERMS]


@dataclass(frozen=True)
class Kind:
    """One kind of result: its model, the fields searched (title first) and how to list it."""

    name: str
    title: str
    fields: tuple[str, ...]
    pairs: str = ""  # the PostgreSQL function (and index) of the fields' pairs of characters

    def anywhere(self, term: str) -> Q:
        """``term`` in one of the fields; two characters with no case from the index of their
        pairs of characters, where there is one."""
        if self.pairs and len(term) == 2 and caseless(term) and connection.vendor == "postgresql":
            pairs = Func(*map(F, self.fields), function=self.pairs, output_field=CHARACTER_PAIRS)
            return Q(ArrayContains(pairs, [term]))
        return anywhere(self.fields, term)

    def matching(self, queryset, terms: list[str], language: str = ""):
        for term in terms:
            condition = self.anywhere(term)
            if language and self.name in TRANSLATED:
                condition |= Q(Exists(TRANSLATED[self.name](language, term)))
            queryset = queryset.filter(condition)
        return queryset

    def best(self, queryset, terms: list[str], order: list[str], language: str = "") -> list:
        """Up to PER_KIND of ``queryset`` matching every term: those with the most terms in
        their title first, each tier in ``order``; a tier is read only if the better ones
        left room."""
        matching, found = self.matching(queryset, terms, language), []
        for hits in range(len(terms), -1, -1):
            tier = with_title_hits(matching, self.title, terms, hits)
            found += tier.order_by(*order)[: PER_KIND - len(found)]
            if len(found) == PER_KIND:
                break
        return found


def lookup_for(term: str) -> str:
    """How a field is matched against ``term``: ignoring case, except for a word with no
    cased letters too short for the trigram index (two Chinese characters), which is matched
    as it is — the same rows, without case-mapping every text it scans."""
    return "contains" if len(term) < 3 and caseless(term) else "icontains"


def caseless(term: str) -> bool:
    return term.upper() == term.lower()


def translations_containing(language: str, term: str):
    return Translation.objects.filter(
        edition__language=language, edition__state=PUBLISHED, **{f"text__{lookup_for(term)}": term}
    )


# How a crisis or an event finds its texts in an edition (an English reader's search finds
# the English edition's words too).
TRANSLATED = {
    "crises": lambda language, term: translations_containing(language, term).filter(
        edition__crisis=OuterRef("pk"), item="crisis"
    ),
    "events": lambda language, term: translations_containing(language, term).filter(
        edition__crisis=OuterRef("crisis"), item=Concat(Value("event/"), OuterRef("slug"))
    ),
}


def anywhere(fields: tuple[str, ...], term: str) -> Q:
    condition = Q()
    for name in fields:
        condition |= Q(**{f"{name}__{lookup_for(term)}": term})
    return condition


def with_title_hits(queryset, title: str, terms: list[str], hits: int):
    """``queryset`` narrowed to rows whose ``title`` holds exactly ``hits`` of ``terms``:
    written as which words are in the title and which are not, so that the database can
    estimate how many rows match (and walk the date index when they are many) and an index on
    the title can serve the words that must be in it."""
    in_title = [Q(**{f"{title}__{lookup_for(term)}": term}) for term in terms]
    exactly = Q()
    for held in itertools.combinations(range(len(terms)), hits):
        each = [in_title[n] if n in held else ~in_title[n] for n in range(len(terms))]
        exactly |= reduce(operator.and_, each)
    return queryset.filter(exactly)


CRISES = Kind("crises", "title", ("title", "lead"))
EVENTS = Kind("events", "title", ("title", "summary", "place"), pairs="event_text_bigrams")
ACTORS = Kind("actors", "name", ("name", "name_en", "title", "description", "slug"))
SOURCES = Kind("sources", "title", ("title", "authors", "work", "key"))
KINDS = {kind.name: kind for kind in (CRISES, EVENTS, ACTORS, SOURCES)}


def search(
    query: str, *, crisis: str = "", kind: str = "", only: str = "", language: str = ""
) -> dict[str, list]:
    """Up to PER_KIND results of each kind (or of ``only``), best first; published only. In
    a ``language`` other than a crisis's own, its published edition's texts are searched and
    shown too."""
    terms = terms_of(query)
    if not terms:
        return {}
    if language and not Edition.objects.published().filter(language=language).exists():
        language = ""  # no edition to search in it
    crises = Crisis.objects.published()
    events = Event.objects.published().select_related("crisis")
    if crisis:  # by id: the planner then walks that crisis's dates (``event_crisis_date``)
        crises = crises.filter(slug=crisis)
        events = events.filter(crisis__in=list(crises.values_list("pk", flat=True)))
    if kind:
        events = events.filter(kind=kind)
    sets = {
        "crises": (CRISES, crises, ["-start_date", "slug"]),
        "events": (EVENTS, events, ["-date", "slug"]),
        "actors": (ACTORS, Actor.objects.all(), ["name", "slug"]),
        "sources": (SOURCES, Source.objects.all(), ["-published", "key"]),
    }
    if kind:  # a kind of event narrows the search to events
        sets = {"events": sets["events"]}
    results = {}
    for name, (found_kind, queryset, order) in sets.items():
        if only and name != only:
            continue
        results[name] = found_kind.best(queryset, terms, order, language)
    if language:
        shown = [*results.get("crises", []), *results.get("events", [])]
        editions.lay_over(shown, language)
    return results


def contains_any(text: str, terms: list[str]) -> bool:
    """Whether ``text`` contains one of ``terms``, in any case (as the search matches)."""
    folded = text.casefold()
    return any(term.casefold() in folded for term in terms)


def highlight(text: str, terms: list[str], *, snippet: bool = True) -> SafeString:
    """``text`` escaped, cut around the first match when ``snippet``, each match in <mark>."""
    text = CITATION.sub("", text or "")
    lowered = text.casefold()
    if snippet and len(text) > 2 * SNIPPET:
        found = [lowered.find(term.casefold()) for term in terms]
        first = min((at for at in found if at >= 0), default=0)
        start, end = max(first - SNIPPET, 0), min(first + SNIPPET, len(text))
        text = ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
    pattern = re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE)
    parts, last = [], 0
    for match in pattern.finditer(text):
        parts.append(escape(text[last : match.start()]))
        parts.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))

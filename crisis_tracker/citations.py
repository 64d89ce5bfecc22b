"""Narrative markup: CommonMark with Pandoc-style citations, rendered the way Wikipedia does.

Texts hold ``[@key]``, ``[@key1; @key2]`` or ``[@key, p. 2]``. A page renders its texts in
reading order through one ``CitationIndex``, which numbers each source by its first use and
counts every use, so a source cited again keeps its number and its reference entry gets one
back-link per use.
"""

from __future__ import annotations

import contextvars
import difflib
import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

import nh3
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

KEY = r"[A-Za-z0-9_][A-Za-z0-9_-]*"
CITATION_START = "[@"  # every citation group opens so: a text without it cites nothing


def may_cite(name: str) -> Q:
    """Rows whose text field ``name`` may hold a citation: a filter the database applies
    before the texts are parsed."""
    return Q(**{f"{name}__contains": CITATION_START})


ITEM = re.compile(rf"^@(?P<key>{KEY})(?:\s*,\s*(?P<locator>[^;\]]+?))?\s*$")
GROUP = re.compile(r"\[(@[^\[\]]*)\]")

ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "em", "h4", "h5", "h6", "hr", "li", "ol", "p", "pre",
    "strong", "sup", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "rel", "class"},
    "sup": {"class", "id"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def parse_group(inner: str) -> list[tuple[str, str]] | None:
    """``@a; @b, p. 2`` → [("a", ""), ("b", "p. 2")], or None when it is not a citation."""
    items = []
    for part in inner.split(";"):
        match = ITEM.match(part.strip())
        if match is None:
            return None
        items.append((match["key"], (match["locator"] or "").strip()))
    return items or None


def cited_keys(text: str) -> list[str]:
    """Every key the text cites, in order of first appearance."""
    keys: dict[str, None] = {}
    for match in GROUP.finditer(text or ""):
        for key, _locator in parse_group(match[1]) or []:
            keys.setdefault(key)
    return list(keys)


def source_model():
    """The model citations name by ``key``: settings.CITATION_SOURCE_MODEL ("app.Model")."""
    return apps.get_model(settings.CITATION_SOURCE_MODEL)


_known_keys: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar(
    "known_source_keys", default=None
)


@contextmanager
def known_keys(keys: set[str]) -> Iterator[None]:
    """Within the block, keys in ``keys`` are taken as existing sources without a query (an
    import checks the citations of a whole batch against one lookup)."""
    token = _known_keys.set(keys)
    try:
        yield
    finally:
        _known_keys.reset(token)


def citation_errors(text: str) -> list[ValidationError]:
    """One error per key ``text`` cites that names no source, with the closest keys."""
    wanted = cited_keys(text)
    if not wanted:
        return []
    known = _known_keys.get() or set()
    if all(key in known for key in wanted):
        return []
    sources = source_model().objects
    known = set(sources.filter(key__in=wanted).values_list("key", flat=True)) | known
    missing = [key for key in wanted if key not in known]
    if not missing:
        return []
    every_key = list(sources.values_list("key", flat=True))
    return [
        ValidationError(unknown_key_message(key, every_key), code="unknown_citation")
        for key in missing
    ]


def closest_keys(key: str, every_key: Iterable[str], limit: int = 3) -> list[str]:
    """Keys that look like a typo of ``key``: the best match and any nearly as good."""
    scored = []
    for candidate in every_key:
        ratio = difflib.SequenceMatcher(None, key, candidate).ratio()
        if ratio >= 0.6:
            scored.append((ratio, candidate))
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    if not scored:
        return []
    best = scored[0][0]
    return [candidate for ratio, candidate in scored[:limit] if ratio >= best - 0.05]


def unknown_key_message(key: str, every_key: Iterable[str]) -> str:
    close = closest_keys(key, every_key)
    if close:
        suggestions = _(" or ").join(f"'{candidate}'" for candidate in close)
        return _("Unknown source key '%(key)s'; did you mean %(suggestions)s?") % {
            "key": key,
            "suggestions": suggestions,
        }
    return _("Unknown source key '%(key)s'; add the source first or check the key.") % {"key": key}


@dataclass
class Reference:
    number: int
    key: str
    source: object | None
    locators: list[str] = field(default_factory=list)

    @property
    def uses(self) -> list[tuple[int, str]]:
        return list(enumerate(self.locators))


class CitationIndex:
    """Numbers sources by first use across every text rendered through it."""

    def __init__(self, sources: Mapping[str, object]):
        self.sources = sources
        self._references: dict[str, Reference] = {}

    def cite(self, key: str, locator: str) -> tuple[int, int]:
        reference = self._references.get(key)
        if reference is None:
            number = len(self._references) + 1
            reference = Reference(number, key, self.sources.get(key))
            self._references[key] = reference
        reference.locators.append(locator)
        return reference.number, len(reference.locators) - 1

    def reserve(self, keys) -> None:
        """Number ``keys`` first, in this order (an edition keeps its original's numbers)."""
        for key in keys:
            if key not in self._references:
                number = len(self._references) + 1
                self._references[key] = Reference(number, key, self.sources.get(key))

    @property
    def references(self) -> list[Reference]:
        return [reference for reference in self._references.values() if reference.locators]


def _citation_rule(state: StateInline, silent: bool) -> bool:
    start = state.pos
    if state.src[start] != "[" or state.src[start + 1 : start + 2] != "@":
        return False
    match = GROUP.match(state.src, start)
    if match is None:
        return False
    items = parse_group(match[1])
    if items is None:
        return False
    if not silent:
        token = state.push("citation", "", 0)
        token.meta = {"items": items}
    state.pos = match.end()
    return True


def _render_citation(self, tokens, idx, options, env) -> str:
    index: CitationIndex = env["citations"]
    html = []
    for key, locator in tokens[idx].meta["items"]:
        number, use = index.cite(key, locator)
        missing = "" if index.sources.get(key) is not None else " reference-missing"
        html.append(
            f'<sup class="reference{missing}" id="cite-ref-{number}-{use}">'
            f'<a href="#cite-note-{number}">[{number}]</a></sup>'
        )
    return "".join(html)


def _render_link_open(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    href = token.attrGet("href") or ""
    if href.startswith(("http://", "https://")):
        token.attrSet("rel", "nofollow noopener")
        token.attrSet("class", "external")
    return self.renderToken(tokens, idx, options, env)


def _make_markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable(["image", "html_inline", "html_block"])
    md.inline.ruler.before("link", "citation", _citation_rule)
    md.add_render_rule("citation", _render_citation)
    md.add_render_rule("link_open", _render_link_open)
    return md


MARKDOWN = _make_markdown()


def sanitize(html: str) -> str:
    """The allow-list every rendered narrative passes through (idempotent)."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )


# Texts whose parsed Markdown a process keeps (a text is parsed again after this many others).
PARSED_TEXTS = 4096


@functools.lru_cache(maxsize=PARSED_TEXTS)
def parsed(text: str, inline: bool) -> list:
    """The Markdown tokens of ``text``, parsed once per process. Citations are numbered when
    the tokens are rendered, so a text's tokens are the same in any page: after an edit only
    the changed texts are parsed again (parsing was half of an article's render)."""
    return MARKDOWN.parseInline(text, {}) if inline else MARKDOWN.parse(text, {})


# Rendered texts whose sanitised HTML a process keeps (bounded by count: most are an event's
# summary, of a kilobyte or so; an article's sections are longer).
SANITIZED_TEXTS = 1024


@functools.lru_cache(maxsize=SANITIZED_TEXTS)
def sanitized(html: str) -> str:
    """``sanitize``, once per rendered text and process. A text renders to the same HTML in
    every page that numbers its citations alike: after an edit of one section, the article's
    other fifty texts (sanitising was a sixth of its render)."""
    return sanitize(html)


def render(text: str, index: CitationIndex, *, inline: bool = False) -> SafeString:
    """Render one narrative text, numbering its citations through ``index``."""
    if not text:
        return mark_safe("")
    html = MARKDOWN.renderer.render(parsed(text, inline), MARKDOWN.options, {"citations": index})
    return mark_safe(sanitized(html))  # noqa: S308  (sanitised just above)


def backlinks_html(reference: Reference) -> SafeString:
    """``^`` for one use; ``^ 8.0 8.1 …`` for several, each linking back to its marker."""
    number = reference.number
    if len(reference.locators) == 1:
        label = escape(_("Back to the citation"))
        link = f'<a class="backlink" href="#cite-ref-{number}-0" aria-label="{label}">^</a>'
        return mark_safe(link + locator_html(reference.locators[0]))  # noqa: S308
    links = " ".join(
        f'<a class="backlink" href="#cite-ref-{number}-{use}"><sup>{number}.{use}</sup></a>'
        f"{locator_html(locator)}"
        for use, locator in reference.uses
    )
    return mark_safe('<span class="caret" aria-hidden="true">^</span> ' + links)  # noqa: S308


def locator_html(locator: str) -> str:
    return f' <span class="locator">{escape(locator)}</span>' if locator else ""


def reference_html(reference: Reference) -> SafeString:
    if reference.source is None:
        return format_html(
            '<span class="citation citation-missing">{}</span>',
            _("Source “%(key)s” is no longer available.") % {"key": reference.key},
        )
    return format_html('<span class="citation">{}</span>', reference.source.citation_html())

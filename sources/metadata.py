"""A citation proposed from a page, the way Wikipedia's Citoid fills a reference from a URL.

Each field is read from the first of these that gives it: Highwire Press ``citation_*`` tags,
JSON-LD (``NewsArticle``, ``Article``, ``ReportageNewsArticle``), Open Graph (``og:*``,
``article:*``), Dublin Core, the meta names Chinese news sites use (``publishdate``, ``pubtime``,
``source``, …), then, for the date alone, htmldate reading the page's markup (not its text or
scripts, where a date is a guess). The language is the page's ``<html lang>``. Every value says
where it came from; what no source gives stays empty, for the editor to fill.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import lxml.html
from django.utils import timezone
from django.utils.text import slugify

from crisis_tracker.dates import Precision

from .fetching import Fetched, fetch
from .models import Source

ARTICLE_TYPES = {"NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle"}
HIGHWIRE_DATES = ["citation_publication_date", "citation_date", "citation_online_date"]
DUBLIN_CORE_DATES = ["dc.date", "dc.date.issued", "dcterms.issued", "dcterms.created"]
CHINESE_DATES = ["publishdate", "pubdate", "pubtime", "publishtime", "publish_time", "releasedate"]
CHINESE_SOURCES = ["source", "contentsource", "mediaid"]
DATE_FORMS = [
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})"), Precision.DAY),
    (re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})"), Precision.DAY),
    (re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})"), Precision.DAY),
    (re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日"), Precision.DAY),
    (re.compile(r"^(\d{4})(\d{2})(\d{2})(?:\d{4,6})?$"), Precision.DAY),
    (re.compile(r"^(\d{4})[-/](\d{1,2})$"), Precision.MONTH),
    (re.compile(r"^(\d{4})年(\d{1,2})月$"), Precision.MONTH),
    (re.compile(r"^(\d{4})$"), Precision.YEAR),
]
FIELDS = ["key", "title", "authors", "work", "url", "published", "published_precision",
          "language", "accessed"]  # fmt: skip


@dataclass
class Proposal:
    """The source's own fields, and where each value came from."""

    values: dict = field(default_factory=dict)
    origins: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def offer(self, name: str, value, origin: str) -> None:
        """Keep the first value offered for a field (the sources are asked in order)."""
        if value in (None, "", []) or name in self.values:
            return
        self.values[name] = value
        self.origins[name] = origin

    def as_json(self) -> dict:
        values = {
            name: value.isoformat() if isinstance(value, datetime.date) else value
            for name, value in self.values.items()
        }
        ordered = {name: values[name] for name in FIELDS if name in values}
        return {"source": ordered, "from": {n: self.origins[n] for n in ordered},
                "notes": self.notes}  # fmt: skip


class Page:
    """The meta tags, JSON-LD and language of an HTML document."""

    def __init__(self, html: str):
        self.tree = lxml.html.document_fromstring(html)
        self.meta: dict[str, list[str]] = {}
        for tag in self.tree.iter("meta"):
            name = (tag.get("name") or tag.get("property") or tag.get("itemprop") or "").lower()
            content = " ".join((tag.get("content") or "").split())
            if name and content:
                self.meta.setdefault(name, []).append(content)
        self.article = article_object(self.tree)

    def first(self, *names: str) -> tuple[str, str] | tuple[None, None]:
        for name in names:
            if self.meta.get(name):
                return self.meta[name][0], name
        return None, None

    def every(self, name: str) -> list[str]:
        return self.meta.get(name, [])

    @property
    def title_tag(self) -> str:
        found = self.tree.find(".//title")
        return " ".join((found.text_content() if found is not None else "").split())

    @property
    def lang(self) -> str:
        return (self.tree.get("lang") or self.tree.get("xml:lang") or "").strip()


def article_object(tree) -> dict:
    """The first JSON-LD object of an article type (inside ``@graph`` or a list too)."""
    for script in tree.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text_content())
        except (ValueError, TypeError):
            continue
        for item in flatten(data):
            kinds = item.get("@type", [])
            kinds = {kinds} if isinstance(kinds, str) else set(kinds)
            if kinds & ARTICLE_TYPES:
                return item
    return {}


def flatten(data) -> list[dict]:
    if isinstance(data, list):
        return [item for entry in data for item in flatten(entry)]
    if isinstance(data, dict):
        return [data, *flatten(data.get("@graph", []))]
    return []


def names_of(value) -> list[str]:
    """Authors or publishers as JSON-LD gives them: text, objects with a name, or lists."""
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, dict):
        return names_of(value.get("name", ""))
    if isinstance(value, list):
        return [name for item in value for name in names_of(item)]
    return []


def parse_date(raw: str) -> tuple[datetime.date, str] | None:
    """A date and its precision from the forms pages use, or None (never a guess)."""
    text = raw.strip()
    for pattern, precision in DATE_FORMS:
        found = pattern.match(text)
        if not found:
            continue
        numbers = [int(part) for part in found.groups()] + [1, 1]
        try:
            return datetime.date(numbers[0], numbers[1], numbers[2]), precision
        except ValueError:
            return None
    return None


def language_code(raw: str) -> str:
    """The source language for a page's language tag: exact, else its primary language."""
    tag = raw.replace("_", "-").strip()
    codes = {code.lower(): code for code in Source.Language.values}
    lowered = tag.lower()
    if lowered in codes:
        return codes[lowered]
    if lowered in ("zh-hans", "zh-hans-cn", "zh-sg"):
        return "zh-CN"
    primary = lowered.split("-")[0]
    return codes.get(primary, "")


def site_name(url: str) -> str:
    """reuters for https://www.reuters.com/…, xinhuanet for news.xinhuanet.com."""
    host = (urlsplit(url).hostname or "").lower()
    if re.fullmatch(r"[\d.]+|.*:.*", host):  # an address, not a name
        return slugify(host.replace(".", "-").replace(":", "-"))
    parts = [p for p in host.split(".") if p not in ("www", "m", "news", "amp")]
    generic = {"com", "org", "net", "gov", "edu", "co", "ac", "int"}
    while len(parts) > 1 and (parts[-1] in generic or len(parts[-1]) == 2):
        parts.pop()
    return slugify(parts[-1] if parts else host)[:40]


def suggested_key(url: str, published: datetime.date | None, precision: str) -> str:
    """A key in the house form (reuters-2024-12-26), not yet taken."""
    date = ""
    if published:
        date = {"year": "%Y", "month": "%Y-%m"}.get(precision, "%Y-%m-%d")
        date = published.strftime(date)
    base = "-".join(part for part in (site_name(url), date) if part) or "source"
    key, n = base, 2
    while Source.objects.filter(key=key).exists():
        key, n = f"{base}-{n}", n + 1
    return key


def propose(html: str, url: str, *, accessed: datetime.date | None = None) -> Proposal:
    """The proposed source for the HTML of the page at ``url`` (its address after redirects)."""
    page, proposal = Page(html), Proposal()
    proposal.offer("language", language_code(page.lang), "<html lang>")
    read_meta(HIGHWIRE, page, proposal)
    read_json_ld(page, proposal)
    read_open_graph(page, proposal)
    read_meta(DUBLIN_CORE, page, proposal)
    read_chinese_meta(page, proposal)
    if "published" not in proposal.values:
        import htmldate  # loaded on first use, as the captures' trafilatura is

        found = htmldate.find_date(html, extensive_search=False, original_date=True, url=url)
        if found:
            offer_date(proposal, found, "htmldate (the page's markup)")
    proposal.offer("title", page.title_tag, "<title>")
    proposal.offer("authors", "; ".join(page.every("author")), "meta author")
    proposal.offer("url", url, "the address after redirects")
    proposal.offer("accessed", accessed or timezone.localdate(), "the day it was fetched")
    precision = proposal.values.get("published_precision", Precision.DAY)
    key = suggested_key(url, proposal.values.get("published"), precision)
    proposal.offer("key", key, "suggested from the site and the date")
    return proposal


def offer_date(proposal: Proposal, raw: str, origin: str) -> None:
    parsed = parse_date(raw)
    if parsed and "published" not in proposal.values:
        proposal.offer("published", parsed[0], origin)
        proposal.offer("published_precision", parsed[1], origin)


@dataclass(frozen=True)
class MetaScheme:
    """A family of <meta> names for a citation (Highwire Press, Dublin Core): the names of
    each field, the first one present winning."""

    title: tuple[str, ...]
    author: str  # every <meta> of this name is an author
    author_label: str
    work: tuple[str, ...]
    dates: tuple[str, ...]
    language: tuple[str, ...]


HIGHWIRE = MetaScheme(
    title=("citation_title",),
    author="citation_author",
    author_label="citation_author",
    work=("citation_journal_title", "citation_publisher"),
    dates=tuple(HIGHWIRE_DATES),
    language=("citation_language",),
)
DUBLIN_CORE = MetaScheme(
    title=("dc.title", "dcterms.title"),
    author="dc.creator",
    author_label="DC.creator",
    work=("dc.publisher", "dcterms.publisher"),
    dates=tuple(DUBLIN_CORE_DATES),
    language=("dc.language", "dcterms.language"),
)


def read_meta(scheme: MetaScheme, page: Page, proposal: Proposal) -> None:
    title, name = page.first(*scheme.title)
    proposal.offer("title", title, name)
    proposal.offer("authors", "; ".join(page.every(scheme.author)), scheme.author_label)
    work, name = page.first(*scheme.work)
    proposal.offer("work", work, name)
    raw, name = page.first(*scheme.dates)
    if raw:
        offer_date(proposal, raw, name)
    language, name = page.first(*scheme.language)
    proposal.offer("language", language_code(language or ""), name)


def read_json_ld(page: Page, proposal: Proposal) -> None:
    article = page.article
    if not article:
        return
    kind = article.get("@type")
    kind = kind if isinstance(kind, str) else next(iter(set(kind) & ARTICLE_TYPES))
    proposal.offer("title", str(article.get("headline") or "").strip(), f"JSON-LD {kind}.headline")
    authors = "; ".join(names_of(article.get("author")))
    proposal.offer("authors", authors, f"JSON-LD {kind}.author")
    work = "; ".join(names_of(article.get("publisher"))[:1])
    proposal.offer("work", work, f"JSON-LD {kind}.publisher")
    if isinstance(article.get("datePublished"), str):
        offer_date(proposal, article["datePublished"], f"JSON-LD {kind}.datePublished")
    if isinstance(article.get("inLanguage"), str):
        language = language_code(article["inLanguage"])
        proposal.offer("language", language, f"JSON-LD {kind}.inLanguage")


def read_open_graph(page: Page, proposal: Proposal) -> None:
    proposal.offer("title", page.first("og:title")[0], "og:title")
    authors = [a for a in page.every("article:author") if not a.startswith("http")]
    proposal.offer("authors", "; ".join(authors), "article:author")
    proposal.offer("work", page.first("og:site_name")[0], "og:site_name")
    raw = page.first("article:published_time")[0]
    if raw:
        offer_date(proposal, raw, "article:published_time")
    proposal.offer("language", language_code(page.first("og:locale")[0] or ""), "og:locale")


def read_chinese_meta(page: Page, proposal: Proposal) -> None:
    raw, name = page.first(*CHINESE_DATES)
    if raw:
        offer_date(proposal, raw, f"meta {name}")
    work, name = page.first(*CHINESE_SOURCES)
    proposal.offer("work", work, f"meta {name}")


class NotCitable(Exception):
    """A page that was fetched but cannot be cited from (an error status); one line."""


def text_of(fetched: Fetched) -> str:
    """The page as text: the charset the answer names, else the one the page declares."""
    declared = re.search(r"charset=([\w-]+)", fetched.header("content-type"), re.I)
    if not declared:
        declared = re.search(rb"<meta[^>]+charset=[\"']?([\w-]+)", fetched.body[:4096], re.I)
    name = declared.group(1) if declared else "utf-8"
    name = name.decode("ascii", "replace") if isinstance(name, bytes) else name
    try:
        return fetched.body.decode(name, errors="replace")
    except LookupError:
        return fetched.body.decode("utf-8", errors="replace")


def from_url(url: str) -> Proposal:
    """Fetch ``url`` (FetchRefused, FetchFailed) and propose its citation (NotCitable for an
    answer that is not the page)."""
    fetched = fetch(url)
    if fetched.status >= 400:
        raise NotCitable(f"the page answered {fetched.status} {fetched.last.reason}".strip())
    if fetched.content_type not in ("text/html", "application/xhtml+xml", ""):
        proposal = Proposal()
        proposal.offer("url", fetched.final_url, "the address after redirects")
        proposal.offer("accessed", timezone.localdate(), "the day it was fetched")
        proposal.notes.append(f"not an HTML page ({fetched.content_type}): the rest is by hand")
        return proposal
    return propose(text_of(fetched), fetched.final_url)

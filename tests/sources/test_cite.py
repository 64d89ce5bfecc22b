"""Citing from a URL: pages shaped like the sites desks cite, served from 127.0.0.1; each field
comes from the first source that gives it and says which; nothing is guessed."""

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command

from sources.metadata import from_url, parse_date, propose, site_name
from sources.models import Source
from tests.support.local_web import Answer

pytestmark = pytest.mark.django_db

REUTERS = """<!doctype html><html lang="en-US"><head>
<title>Azerbaijan says Russia shot down plane | Reuters</title>
<meta property="og:title" content="Azerbaijan says plane downed (OG)">
<meta property="og:site_name" content="Reuters">
<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
 {"@type": "WebPage", "name": "page"},
 {"@type": ["NewsArticle"], "headline": "Azerbaijan says Russia shot down its plane",
  "author": [{"@type": "Person", "name": "Nailia Bagirova"}, {"@type": "Person", "name": "Gleb Stolyarov"}],
  "publisher": {"@type": "Organization", "name": "Reuters"},
  "datePublished": "2024-12-26T10:05:00Z", "inLanguage": "en"}]}</script>
</head><body><p>Baku, Dec 26 (Reuters)</p></body></html>"""

XINHUA = """<html lang="zh-CN"><head><meta charset="utf-8">
<title>外交部发言人答记者问_新华网</title>
<meta name="publishdate" content="2025-07-03">
<meta name="source" content="新华网">
</head><body><div class="info">2025年07月03日 15:21:04 来源： 新华网</div></body></html>"""

BLOG = """<html><head><title>A blog</title>
<meta property="og:title" content="What the summons means">
<meta property="og:site_name" content="Caucasus Watch">
<meta property="article:author" content="Anna Petrova">
<meta property="article:author" content="https://example.org/anna">
<meta property="article:published_time" content="2025-07-01T08:00:00+04:00">
<meta property="og:locale" content="ru_RU">
</head><body>Text</body></html>"""

MISLEADING = """<html lang="en"><head><title>Live: the crisis</title>
<script>var build = "2019-01-01"; var cache = {"date": "2020-05-06"};</script>
</head><body><p>Time frame: 2020-2021.</p><p>Updated constantly.</p></body></html>"""

PAYWALL = """<html><head><title>Subscribe to read</title></head>
<body><p>This article is for subscribers.</p></body></html>"""

HIGHWIRE = """<html><head><title>ignored</title>
<meta name="citation_title" content="Airspace closures in the South Caucasus">
<meta name="citation_author" content="Aliyev, R.">
<meta name="citation_author" content="Smith, J.">
<meta name="citation_journal_title" content="Journal of Aviation Policy">
<meta name="citation_publication_date" content="2025/06">
<meta name="DC.title" content="DC title">
</head></html>"""


def serve(local_web, path: str, html: str, content_type="text/html; charset=utf-8"):
    local_web.routes[path] = Answer(200, html.encode("utf-8"), {"Content-Type": content_type})
    return local_web.url(path)


def test_a_news_article_is_read_from_its_json_ld(local_web):
    proposal = from_url(serve(local_web, "/world/plane", REUTERS)).as_json()
    assert proposal["source"] == {
        "key": "127-0-0-1-2024-12-26",  # from the host: www.reuters.com gives reuters-…
        "title": "Azerbaijan says Russia shot down its plane",
        "authors": "Nailia Bagirova; Gleb Stolyarov",
        "work": "Reuters",
        "url": local_web.url("/world/plane"),
        "published": "2024-12-26",
        "published_precision": "day",
        "language": "en-US",
        "accessed": datetime.date.today().isoformat(),
    }
    assert proposal["from"]["title"] == "JSON-LD NewsArticle.headline"
    assert proposal["from"]["published"] == "JSON-LD NewsArticle.datePublished"
    assert proposal["from"]["language"] == "<html lang>"  # before the article's "en"
    assert proposal["from"]["work"] == "JSON-LD NewsArticle.publisher"


def test_a_key_is_suggested_from_the_site_and_the_date_and_never_taken():
    assert site_name("https://www.reuters.com/world/x") == "reuters"
    assert site_name("http://news.xinhuanet.com/2025-07/03/c_1.htm") == "xinhuanet"
    assert site_name("https://www.bbc.co.uk/news/x") == "bbc"
    Source.objects.create(key="reuters-2024-12-26", title="Taken")
    proposal = propose(REUTERS, "https://www.reuters.com/world/plane")
    assert proposal.values["key"] == "reuters-2024-12-26-2"


def test_a_chinese_page_gives_its_date_and_source_from_its_meta_names(local_web):
    proposal = from_url(serve(local_web, "/c.htm", XINHUA, "text/html")).as_json()
    source = proposal["source"]
    assert (source["title"], source["work"], source["language"]) == (
        "外交部发言人答记者问_新华网", "新华网", "zh-CN")  # fmt: skip
    assert (source["published"], proposal["from"]["published"]) == (
        "2025-07-03",
        "meta publishdate",
    )
    assert proposal["from"]["title"] == "<title>"


def test_an_open_graph_page_keeps_names_and_drops_profile_addresses():
    proposal = propose(BLOG, "https://caucasuswatch.example/summons")
    assert proposal.values["title"] == "What the summons means"
    assert proposal.values["authors"] == "Anna Petrova"
    assert proposal.values["work"] == "Caucasus Watch"
    assert proposal.values["published"] == datetime.date(2025, 7, 1)
    assert proposal.origins["published"] == "article:published_time"
    assert (proposal.values["language"], proposal.origins["language"]) == ("ru", "og:locale")


def test_dates_in_scripts_and_time_frames_are_not_taken_for_the_publication_date():
    proposal = propose(MISLEADING, "https://live.example/crisis")
    assert "published" not in proposal.values
    assert proposal.values["title"] == "Live: the crisis"


def test_a_paywall_stub_gives_only_what_it_says():
    proposal = propose(PAYWALL, "https://paper.example/article")
    assert proposal.values["title"] == "Subscribe to read"
    assert not {"authors", "work", "published", "language"} & set(proposal.values)


def test_highwire_tags_come_first_and_keep_their_precision():
    proposal = propose(HIGHWIRE, "https://www.aviationjournal.com/article")
    assert proposal.values["title"] == "Airspace closures in the South Caucasus"
    assert proposal.values["authors"] == "Aliyev, R.; Smith, J."
    assert proposal.values["work"] == "Journal of Aviation Policy"
    assert (proposal.values["published"], proposal.values["published_precision"]) == (
        datetime.date(2025, 6, 1), "month")  # fmt: skip
    assert proposal.values["key"] == "aviationjournal-2025-06"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2025-07-03T10:00:00+08:00", (datetime.date(2025, 7, 3), "day")),
        ("2025年7月3日", (datetime.date(2025, 7, 3), "day")),
        ("20250703153000", (datetime.date(2025, 7, 3), "day")),
        ("2025-07", (datetime.date(2025, 7, 1), "month")),
        ("2025", (datetime.date(2025, 1, 1), "year")),
        ("2025-02-30", None),
        ("last Tuesday", None),
    ],
)
def test_dates_are_read_in_the_forms_pages_use(raw, expected):
    assert parse_date(raw) == expected


def test_the_cite_command_prints_the_proposal_as_json(local_web):
    out = io.StringIO()
    call_command("cite", serve(local_web, "/c.htm", XINHUA), stdout=out)
    printed = json.loads(out.getvalue())
    assert printed["source"]["work"] == "新华网" and printed["from"]["work"] == "meta source"


def test_the_cite_command_names_why_it_cannot(local_web):
    local_web.routes["/gone"] = Answer(404, b"gone")
    with pytest.raises(CommandError, match="^unreachable: the page answered 404 Not Found$"):
        call_command("cite", local_web.url("/gone"))
    with pytest.raises(CommandError, match="^refused: .*private address"):
        call_command("cite", "http://10.0.0.1/")
    with pytest.raises(CommandError, match="^unreachable: .*could not be resolved"):
        call_command("cite", "https://no-such-host.example/")


def test_a_page_that_is_not_html_gives_its_address_only(local_web):
    local_web.routes["/report.pdf"] = Answer(200, b"%PDF-1.4", {"Content-Type": "application/pdf"})
    proposal = from_url(local_web.url("/report.pdf")).as_json()
    assert set(proposal["source"]) == {"url", "accessed"}
    assert "not an HTML page (application/pdf)" in proposal["notes"][0]

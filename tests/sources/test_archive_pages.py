"""What readers see of captures and dead links: the reference, the source page, the copy."""

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from events import page_cache
from sources.captures import capture
from sources.link_health import check
from sources.models import LinkCheck, LinkHealth, Source
from tests.support.local_web import Answer

ARTICLE = "/crises/azerbaijan-russia-2025/"
PAGE = """<html lang="ru"><head><title>Заявление МИД</title></head><body><article>
<p>Министерство иностранных дел России выразило протест в связи с задержанием граждан.</p>
<p>Посол Азербайджана был вызван в министерство <script>alert(1)</script>в понедельник.</p>
<p>&lt;img src=x onerror=alert(2)&gt; осталось текстом.</p></article></body></html>"""


@pytest.fixture
def cited_source(seed, local_web):
    local_web.routes["/statement"] = Answer(200, PAGE.encode(), {"Content-Type": "text/html"})
    source = Source.objects.order_by("key").first()
    Source.objects.filter(pk=source.pk).update(url=local_web.url("/statement"))
    source.refresh_from_db()
    return source


def reference(client, source) -> BeautifulSoup:
    page = BeautifulSoup(client.get(ARTICLE).content, "html.parser")
    return page.select_one(f'.references li[data-key="{source.key}"]')


def test_a_reference_offers_the_copy_when_copies_are_public(client, cited_source, settings):
    before = reference(client, cited_source)  # cached now
    assert before.select_one(".archived") is None
    made = capture(cited_source)
    settings.SOURCE_CAPTURES_PUBLIC = False
    assert reference(client, cited_source).select_one(".archived") is None
    assert client.get(made.get_absolute_url()).status_code == 404
    settings.SOURCE_CAPTURES_PUBLIC = True
    page_cache.bump_all()  # the setting is read when a page is built: a deploy starts afresh
    link = reference(client, cited_source).select_one("a.archived")
    assert link["href"] == made.get_absolute_url()
    day = timezone.localtime(made.captured_at).date()
    assert link.get_text() == f"存档副本，存于{day.year}年{day.month}月{day.day}日"


def test_a_capture_refreshes_the_cached_article(
    client, cited_source, settings, django_capture_on_commit_callbacks
):
    settings.SOURCE_CAPTURES_PUBLIC = True
    assert reference(client, cited_source).select_one(".archived") is None
    with django_capture_on_commit_callbacks(execute=True):
        capture(cited_source)  # once it commits, the capture tells the page cache
    assert reference(client, cited_source).select_one(".archived") is not None


def test_a_dead_link_leads_with_the_archived_copy(client, cited_source, settings):
    settings.SOURCE_CAPTURES_PUBLIC = True
    made = capture(cited_source)
    now = timezone.now()
    for days in (0, 3, 6):
        LinkCheck.objects.create(source=cited_source, url=cited_source.url, outcome="failed",
                                 checked_at=now + timezone.timedelta(days=days))  # fmt: skip
    check(cited_source, now=now + timezone.timedelta(days=9))  # the server still answers 200…
    assert LinkHealth.objects.get(source=cited_source).state == "live"
    for days in (10, 13):
        LinkCheck.objects.create(source=cited_source, url=cited_source.url, outcome="failed",
                                 checked_at=now + timezone.timedelta(days=days))  # fmt: skip
    cited_source.url = cited_source.url.replace("/statement", "/gone")
    check(cited_source, now=now + timezone.timedelta(days=16))  # …then 404: the third failure
    assert LinkHealth.objects.get(source=cited_source).state == "dead"
    item = reference(client, cited_source)
    assert item.select_one("a.external")["href"] == made.get_absolute_url()
    dead = item.select_one(".dead-link")
    assert dead.get_text() == "（原始链接已失效）"
    assert dead.select_one("a")["href"].endswith("/statement")  # the original, as saved


def test_the_copy_is_text_under_a_banner_with_no_script(client, cited_source, settings):
    settings.SOURCE_CAPTURES_PUBLIC = True
    made = capture(cited_source)
    response = client.get(made.get_absolute_url())
    assert response.status_code == 200 and response["X-Robots-Tag"] == "noindex"
    page = BeautifulSoup(response.content, "html.parser")
    assert page.find("script") is None and page.find("img") is None
    assert cited_source.url in page.select_one(".archive-banner").get_text()
    text = page.select_one("article").get_text()
    assert "Посол Азербайджана" in text and "<img src=x onerror=alert(2)> осталось" in text
    assert page.select_one("article")["lang"] == cited_source.language


def test_the_warc_is_a_download(client, cited_source, settings):
    settings.SOURCE_CAPTURES_PUBLIC = True
    made = capture(cited_source)
    response = client.get(made.get_absolute_url().rstrip("/") + ".warc.gz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/warc"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content)[:2] == b"\x1f\x8b"  # gzip


def test_staff_open_copies_that_readers_may_not(client, cited_source, editor, settings):
    settings.SOURCE_CAPTURES_PUBLIC = False
    made = capture(cited_source)
    assert client.get(made.get_absolute_url()).status_code == 404
    client.force_login(editor)
    assert client.get(made.get_absolute_url()).status_code == 200
    assert client.get(f"/sources/other-key/copy/{made.pk}/").status_code == 404

import re

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from events.models import Crisis, Event, Section
from sources.models import Source
from tests.conftest import SEED_ARTICLE
from tests.htmlcheck import executable_bits

pytestmark = pytest.mark.django_db

ARTICLE = reverse("events:crisis", args=["azerbaijan-russia-2025"])
SEED_LINES = SEED_ARTICLE.read_text(encoding="utf-8").split("\n")
NARRATIVE_LINES = [10, 13, 14, 15, 17, 18, 21, 23, 26, 28, 30, 32]
HEADINGS = [11, 12, 16, 19, 20, 22, 24, 25, 27, 29, 31]
REFERENCE_LINES = range(34, 52)


def seed_line(number: int) -> str:
    return SEED_LINES[number - 1].removeprefix("[编辑]")


def without_markers(text: str) -> str:
    return re.sub(r"\[\d+\]", "", text)


def page(client, url=ARTICLE) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def article_text(soup: BeautifulSoup) -> str:
    article = soup.select_one("article.article")
    for marker in article.select("sup.reference"):
        marker.decompose()
    return article.get_text()


def test_the_article_has_every_sentence_of_the_seed(seed, client):
    text = article_text(page(client))
    for number in NARRATIVE_LINES:
        paragraph = without_markers(seed_line(number))
        for sentence in re.split(r"(?<=。)", paragraph):
            assert sentence.strip() in text, sentence


def test_the_article_has_every_heading_in_order_and_nesting(seed, client):
    soup = page(client)
    headings = [
        (h.name, h.get_text())
        for h in soup.select("article.article section h2, article.article section h3")
    ]
    expected = [seed_line(n) for n in HEADINGS] + ["参考资料"]
    assert [text for _level, text in headings] == expected
    levels = {text: level for level, text in headings}
    assert levels["背景"] == "h2" and levels["俄罗斯与亚美尼亚和阿塞拜疆的关系"] == "h3"
    assert levels["联合国"] == "h3"


def test_citation_markers_come_in_exactly_the_seed_order(seed, client):
    soup = page(client)
    markers = [a.get_text() for a in soup.select("sup.reference > a")]
    seed_markers = ["[1]"]  # the infobox: Ukraine as a supporter
    for number in NARRATIVE_LINES:
        seed_markers += re.findall(r"\[\d+\]", seed_line(number))
    assert markers == seed_markers
    infobox_markers = [a.get_text() for a in soup.select(".infobox sup.reference > a")]
    assert infobox_markers == ["[1]"]


def test_each_reference_has_one_back_link_per_use_and_reads_as_in_the_seed(seed, client):
    soup = page(client)
    items = soup.select("ol.references > li")
    assert [li["id"] for li in items] == [f"cite-note-{n}" for n in range(1, 19)]
    counts = [len(li.select(".backlinks a")) for li in items]
    assert counts == [2, 1, 2, 1, 1, 1, 1, 4, 1, 1, 3, 1, 1, 2, 1, 1, 1, 1]
    for li, line in zip(items, REFERENCE_LINES, strict=True):
        expected = re.sub(r"^(\[编辑\])?- \^ ([\d.]+ )*", "", SEED_LINES[line - 1])
        assert li.select_one(".citation").get_text() == expected
    assert [a.get_text() for a in items[7].select(".backlinks a")] == ["8.0", "8.1", "8.2", "8.3"]


def test_every_anchor_exists_exactly_once_and_every_jump_lands(seed, client):
    soup = page(client)
    ids = [tag["id"] for tag in soup.select("[id]")]
    assert len(ids) == len(set(ids))
    for link in soup.select('a[href^="#"]'):
        assert link["href"][1:] in ids, link["href"]


def test_the_infobox_shows_dates_at_their_precision_parties_and_supporters(seed, client):
    infobox = page(client).select_one(".infobox")
    text = infobox.get_text(" ", strip=True)
    assert "2025年6月–至今" in text
    assert "阿塞拜疆—俄罗斯关系、纳戈尔诺-卡拉巴赫冲突和俄乌战争的一部分" in text
    assert "两国地理位置示意图" in text
    parties = [a.get_text() for a in infobox.select("tr:nth-of-type(3) a")]
    assert parties == ["阿塞拜疆", "俄罗斯"]
    assert "乌克兰" in infobox.select("tr:nth-of-type(4)")[0].get_text()


def test_the_page_marks_its_languages_and_links_timeline_actors_and_sources(seed, client):
    soup = page(client)
    assert soup.html["lang"] == "zh-hans"
    assert soup.select_one("article.article")["lang"] == "zh-hans"
    hrefs = {a["href"] for a in soup.select("a[href]")}
    assert reverse("events:timeline", args=[seed.slug]) in hrefs
    assert reverse("actors:detail", args=["ukraine"]) in hrefs
    assert reverse("sources:detail", args=["dw-2025-07-03"]) in hrefs
    assert soup.select_one('script[src$="citations.js"]') is not None


def test_the_interface_switches_to_english_and_back_by_address(seed, client):
    english = page(client).select_one('.language-switcher a[hreflang="en"]')["href"]
    assert english == "/en" + ARTICLE
    soup = page(client, english)
    assert soup.html["lang"] == "en"
    assert soup.select_one("#references").get_text() == "References"
    assert "June 2025–present" in soup.select_one(".infobox").get_text()
    assert soup.select_one("article.article")["lang"] == "zh-hans"
    assert soup.select_one('link[rel=alternate][hreflang="zh-hans"]')["href"] == ARTICLE
    chinese = soup.select_one('.language-switcher a[hreflang="zh-hans"]')["href"]
    assert page(client, chinese).select_one("#references").get_text() == "参考资料"


def test_the_browser_language_and_cookies_never_change_a_reader_page(seed, client):
    client.cookies["django_language"] = "en"
    response = client.get(ARTICLE, HTTP_ACCEPT_LANGUAGE="en")
    assert BeautifulSoup(response.content, "html.parser").html["lang"] == "zh-hans"
    assert "Cookie" not in response.get("Vary", "")
    assert "Accept-Language" not in response.get("Vary", "")


@pytest.mark.parametrize("state", ["draft", "review"])
def test_unpublished_crises_are_not_found_by_readers(seed, client, state):
    Crisis.objects.filter(pk=seed.pk).update(state=state)
    for url in [ARTICLE, reverse("events:timeline", args=[seed.slug])]:
        assert client.get(url).status_code == 404
    assert seed.title not in client.get(reverse("events:crisis_list")).content.decode()


def test_staff_preview_unpublished_crises_with_a_banner(seed, client, superuser):
    seed.state = "draft"
    seed.save()
    client.force_login(superuser)
    soup = page(client)
    assert "草稿——未公开。" in soup.select_one(".draft-banner").get_text()


def test_editing_a_cited_source_shows_on_the_next_request(seed, client):
    assert "Armenia and Azerbaijan agree on a ceasefire" in client.get(ARTICLE).content.decode()
    source = Source.objects.get(key="cnn-2020-10-10")
    source.title = "A corrected headline"
    source.save()
    html = client.get(ARTICLE).content.decode()
    assert "A corrected headline" in html
    assert "agree on a ceasefire" not in html


def test_editing_a_section_shows_on_the_next_request(seed, client):
    client.get(ARTICLE)
    section = Section.objects.get(key="联合国")
    section.body = "联合国表示关注。[@first-news-2025-07-01]"
    section.save()
    assert "联合国表示关注。" in client.get(ARTICLE).content.decode()


def test_a_cached_article_is_served_without_a_database_query(
    seed, client, django_assert_num_queries
):
    client.get(ARTICLE)
    with django_assert_num_queries(0):
        assert client.get(ARTICLE).status_code == 200


def add_content(crisis: Crisis, sections: int, events: int) -> None:
    for n in range(sections):
        Section.objects.create(
            crisis=crisis,
            key=f"extra-{n}",
            heading=f"增补{n}",
            order=100 + n,
            body=f"第{n}段[@dw-2025-07-03][@extra-{n % 5}]。",
        )
    for n in range(5):
        Source.objects.create(key=f"extra-{n}", title=f"Extra {n}")
    for n in range(events):
        Event.objects.create(
            crisis=crisis,
            slug=f"extra-{n}",
            title=f"事件{n}",
            date="2025-07-01",
            summary=f"事件{n}[@extra-{n % 5}]。",
            state="published",
        )


def cold_queries(client, url, django_assert_max_num_queries, limit):
    from django.core.cache import cache

    cache.clear()
    with django_assert_max_num_queries(limit) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_article_query_count_does_not_grow_with_content(
    seed, client, django_assert_max_num_queries
):
    # crisis, sections, participations+actors, cited sources, four "last updated" aggregates,
    # and the map's placed events.
    before = cold_queries(client, ARTICLE, django_assert_max_num_queries, 9)
    add_content(seed, sections=30, events=100)
    after = cold_queries(client, ARTICLE, django_assert_max_num_queries, 9)
    assert after == before


def test_the_timeline_query_count_does_not_grow_with_content(
    seed, client, django_assert_max_num_queries
):
    url = reverse("events:timeline", args=[seed.slug])
    # crisis, counts by period, events, their actors, cited sources, its published
    # editions, the map's points, the figures, and the actor and place filter choices.
    before = cold_queries(client, url, django_assert_max_num_queries, 10)
    add_content(seed, sections=30, events=100)
    after = cold_queries(client, url, django_assert_max_num_queries, 10)
    assert after == before


HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>"><svg onload=alert(1)>'


def test_hostile_text_in_every_field_is_neutralised(seed, client):
    seed.title = HOSTILE
    seed.map_caption = HOSTILE
    seed.part_of = HOSTILE
    seed.lead = HOSTILE + " [x](javascript:alert(1))"
    seed.save()
    Section.objects.filter(key="背景").update(heading=HOSTILE, body=HOSTILE)
    Source.objects.filter(key="dw-2025-07-03").update(title=HOSTILE, work=HOSTILE, authors=HOSTILE)
    from actors.models import Actor

    Actor.objects.filter(slug="ukraine").update(name=HOSTILE)
    Event.objects.filter(slug="agalarov-case").update(
        title=HOSTILE, summary=HOSTILE, place=HOSTILE, figures_note=HOSTILE
    )
    from events.page_cache import bump_all

    bump_all()
    for url in [
        ARTICLE,
        reverse("events:timeline", args=[seed.slug]),
        reverse("events:crisis_list"),
        reverse("actors:detail", args=["ukraine"]),
        reverse("sources:detail", args=["dw-2025-07-03"]),
    ]:
        html = client.get(url).content.decode()
        assert executable_bits(html) == [], url


def test_the_browser_language_does_not_change_the_default_interface(seed, client):
    soup = BeautifulSoup(
        client.get(ARTICLE, HTTP_ACCEPT_LANGUAGE="en-US,en").content, "html.parser"
    )
    assert soup.html["lang"] == "zh-hans"


def test_the_home_page_lists_published_crises_most_recently_changed_first_in_fixed_queries(
    seed, client, django_assert_max_num_queries
):
    for n in range(5):
        Crisis.objects.create(
            slug=f"old-{n}",
            title=f"已结束的危机{n}",
            start_date="2020-01-01",
            status="ended",
            end_date="2020-06-01",
            state="published",
        )
    Crisis.objects.create(slug="secret", title="未发布的危机", start_date="2025-01-01")
    # the published crises with their latest trend, their last revisions in one aggregate, their
    # regions, centres, recent months, the latest events, the latest assessed month (and its assessments, when there is
    # one), events per month, the latest revision of all (Last-Modified)
    with django_assert_max_num_queries(10):
        soup = BeautifulSoup(client.get(reverse("events:crisis_list")).content, "html.parser")
    titles = [a.get_text() for a in soup.select(".crisis-list h2 a")]
    assert titles[0] == "已结束的危机4" and len(titles) == 6  # the latest change first
    assert titles[-1] == seed.title and "未发布的危机" not in titles
    assert "2025年6月–至今" in soup.select(".crisis-list li")[-1].get_text()

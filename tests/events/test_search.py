import datetime

import pytest
from bs4 import BeautifulSoup
from django.db import connection

from actors.models import Actor
from crisis_tracker.history import revision
from events.models import Crisis, Event
from events.search import EVENTS, PER_KIND, highlight, search
from tests.htmlcheck import executable_bits

pytestmark = pytest.mark.django_db


def add_event(
    slug: str, title: str, summary: str, state: str = "published", kind: str = "other",
    date: datetime.date = datetime.date(2025, 7, 1),
):  # fmt: skip
    with revision(summary="Search test"):
        return Event.objects.create(crisis=Crisis.objects.get(), slug=slug, title=title,
                                    summary=summary, kind=kind, state=state, date=date)  # fmt: skip


def results(client, **params) -> BeautifulSoup:
    response = client.get("/search/", params)
    assert response.status_code == 200
    assert "Set-Cookie" not in response and "Cookie" not in response.get("Vary", "")
    return BeautifulSoup(response.content, "html.parser")


def test_two_chinese_characters_find_what_contains_them(seed, client):
    add_event("sanctions", "欧盟讨论对俄制裁", "多国考虑新的制裁措施。")
    add_event("consulate", "领事馆暂停服务", "领事服务暂停。")
    assert [e.slug for e in search("制裁")["events"]] == ["sanctions"]
    assert [e.slug for e in search("领事")["events"]] == ["consulate"]
    page = results(client, q="制裁")
    marks = [mark.get_text() for mark in page.select(".search-results mark")]
    assert marks and set(marks) == {"制裁"}


def test_short_words_match_whatever_the_case_of_the_text_around_them(seed):
    """Two characters with no case (Chinese) are matched as they are, which needs no case
    mapping; two letters still match whatever their case."""
    add_event("qz-talks", "QZ 领事会谈", "Qz 代表团抵达。")
    add_event("qz-lower", "欧盟声明", "qz 对此表示关切。")
    assert {e.slug for e in search("qz")["events"]} == {"qz-talks", "qz-lower"}
    assert [e.slug for e in search("qZ 领事")["events"]] == ["qz-talks"]
    assert [e.slug for e in search("领事会")["events"]] == ["qz-talks"]


def test_two_characters_are_found_in_any_of_an_events_texts_and_never_across_two(seed):
    """On PostgreSQL two characters with no case are read from the index of the events' pairs
    of characters (events/migrations/0027), which must find what a scan finds."""
    add_event("in-title", "领事会谈", "代表出席。")
    add_event("in-summary", "会谈", "关于领事服务。")
    in_place = add_event("in-place", "会谈", "代表出席。")
    Event.objects.filter(pk=in_place.pk).update(place="领事街")
    add_event("across", "会谈领", "事务。")  # 领 ends the title, 事 starts the summary
    add_event("draft", "领事", "领事。", state="draft")
    found = search("领事")["events"]
    assert [e.slug for e in found] == ["in-title", "in-place", "in-summary"]  # title, then slug
    assert [e.slug for e in search("领事 服务")["events"]] == ["in-summary"]
    assert search("事务")["events"][0].slug == "across" and search("领事务")["events"] == []
    searched = EVENTS.matching(Event.objects.all(), ["领事"]).query
    assert ("event_text_bigrams" in str(searched)) == (connection.vendor == "postgresql")


def test_english_and_transliterated_names_find_actors_and_sources(seed, client):
    found = search("Aliyev")
    assert "ilham-aliyev" in [actor.slug for actor in found["actors"]]
    assert search("aliyev")["actors"] == found["actors"]  # whatever the case
    row = results(client, q="Aliyev").select_one(".search-results li a")
    # the name in English is what matched (the seed gives each actor's)
    assert row.get_text() == "伊利哈姆·阿利耶夫 (Ilham Aliyev)" and row.mark.get_text() == "Aliyev"
    sources = search("azerbaijan")["sources"]
    assert sources and all("azerbaijan" in (s.title + s.key).casefold() for s in sources)


def test_an_actor_named_in_chinese_is_found_by_its_english_name(seed, client):
    with revision(summary="Search test"):
        Actor.objects.create(slug="minister-7", name="拉米兹·梅赫季耶夫", name_en="Ramiz Mehdiyev")
    assert [actor.slug for actor in search("mehdiyev")["actors"]] == ["minister-7"]
    page = results(client, q="Mehdiyev")
    assert [mark.get_text() for mark in page.select(".search-results mark")] == ["Mehdiyev"]
    assert client.get("/actors/minister-7/").content.count(b"Ramiz Mehdiyev") == 1


def test_every_word_must_match_and_titles_rank_first(seed):
    add_event("in-body", "其他事件", "会谈在巴库举行。")
    add_event("in-title", "巴库会谈", "两国代表出席。")
    found = [e.slug for e in search("会谈 巴库")["events"]]
    assert found[:2] == ["in-title", "in-body"]
    assert search("会谈 不存在的词") == {"crises": [], "events": [], "actors": [], "sources": []}


def test_results_rank_by_the_words_in_their_title_then_newest_first(seed):
    day = datetime.date(2025, 8, 1)
    add_event("body-new", "其他", "会谈在巴库举行。", date=day + datetime.timedelta(days=9))
    add_event("one-old", "巴库的消息", "会谈。", date=day)
    add_event("one-new", "会谈的消息", "在巴库。", date=day + datetime.timedelta(days=5))
    add_event("both-old", "巴库会谈", "两国代表出席。", date=day - datetime.timedelta(days=90))
    add_event("body-old", "其他", "巴库，会谈。", date=day - datetime.timedelta(days=1))
    found = [
        e.slug for e in search("会谈 巴库")["events"] if e.slug.startswith(("body", "one", "both"))
    ]
    assert found == ["both-old", "one-new", "one-old", "body-new", "body-old"]


def test_a_worse_tier_is_not_read_when_the_better_ones_fill_the_page(
    seed, django_assert_num_queries
):
    for n in range(PER_KIND):
        add_event(f"titled-{n}", f"停火谈判{n}", "正文。")
    add_event("in-body", "其他", "停火。", date=datetime.date(2030, 1, 1))
    with django_assert_num_queries(1):
        found = EVENTS.best(Event.objects.published(), ["停火"], ["-date", "slug"])
    assert len(found) == PER_KIND and "in-body" not in {event.slug for event in found}
    Event.objects.filter(slug="titled-0").update(state="draft")
    with django_assert_num_queries(2):
        found = EVENTS.best(Event.objects.published(), ["停火"], ["-date", "slug"])
    assert found[-1].slug == "in-body"


def test_filters_by_crisis_and_kind(seed, client):
    add_event("meeting-baku", "巴库会谈", "会谈。", kind="meeting")
    meetings = search("会谈", kind="meeting")["events"]
    assert "meeting-baku" in [e.slug for e in meetings]
    assert {e.kind for e in meetings} == {"meeting"}
    assert set(search("会谈", kind="meeting")) == {"events"}
    assert search("会谈", crisis="no-such-crisis")["events"] == []


def test_unpublished_content_is_never_found(seed, client):
    add_event("secret", "秘密会谈", "秘密。", state="draft")
    add_event("reviewing", "审核中的秘密", "秘密。", state="review")
    assert search("秘密")["events"] == []
    assert "秘密" not in results(client, q="秘密").select_one("main").get_text().replace(
        "秘密", "", 1
    )  # only the query itself in the search box
    Crisis.objects.update(state="draft")
    assert search("阿利耶夫")["events"] == [] and search("阿塞拜疆")["crises"] == []


def test_the_search_page_speaks_both_languages_and_is_in_every_header(seed, client):
    english = BeautifulSoup(client.get("/en/search/", {"q": "Aliyev"}).content, "html.parser")
    assert english.select_one("h1").get_text() == "Search"
    assert english.select_one("#results-actors").get_text() == "Actors"
    chinese = BeautifulSoup(client.get("/search/", {"q": "Aliyev"}).content, "html.parser")
    assert chinese.select_one("h1").get_text() == "搜索"
    article = BeautifulSoup(client.get("/crises/azerbaijan-russia-2025/").content, "html.parser")
    box = article.select_one("header form.site-search")
    assert box["action"] == "/search/" and box.select_one('input[name="q"]')


def test_hostile_queries_are_text(seed, client):
    hostile = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'
    add_event("hostile", hostile, hostile)
    for query in [hostile, "script", "img", "%", "_", "\\"]:
        html = client.get("/search/", {"q": query}).content.decode()
        assert executable_bits(html) == [], query
    assert str(highlight("a<b>c", ["b"])) == "a&lt;<mark>b</mark>&gt;c"


def test_the_query_count_does_not_grow_with_results(seed, client, django_assert_max_num_queries):
    # two queries of the page's own, and for each of the four kinds one tier per number of
    # the query's words its title may hold (here one word: two tiers)
    with django_assert_max_num_queries(2 + 4 * 2) as before:
        client.get("/search/", {"q": "阿"})
    for n in range(30):
        add_event(f"more-{n}", f"阿更多{n}", "阿")
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get("/search/", {"q": "阿"})

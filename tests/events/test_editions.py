"""Editions: the English edition of the seed reads in English with the original's citations;
an edition falls behind when its original changes and is back in step once translated; texts it
lacks are marked; unpublished or mostly machine-written editions never reach readers."""

import io
import json
import re
from pathlib import Path

import pytest
import tablib
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import override

from crisis_tracker import transitions
from crisis_tracker.history import revision
from desk import panels
from desk.editions_admin import draft_by_machine
from events import editions
from events.models import Crisis, CrisisRevision, Edition, Event, Section, Translation
from events.resources import TranslationResource
from interchange.fixture_export import everything, serialize
from interchange.fixture_import import import_fixtures
from tests.conftest import form_data
from tests.events.test_import_desk import reader_pages
from tests.support.local_web import Answer

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
EDITION = FIXTURES / "azerbaijan-russia-2025-en.json"
ASSESSMENTS = FIXTURES / "azerbaijan-russia-2025-assessments.json"
SLUG = "azerbaijan-russia-2025"
ARTICLE, TIMELINE = f"/crises/{SLUG}/", f"/crises/{SLUG}/timeline/"
EN_ARTICLE, EN_TIMELINE = "/en" + ARTICLE, "/en" + TIMELINE


@pytest.fixture
def english_edition(seed):
    import_fixtures(files=[("assessments.json", ASSESSMENTS), ("en.json", EDITION)])
    return Edition.objects.get(crisis=seed, language="en")


def page(client, url: str) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200, url
    return BeautifulSoup(response.content, "html.parser")


def citations(soup: BeautifulSoup) -> list[tuple[str, str]]:
    """Each citation marker's number and where it points, in reading order."""
    return [(a.get_text(), a["href"]) for a in soup.select("article sup.reference a")]


def references(soup: BeautifulSoup) -> list[str]:
    """Each reference's number and the source it names (its page, in any language)."""
    return [
        (li["id"], li.select_one('a[href*="/sources/"]')["href"].removeprefix("/en"))
        for li in soup.select(".references li")
    ]


def hreflangs(soup: BeautifulSoup) -> set[str]:
    return {link["hreflang"] for link in soup.select('head link[rel="alternate"][hreflang]')}


def test_the_english_edition_reads_in_english_with_the_originals_citations(english_edition, client):
    chinese, english = page(client, ARTICLE), page(client, EN_ARTICLE)
    article = english.select_one("article.article")
    assert article["lang"] == "en"
    assert article.h1.get_text() == "2025 Azerbaijan–Russia diplomatic crisis"
    headings = [h.get_text() for h in article.select(".article-section h2")]
    assert headings == ["Background", "Outbreak of the crisis", "Reactions"]
    assert "Sputnik" in article.select_one(".lead").get_text()
    assert "Ilham Aliyev" not in article.select_one(".infobox").get_text()  # not an infobox actor
    assert "Ukraine" in article.select_one(".infobox").get_text()
    # the same numbers in the same places, pointing at the same sources
    assert citations(english) == citations(chinese) and len(citations(english)) > 20
    assert references(english) == references(chinese)
    assert not article.select(".untranslated") and not english.select(".edition-notice")
    assert hreflangs(english) == hreflangs(chinese) == {"zh-hans", "en"}


def test_the_english_timeline_map_and_map_data_follow_the_edition(english_edition, client):
    timeline = page(client, EN_TIMELINE)
    assert timeline.select_one(".timeline")["lang"] == "en"
    titles = [h.get_text() for h in timeline.select(".timeline .event-title")]
    assert len(titles) == 18 and "Azerbaijani police raid Sputnik's office in Baku" in titles
    assert not timeline.select(".untranslated")  # every text has its translation
    actors = [option.get_text() for option in timeline.select('select[name="actor"] option')]
    assert "Ilham Aliyev" in actors and "伊利哈姆·阿利耶夫" not in actors
    listed = timeline.select_one(".map-list").get_text()
    assert "Stabbing near a restaurant in Yekaterinburg" in listed and "刺杀" not in listed
    data = client.get(reverse("events:map_data", args=[SLUG]).replace("/crises", "/en/crises"))
    titles = [e["title"] for point in data.json()["points"] for e in point["events"]]
    assert "Russia backs the Zangezur corridor" in titles
    assert citations(timeline) == citations(page(client, TIMELINE))


def test_without_an_edition_english_readers_are_told_and_the_content_keeps_its_language(
    seed, client
):
    english = page(client, EN_ARTICLE)
    notice = english.select_one(".edition-notice")
    assert notice.get_text(strip=True) == "No English edition yet — this article is in Chinese."
    assert english.select_one("article.article")["lang"] == "zh-hans"
    assert hreflangs(english) == {"zh-hans"}  # only editions that exist
    assert page(client, EN_TIMELINE).select_one(".edition-notice")
    assert not page(client, ARTICLE).select(".edition-notice")  # the original's readers


def test_a_never_published_edition_never_reaches_readers(english_edition, client):
    with revision(summary="Back to draft"):
        transitions.move([english_edition], "draft", user=None)
    cache.clear()
    for url in (EN_ARTICLE, EN_TIMELINE):
        soup = page(client, url)
        assert soup.select_one(".edition-notice")
        text = soup.get_text()  # (actors' English names are the actors', not the edition's)
        assert "Stabbing near a restaurant" not in text and "Background" not in text
        assert "news agency Sputnik" not in text
    data = client.get("/en" + reverse("events:map_data", args=[SLUG]))
    assert "Zangezur corridor" not in data.content.decode()


def test_a_text_the_edition_lacks_is_shown_in_the_original_and_marked(english_edition, client):
    Translation.objects.filter(item="section/乌克兰", field="body").update(text="")
    Translation.objects.filter(item="event/peskov-statement", field="title").update(text="")
    cache.clear()
    article = page(client, EN_ARTICLE)
    marked = article.select_one("#乌克兰").find_parent("section").select_one(".untranslated")
    assert marked["lang"] == "zh-hans" and "泽连斯基" in marked.get_text()
    assert marked.select_one(".untranslated-mark").get_text() == " (in Chinese)"
    assert citations(article) == citations(page(client, ARTICLE))  # numbers kept
    timeline = page(client, EN_TIMELINE)
    title = [m for m in timeline.select(".untranslated") if "佩斯科夫" in m.get_text()]
    assert title and title[0]["lang"] == "zh-hans"


def change_ukraine_paragraph(seed) -> None:
    section = Section.objects.get(crisis=seed, key="乌克兰")
    with revision(summary="Sharper wording"):
        section.body = section.body.replace("予以否认", "断然否认")
        section.save()


def test_a_change_to_the_original_puts_the_edition_behind_until_translated(
    english_edition, seed, client, publisher, django_capture_on_commit_callbacks
):
    assert (english_edition.behind, english_edition.untranslated) == (0, 0)
    assert not page(client, EN_ARTICLE).select(".edition-notice")  # now in the page cache
    with django_capture_on_commit_callbacks(execute=True):
        change_ukraine_paragraph(seed)
    english_edition.refresh_from_db()
    assert english_edition.behind == 1
    assert list(panels.editions_behind(panels.Facts())) == [english_edition]
    note = page(client, EN_ARTICLE).select_one(".edition-notice")
    assert "behind its original" in note.get_text()
    assert note.a["href"] == ARTICLE and note.a["hreflang"] == "zh-hans"
    # the translator sees what changed beside the translation, and brings it in step
    client.force_login(publisher)
    url = reverse("admin:events_edition_change", args=[english_edition.pk])
    form = page(client, url)
    changed = [row for row in form.select("tr.form-row") if row.select_one(".diff")]
    assert len(changed) == 1
    assert changed[0].select_one(".diff del").get_text() == "予以"
    assert changed[0].select_one(".diff ins").get_text() == "断然"
    data = form_data(client, url, "edition_form")
    row = next(
        index
        for index, tr in enumerate(form.select("tr.form-row.has_original"))
        if tr.select_one(".diff")
    )
    field = f"translations-{row}-text"
    data[field] = data[field].replace("Armenia denied this.", "Armenia flatly denied this.")
    data["edit_summary"] = "In step with the original"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.content[:2000]
    english_edition.refresh_from_db()
    assert english_edition.behind == 0
    assert not list(panels.editions_behind(panels.Facts()))
    client.logout()
    cache.clear()
    assert not page(client, EN_ARTICLE).select(".edition-notice")
    assert "flatly denied" in page(client, EN_ARTICLE).get_text()


def test_an_imported_change_and_a_new_event_put_editions_behind(
    english_edition, seed, django_capture_on_commit_callbacks
):
    fixture = [
        {"model": "events.event", "fields": {
            "crisis": [SLUG], "slug": "new-talks", "title": "新会谈", "date": "2025-07-20",
            "date_precision": "day", "kind": "meeting", "summary": "双方会谈[@dw-2025-07-03]。",
            "state": "published"}},
        {"model": "events.event", "fields": {
            "crisis": [SLUG], "slug": "draft-talks", "title": "草稿", "date": "2025-07-21",
            "date_precision": "day", "kind": "meeting", "summary": "草稿[@dw-2025-07-03]。",
            "state": "draft"}},
    ]  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        import_fixtures(files=[("update.json", json.dumps(fixture, ensure_ascii=False))])
    english_edition.refresh_from_db()
    assert english_edition.behind == 2  # its title and its summary; not the draft's yet
    changed, new = editions.changes_since(english_edition)
    assert changed == [] and {field for _item, field, _text in new} == {"title", "summary"}
    with django_capture_on_commit_callbacks(execute=True):
        added = editions.start(english_edition)
    assert added == 2
    english_edition.refresh_from_db()
    assert (english_edition.behind, english_edition.untranslated) == (0, 2)
    assert Translation.history.filter(item="event/new-talks").count() == 2
    assert set(Event.objects.values_list("slug", flat=True)) >= {"new-talks"}


def test_translated_narrative_cites_what_its_original_cites(english_edition):
    row = Translation.objects.get(item="event/agalarov-case", field="summary")
    row.text = "Russia opened a criminal case against Aras Agalarov."
    with pytest.raises(ValidationError, match="meduza-biggest-enemy"):
        row.full_clean()
    row.text = "Russia opened a case.[@meduza-biggest-enemy][@no-such-source]"
    with pytest.raises(ValidationError):
        row.full_clean()


def test_mostly_unreviewed_machine_text_cannot_be_published(english_edition, publisher):
    with revision(summary="Back to draft"):
        transitions.move([english_edition], "draft", user=None)
    Translation.objects.filter(field__in=["body", "summary"]).update(machine=True)
    english_edition.refresh_from_db()
    assert english_edition.machine_share() > 0.5
    with pytest.raises(ValidationError, match="机器翻译"), revision(summary="Go"):
        transitions.move([english_edition], "published", user=publisher)
    english_edition.refresh_from_db()
    assert english_edition.state == "draft"
    # once a translator has edited most of it, it may go out
    Translation.objects.filter(field="body").update(machine=False)
    assert english_edition.machine_share() <= 0.5
    with revision(summary="Go"):
        transitions.move([english_edition], "published", user=publisher)


def libretranslate(request):
    body = json.loads(request.body)
    assert body["source"] == "zh" and body["target"] == "en"
    texts = [f"EN({text.strip()})" if text.strip() else text for text in body["q"]]
    return Answer(200, json.dumps({"translatedText": texts}).encode(),
                  {"Content-Type": "application/json"})  # fmt: skip


def test_a_machine_draft_keeps_the_citations_and_is_marked_unreviewed(
    english_edition, local_web, settings
):
    settings.MACHINE_TRANSLATION_URL = local_web.url("/translate")
    local_web.routes["/translate"] = libretranslate
    Translation.objects.filter(item="section/联合国").delete()
    drafted = draft_by_machine(english_edition)
    assert drafted == 2
    body = Translation.objects.get(item="section/联合国", field="body")
    assert body.machine and body.text.endswith(")[@first-news-2025-07-01]")
    assert body.text.startswith("EN(联合国秘书长新闻秘书")
    assert "[@" not in json.loads(local_web.requests[-1].body)["q"][-1]  # never sent


def test_machine_translation_is_off_by_default_and_fails_cleanly(english_edition, local_web,
                                                                 settings):  # fmt: skip
    from desk import machine_translation

    assert not machine_translation.enabled()
    with pytest.raises(machine_translation.MachineTranslationError):
        machine_translation.translate(["你好"], "zh-hans", "en")
    settings.MACHINE_TRANSLATION_URL = local_web.url("/broken")
    local_web.routes["/broken"] = Answer(200, b'{"translatedText": ["one", "two", "three"]}')
    Translation.objects.filter(item="section/联合国").update(text="")
    with pytest.raises(machine_translation.MachineTranslationError, match="does not match"):
        draft_by_machine(english_edition)
    assert Translation.objects.get(item="section/联合国", field="body").text == ""


def test_the_english_edition_round_trips_through_a_fixture(english_edition, client):
    before = {url: page(client, url).select_one("main").decode() for url in
              (EN_ARTICLE, EN_TIMELINE)}  # fmt: skip
    zh_before = reader_pages(client)
    exported = serialize(everything())
    models = {o["model"] for o in json.loads(exported)}
    assert {"events.edition", "events.translation"} <= models
    with revision(summary="Empty the database"):
        Crisis.objects.all().delete()
    import_fixtures(files=[("export.json", exported)])
    cache.clear()
    for url, html in before.items():
        after = page(client, url).select_one("main").decode()
        assert strip_times(after) == strip_times(html), url
    zh_after = reader_pages(client)
    for url in (ARTICLE, TIMELINE):
        assert zh_after[url] == zh_before[url]


def strip_times(html: str) -> str:
    return re.sub(r"<time[^>]*>[^<]*</time>", "<time/>", html)


def test_the_english_pages_query_count_is_fixed(english_edition, client,
                                                 django_assert_max_num_queries):  # fmt: skip
    for url in (ARTICLE, TIMELINE):
        cache.clear()
        with django_assert_max_num_queries(50) as chinese:
            client.get(url)
        cache.clear()
        with django_assert_max_num_queries(50) as english:
            client.get("/en" + url)
        # one more: the edition's texts, however many there are
        assert len(english.captured_queries) == len(chinese.captured_queries) + 1, url


def test_the_api_gives_the_editions_texts_with_lang_and_says_each_ones_language(
    english_edition, client, django_assert_max_num_queries
):
    event = client.get(f"/api/v1/events/{SLUG}/sputnik-baku-raid/?lang=en").json()
    assert event["title"] == "Azerbaijani police raid Sputnik's office in Baku"
    assert event["languages"] == {"title": "en", "place": "en", "summary": "en"}
    assert [c["key"] for c in event["citations"]] == ["ap-2025-07-02"]
    original = client.get(f"/api/v1/events/{SLUG}/sputnik-baku-raid/").json()
    assert original["languages"] == {"title": "zh-hans", "place": "zh-hans", "summary": "zh-hans"}
    crisis = client.get(f"/api/v1/crises/{SLUG}/?lang=en").json()
    assert crisis["title"] == "2025 Azerbaijan–Russia diplomatic crisis"
    assert crisis["languages"] == {"title": "en", "lead": "en"}
    months = client.get("/api/v1/assessments/?lang=en").json()["results"]
    july = next(month for month in months if month["month"] == "2025-07")
    assert july["reason"].startswith("Azerbaijan arrests Russian citizens")
    Translation.objects.filter(item="event/peskov-statement").update(text="")
    peskov = client.get(f"/api/v1/events/{SLUG}/peskov-statement/?lang=en").json()
    assert peskov["languages"]["title"] == "zh-hans" and "佩斯科夫" in peskov["title"]
    # a page of events costs two more queries in English, however many crises and rows
    with django_assert_max_num_queries(50) as chinese:
        client.get("/api/v1/events/?page_size=100")
    with django_assert_max_num_queries(50) as english:
        client.get("/api/v1/events/?page_size=100&lang=en")
    assert len(english.captured_queries) == len(chinese.captured_queries) + 2
    for wrong in ("fr", "", "EN"):
        response = client.get(f"/api/v1/events/?lang={wrong}")
        assert response.status_code == 400 and "lang" in response.json()


def test_the_api_never_gives_an_unpublished_editions_texts(english_edition, client):
    with revision(summary="Back to draft"):
        transitions.move([english_edition], "review", user=None)
    crisis = client.get(f"/api/v1/crises/{SLUG}/?lang=en").json()
    assert crisis["title"] == "2025年阿塞拜疆—俄罗斯外交危机"
    assert crisis["languages"] == {"title": "zh-hans", "lead": "zh-hans"}
    events = client.get("/api/v1/events/?lang=en&page_size=100").content.decode()
    assert "Stabbing near a restaurant" not in events


def test_english_readers_search_the_english_edition_too(english_edition, client):
    found = page(client, "/en/search/?q=Zangezur+corridor")
    titles = [a.get_text() for a in found.select(".search-results li a")]
    assert "Russia backs the Zangezur corridor" in titles
    assert "Russia backs" not in page(client, "/search/?q=Zangezur+corridor").get_text()
    with revision(summary="Back to draft"):
        transitions.move([english_edition], "draft", user=None)
    assert "Russia backs" not in page(client, "/en/search/?q=Zangezur+corridor").get_text()


def test_english_actor_pages_give_crises_and_events_their_english_titles(english_edition, client):
    actor = page(client, "/en/actors/dmitry-peskov/")
    assert "Peskov accuses Azerbaijan of being emotional" in actor.select_one(".actor-events").text
    chinese = page(client, "/actors/dmitry-peskov/")
    assert "佩斯科夫指责阿塞拜疆情绪化" in chinese.select_one(".actor-events").get_text()


def test_a_source_in_another_language_shows_its_translated_title_to_english_readers(
    english_edition, client
):
    english = page(client, EN_ARTICLE).select_one(".references").get_text()
    assert "Зеленский поддержал Алиева" in english
    assert "[Zelensky backed Aliyev amid Azerbaijan's conflict with Russia]" in english
    chinese = page(client, ARTICLE).select_one(".references").get_text()
    assert "Зеленский поддержал Алиева" in chinese and "Zelensky backed" not in chinese


def test_assessments_and_the_tracker_read_in_the_edition(english_edition, client):
    mine = page(client, EN_ARTICLE + "assessments/")
    assert mine.select_one("article.assessments")["lang"] == "en"
    reasons = [p.get_text() for p in mine.select(".assessment-reason")]
    assert reasons[0].startswith("Azerbaijan arrests Russian citizens")
    july = page(client, "/en/tracker/2025-07/")
    assert july.select_one(".assessment-month h2").get_text() == (
        "2025 Azerbaijan–Russia diplomatic crisis"
    )
    Translation.objects.filter(item="assessment/2025-07", field="reason").update(text="")
    cache.clear()
    reason = page(client, "/en/tracker/2025-07/").select_one(".assessment-reason .untranslated")
    assert reason["lang"] == "zh-hans"
    assert "两国互相召见外交代表" in page(client, "/tracker/2025-07/").get_text()


def test_the_english_front_page_reads_in_the_edition(english_edition, client,
                                                     django_assert_max_num_queries):  # fmt: skip
    front = page(client, "/en/")
    row = front.select_one(".front-crises li")
    assert row["lang"] == "en"
    assert row.h2.get_text() == "2025 Azerbaijan–Russia diplomatic crisis"
    assert "Aliyev and Pashinyan hold talks in Abu Dhabi" in front.get_text()
    assert (
        "2025年阿塞拜疆—俄罗斯外交危机" in page(client, "/").select_one(".front-crises li h2").text
    )
    with django_assert_max_num_queries(50) as chinese:
        client.get("/")
    with django_assert_max_num_queries(50) as english:
        client.get("/en/")
    assert len(english.captured_queries) == len(chinese.captured_queries) + 2


def test_adding_an_edition_in_the_admin_copies_the_originals_structure(seed, client, publisher):
    client.force_login(publisher)
    url = reverse("admin:events_edition_add")
    data = form_data(client, url, "edition_form")
    data.update({"crisis": seed.pk, "language": "en", "state": "draft",
                 "edit_summary": "An English edition"})  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:3000]
    edition = Edition.objects.get(crisis=seed, language="en")
    expected = editions.originals(seed)
    assert set(edition.translations.values_list("item", "field")) == set(expected)
    assert not edition.translations.exclude(text="").exists()
    assert edition.translations.get(item="crisis", field="title").original == seed.title
    data.update({"crisis": seed.pk, "language": "zh-hans"})
    refused = client.post(url, data)
    assert refused.status_code == 200  # the original's own language is no edition
    assert "errornote" in refused.content.decode()
    assert Edition.objects.filter(crisis=seed).count() == 1


def test_an_imported_batch_of_translations_is_announced_with_one_query(
    english_edition, django_assert_num_queries
):
    from events import signals

    translations = list(Translation.objects.filter(edition=english_edition))
    assert len(translations) > 40
    with django_assert_num_queries(2):  # the batch's editions' crises, and their slugs
        signals.contents_written(Translation, translations)


def translate_ukraine_paragraph(edition, text: str) -> None:
    row = Translation.objects.get(edition=edition, item="section/乌克兰", field="body")
    with revision(summary="Clearer English"):
        row.text = row.text.replace("Armenia denied this.", text)
        row.save()


def test_the_public_history_permalinks_compare_and_feed_work_per_edition(english_edition, client):
    translate_ukraine_paragraph(english_edition, "Armenia flatly denied this.")
    link = CrisisRevision.objects.select_related("revision").latest("revision__created_at")
    assert (link.public, link.language) == (True, "en")
    assert link.changes == [{"kind": "translation", "action": "edited",
                             "label": "Ukraine", "language": "en"}]  # fmt: skip
    earlier = CrisisRevision.objects.filter(public=True).exclude(pk=link.pk).first()
    history, feed = f"{ARTICLE}history/", f"{ARTICLE}feed/"
    here = f"{ARTICLE}history/{link.revision_id}/"
    # the original's readers never see a change to the English edition
    assert not page(client, history).select(f"#revision-{link.revision_id}")
    assert client.get(here).status_code == 404
    assert str(link.revision.key) not in client.get(feed).content.decode()
    # its readers see it listed, as it stood, and compared with the version before
    english = page(client, "/en" + history)
    assert english.h1.get_text() == "History: 2025 Azerbaijan–Russia diplomatic crisis"
    assert (
        "Translation “Ukraine” edited" in english.select_one(f"#revision-{link.revision_id}").text
    )
    assert "Armenia flatly denied this." in page(client, "/en" + here).get_text()
    before = page(client, f"/en{ARTICLE}history/{earlier.revision_id}/").get_text()
    assert "Armenia denied this." in before and "flatly" not in before
    compared = page(client, f"/en{here}compare/")
    assert [ins.get_text() for ins in compared.select("ins")] == [" flatly"]
    english_feed = client.get("/en" + feed).content.decode()
    assert str(link.revision.key) in english_feed
    assert "<title>Changes to 2025 Azerbaijan–Russia diplomatic crisis</title>" in english_feed
    listed = client.get("/api/v1/revisions/", {"crisis": SLUG}).json()["results"]
    listed = {row["id"]: row for row in listed}
    assert {row["edition"] for row in listed.values()} == {"", "en"}  # the seed's: the original
    assert listed[link.revision_id]["edition"] == "en"
    assert listed[link.revision_id]["url"] == f"http://testserver/en{here}"


def test_an_unpublished_editions_changes_stay_out_of_every_history(english_edition, client):
    english_edition.state = Edition.State.DRAFT
    with revision(summary="Back to review"):
        english_edition.save()
    translate_ukraine_paragraph(english_edition, "Armenia flatly denied this.")
    edited, withdrawn = CrisisRevision.objects.order_by("-revision__created_at")[:2]
    assert (edited.public, edited.changes) == (False, [])
    assert (withdrawn.public, withdrawn.language) == (True, "en")  # its readers see it go
    assert withdrawn.changes[0]["action"] == "withdrawn"
    assert "flatly" not in client.get(f"/en{ARTICLE}history/").content.decode()


def test_a_translation_of_what_readers_do_not_see_stays_out_of_every_history(
    english_edition, client
):
    """An event in review (or an assessment not published) is not read in the edition, so a
    change to its translation is not a line of the public history: its translated title would
    name what readers never saw."""
    event = Event.objects.filter(crisis=english_edition.crisis).order_by("pk").first()
    with revision(summary="Back to review"):
        event.state = "review"
        event.save()
    with revision(summary="Renamed in English"):
        Translation.objects.update_or_create(
            edition=english_edition, item=f"event/{event.slug}", field="title",
            defaults={"text": "Secret working title"},
        )  # fmt: skip
    renamed = CrisisRevision.objects.select_related("revision").latest("revision__created_at")
    assert renamed.revision.summary == "Renamed in English" and renamed.changes == []
    for url in (f"/en{ARTICLE}history/", f"/en{ARTICLE}feed/", "/api/v1/revisions/?lang=en"):
        assert "Secret working title" not in client.get(url).content.decode(), url
    with revision(summary="Published again"):
        event.state = "published"
        event.save()
    row = Translation.objects.get(
        edition=english_edition, item=f"event/{event.slug}", field="title"
    )
    with revision(summary="Renamed in English again"):
        row.text = "Public title"
        row.save()
    renamed = CrisisRevision.objects.select_related("revision").latest("revision__created_at")
    assert [line["label"] for line in renamed.changes] == ["Public title"]


def translation_sheet(edition) -> tablib.Dataset:
    return TranslationResource().export(Translation.objects.filter(edition=edition))


def ukraine_row(sheet: tablib.Dataset) -> int:
    return next(i for i, row in enumerate(sheet.dict) if row["item"] == "section/乌克兰"
                and row["field"] == "body")  # fmt: skip


def with_text(sheet: tablib.Dataset, index: int, text: str) -> tablib.Dataset:
    rows = [list(row) for row in sheet]
    rows[index][sheet.headers.index("text")] = text
    return tablib.Dataset(*rows, headers=sheet.headers)


def test_translations_go_to_translators_as_a_spreadsheet_and_come_back(english_edition, publisher):
    sheet = translation_sheet(english_edition)
    assert sheet.headers == ["crisis", "language", "item", "field", "original", "text", "machine"]
    row = sheet.dict[ukraine_row(sheet)]
    assert (row["crisis"], row["language"]) == (SLUG, "en")
    assert "予以否认" in row["original"] and "Armenia denied this." in row["text"]
    index = ukraine_row(sheet)
    changed = with_text(sheet, index, row["text"].replace("denied this", "flatly denied this"))
    result = TranslationResource().import_data(changed, file_name="en.xlsx", user=publisher)
    assert not result.has_errors() and not result.has_validation_errors()
    assert (result.totals["update"], result.totals["skip"]) == (1, len(sheet) - 1)
    text = Translation.objects.get(edition=english_edition, item="section/乌克兰", field="body")
    assert "Armenia flatly denied this." in text.text and not text.machine
    record = text.history.first()
    assert (record.history_change_reason, record.history_user) == (
        "Imported from en.xlsx",
        publisher,
    )


@pytest.mark.parametrize(
    "change, error",
    [
        (lambda row: {**row, "text": row["text"] + " More."}, "by spreadsheet needs a publisher"),
        (lambda row: {**row, "language": "fr"}, "No fr edition of the crisis"),
        (lambda row: {**row, "text": re.sub(r"\[@[^\]]+\]", "", row["text"])}, "cites what its"),
    ],
)
def test_a_refused_translation_sheet_saves_nothing(english_edition, editor, publisher, change,
                                                     error):  # fmt: skip
    sheet = translation_sheet(english_edition)
    rows = [dict(row) for row in sheet.dict]
    index = ukraine_row(sheet)
    rows[index - 1]["text"] += " Saved first?"
    rows[index] = change(rows[index])
    sheet = tablib.Dataset(*[list(row.values()) for row in rows], headers=sheet.headers)
    user = editor if "publisher" in error else publisher
    before = list(Translation.objects.order_by("pk").values_list("text", flat=True))
    with override("en"):
        result = TranslationResource().import_data(sheet, file_name="en.csv", user=user)
    assert result.has_errors() or result.has_validation_errors()
    messages = [str(e.error) for e in result.base_errors] + [
        str(error.error) for row in result.rows for error in row.errors
    ] + [str(row.error) for row in result.invalid_rows]  # fmt: skip
    assert any(error in message for message in messages), messages
    assert list(Translation.objects.order_by("pk").values_list("text", flat=True)) == before


def test_the_translations_list_exports_and_imports_a_sheet_in_the_admin(english_edition, client,
                                                                        publisher):  # fmt: skip
    client.force_login(publisher)
    listed = page(client, reverse("admin:events_translation_changelist") + "?q=Armenia")
    assert listed.select_one('a[href$="/import/"]') and listed.select_one('a[href*="/export/"]')
    edition_page = reverse("admin:events_edition_change", args=[english_edition.pk])
    assert listed.select_one(f'a[href="{edition_page}"]')
    sheet = translation_sheet(english_edition)
    index = ukraine_row(sheet)
    text = sheet.dict[index]["text"].replace("denied this", "flatly denied this")
    upload = io.BytesIO(with_text(sheet, index, text).export("csv").encode())
    upload.name = "en.csv"
    response = client.post(reverse("admin:events_translation_import"),
                           {"import_file": upload, "format": "0", "resource": "0"})  # fmt: skip
    assert response.status_code == 200
    form = BeautifulSoup(response.content, "html.parser").select_one(
        "form[action$='process_import/']"
    )
    data = {field["name"]: field.get("value", "") for field in form.select("input[name]")}
    response = client.post(reverse("admin:events_translation_process_import"), data)
    assert response.status_code == 302
    assert "flatly" in Translation.objects.get(item="section/乌克兰", field="body").text

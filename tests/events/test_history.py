import pytest
from bs4 import BeautifulSoup
from django.apps import apps
from django.urls import reverse

from crisis_tracker.history import revision
from events.models import CrisisRevision, Event, Revision, Section
from sources.models import Source
from tests.conftest import form_data

pytestmark = pytest.mark.django_db

SLUG = "azerbaijan-russia-2025"
HISTORY = reverse("events:history", args=[SLUG])
OLD = "联合国密切关注两国发生的事件"
NEW = "联合国高度关注两国发生的事件"


def soup_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return BeautifulSoup(response.content, "html.parser")


@pytest.fixture
def edited(seed, client, editor):
    """An editor rewords a sentence in the admin, with an edit summary."""
    client.force_login(editor)
    section = Section.objects.get(key="联合国")
    change = reverse("admin:events_section_change", args=[section.pk])
    data = form_data(client, change)
    data.update(body=data["body"].replace("密切关注", "高度关注"), edit_summary="措辞更准确")
    assert client.post(change, data).status_code == 302
    client.logout()
    return section


def test_the_seed_import_is_one_revision(seed):
    assert Revision.objects.count() == 1
    link = CrisisRevision.objects.get()
    assert link.public
    assert {"kind": "section", "action": "added", "label": "背景"} in link.changes


def test_an_edit_with_a_summary_is_a_revision_in_the_history_and_the_feed(edited, client):
    soup = soup_of(client, HISTORY)
    first = soup.select_one("li.revision")
    assert "措辞更准确" in first.get_text()
    assert "章节“联合国”已编辑" in first.get_text()
    feed = client.get(reverse("events:feed", args=[SLUG])).content.decode()
    assert "措辞更准确" in feed and "<feed" in feed
    site = client.get(reverse("events:site_feed")).content.decode()
    assert "措辞更准确" in site


def test_the_article_links_its_history_and_advertises_the_feed(edited, client):
    soup = soup_of(client, reverse("events:crisis", args=[SLUG]))
    assert soup.select_one(f'.article-meta a[href="{HISTORY}"]') is not None
    feed = soup.select_one('link[rel=alternate][type="application/atom+xml"]')
    assert feed["href"] == reverse("events:feed", args=[SLUG])


def test_the_permalink_before_an_edit_shows_the_old_sentence(edited, client):
    before, after = Revision.objects.order_by("created_at")
    old = soup_of(client, reverse("events:revision", args=[SLUG, before.pk]))
    text = old.get_text()
    assert OLD in text and NEW not in text
    assert "旧版本" in old.select_one(".old-version-banner").get_text()
    assert len(old.select("ol.references > li")) == 18
    new = soup_of(client, reverse("events:revision", args=[SLUG, after.pk]))
    assert NEW in new.get_text()


def test_compare_shows_both_sentences(edited, client):
    latest = Revision.objects.latest("created_at")
    soup = soup_of(client, reverse("events:compare", args=[SLUG, latest.pk]))
    diff = soup.select_one(".comparison")
    assert [d.get_text() for d in diff.select("del")] == ["密切"]
    assert [i.get_text() for i in diff.select("ins")] == ["高度"]


def test_editors_are_never_named_to_readers(edited, client):
    latest = Revision.objects.latest("created_at")
    assert latest.user.username == "editor"
    for url in [
        HISTORY,
        reverse("events:revision", args=[SLUG, latest.pk]),
        reverse("events:compare", args=[SLUG, latest.pk]),
        reverse("events:feed", args=[SLUG]),
        reverse("events:site_feed"),
        reverse("events:crisis", args=[SLUG]),
    ]:
        assert "editor" not in client.get(url).content.decode().replace("editorial", ""), url


def test_a_correction_shows_on_the_article_and_in_the_history(seed, client, editor):
    client.force_login(editor)
    source = Source.objects.get(key="cnn-2020-10-10")
    change = reverse("admin:sources_source_change", args=[source.pk])
    data = form_data(client, change)
    data.update(
        published="2020-10-11",
        edit_summary="Fixed date",
        is_correction="on",
        correction_note="此前版本中CNN报道的日期有误。",
    )
    assert client.post(change, data).status_code == 302
    client.logout()
    article = soup_of(client, reverse("events:crisis", args=[SLUG]))
    assert "此前版本中CNN报道的日期有误。" in article.select_one(".corrections").get_text()
    history = soup_of(client, HISTORY)
    assert history.select_one("li.revision.correction .badge-correction") is not None
    assert "来源“Armenia and Azerbaijan agree" in history.select_one("li.revision").get_text()


def test_draft_content_never_leaks_through_history(seed, client, publisher):
    with revision(summary="秘密草稿", user=publisher):
        Event.objects.create(
            crisis=seed,
            slug="secret",
            title="秘密事件",
            date="2025-07-01",
            date_precision="month",
            summary="秘密内容[@ap-2025-07-02]。",
        )
    draft_revision = Revision.objects.latest("created_at")
    assert not CrisisRevision.objects.get(revision=draft_revision).public
    pages = [HISTORY, reverse("events:feed", args=[SLUG]), reverse("events:site_feed")]
    for url in pages:
        html = client.get(url).content.decode()
        assert "秘密" not in html, url
    for view in ["events:revision", "events:compare"]:
        assert client.get(reverse(view, args=[SLUG, draft_revision.pk])).status_code == 404
    seed_revision = Revision.objects.earliest("created_at")
    compare = client.get(reverse("events:compare", args=[SLUG, seed_revision.pk]))
    assert "秘密" not in compare.content.decode()


def test_an_unpublished_crisis_has_no_public_history(edited, client):
    edited.crisis.state = "draft"
    edited.crisis.save()
    latest = Revision.objects.order_by("created_at").first()
    for url in [
        HISTORY,
        reverse("events:feed", args=[SLUG]),
        reverse("events:revision", args=[SLUG, latest.pk]),
        reverse("events:compare", args=[SLUG, latest.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    assert edited.crisis.title not in client.get(reverse("events:site_feed")).content.decode()


def test_history_and_permalinks_use_a_bounded_number_of_queries(
    seed, client, django_assert_max_num_queries
):
    section = Section.objects.get(key="联合国")
    for n in range(200):
        section.body = f"第{n}版。[@first-news-2025-07-01]"
        section._change_reason = f"Edit {n}"
        section.save()
    assert CrisisRevision.objects.filter(public=True).count() == 201
    # session-less reader: crisis, count, page of revisions, the revision before the page
    with django_assert_max_num_queries(4):
        soup = soup_of(client, HISTORY)
    assert len(soup.select("li.revision")) == 50
    with django_assert_max_num_queries(0):  # then cached like the article, until a change
        assert soup_of(client, HISTORY).select("li.revision")[0] == soup.select("li.revision")[0]
    middle = Revision.objects.order_by("created_at")[100]
    # crisis, the revision link, then as-of queries: crisis, sections, participations, actors,
    # sources; the corrections list is not part of an old version
    with django_assert_max_num_queries(7):
        soup = soup_of(client, reverse("events:revision", args=[SLUG, middle.pk]))
    assert "第99版。" in soup.get_text()
    # crisis, two revision links, two snapshots of five queries, published events and cited
    # sources at both moments
    with django_assert_max_num_queries(17):
        client.get(reverse("events:compare", args=[SLUG, middle.pk]))


def test_a_withdrawal_names_the_entry_as_readers_last_saw_it(tiny_crisis, client, publisher):
    """Retitled and withdrawn in one save: readers are told the title they saw, never the new
    one, which was never published."""
    event = Event.objects.get(slug="talks")
    client.force_login(publisher)
    change = reverse("admin:events_event_change", args=[event.pk])
    data = form_data(client, change)
    data.update(title="Never shown title", state="draft", edit_summary="Held back")
    assert client.post(change, data).status_code == 302
    client.logout()
    pages = {
        "history": reverse("events:history", args=["tiny"]),
        "feed": reverse("events:feed", args=["tiny"]),
        "site feed": reverse("events:site_feed"),
    }
    for name, url in pages.items():
        body = client.get(url).content.decode()
        assert "Never shown title" not in body, name
        assert "事件“Talks held”已撤下" in body, name


def test_an_entry_created_and_changed_in_one_edit_is_one_added_line(tiny_crisis, client):
    with revision(summary="New event with its actors"):
        event = Event.objects.create(
            crisis=tiny_crisis,
            slug="summit",
            title="Summit",
            summary="Met.",
            date="2025-06-09",
            state="published",
        )
        event.title = "Summit in the capital"
        event.save()
    link = CrisisRevision.objects.filter(crisis=tiny_crisis).first()
    assert link.changes == [{"kind": "event", "action": "added", "label": "Summit in the capital"}]


def test_an_entry_created_and_deleted_in_one_edit_leaves_no_line(tiny_crisis):
    before = CrisisRevision.objects.filter(crisis=tiny_crisis, public=True).count()
    with revision(summary="Second thoughts"):
        Section.objects.create(crisis=tiny_crisis, key="gone", heading="Gone", order=9).delete()
    assert CrisisRevision.objects.filter(crisis=tiny_crisis, public=True).count() == before


def test_a_large_edit_is_read_in_chunks_of_whole_entries(tiny_crisis, monkeypatch):
    """The public history reads an edit's rows a few at a time; an entry whose rows cross a
    chunk's end, or fill one alone, is still one line with its final title."""
    monkeypatch.setattr("crisis_tracker.history.CHUNK_ROWS", 2)
    with revision(summary="Three events"):
        made = []
        for slug, saves in [("one", 1), ("two", 3), ("three", 1)]:
            event = Event.objects.create(
                crisis=tiny_crisis, slug=slug, title=slug, date="2025-06-09", state="published"
            )
            for n in range(1, saves):
                event.title = f"{slug} ({n})"
                event.save()
            made.append(event.title)
    link = CrisisRevision.objects.filter(crisis=tiny_crisis).first()
    assert link.public
    assert link.changes == [{"kind": "event", "action": "added", "label": t} for t in made]
    assert link.revision.summary == "Three events"
    last_row = Event.history.filter(revision_key=link.revision.key).latest("history_date")
    assert link.revision.created_at == last_row.history_date


def test_a_large_edit_names_some_entries_and_counts_the_rest(
    tiny_crisis, client, monkeypatch, django_user_model
):
    from django.core import mail
    from django.test import TestCase

    from desk.models import CrisisWatch

    monkeypatch.setattr("events.revisions.LINES_KEPT", 2)
    watcher = django_user_model.objects.create_user("watcher", "watcher@example.org")
    CrisisWatch.objects.create(user=watcher, crisis=tiny_crisis)
    with TestCase.captureOnCommitCallbacks(execute=True), revision(summary="Back-fill"):
        for n in range(5):
            Event.objects.create(
                crisis=tiny_crisis,
                slug=f"e{n}",
                title=f"E{n}",
                date="2025-06-09",
                state="published",
            )
    link = CrisisRevision.objects.filter(crisis=tiny_crisis).first()
    assert link.changes == [
        {"kind": "event", "action": "added", "label": "E0"},
        {"kind": "event", "action": "added", "label": "E1"},
        {"kind": "event", "action": "added", "label": "", "more": 3},
    ]
    history = reverse("events:history", args=["tiny"])
    assert "另有3个事件已添加" in client.get(history).content.decode().replace(" ", "")
    assert "Event added: 3 more" in client.get("/en" + history).content.decode()
    assert "- E1\n- … and 3 more" in mail.outbox[-1].body


def test_a_new_source_is_listed_on_the_crises_whose_new_text_cites_it_without_reading_the_rest(
    seed, tmp_path, monkeypatch
):
    import json

    from events import revisions
    from interchange.fixture_import import import_fixtures

    read_everything = []
    monkeypatch.setattr(revisions, "crises_citing", lambda keys: read_everything.append(keys) or {})
    update = [
        {"model": "sources.source", "fields": {"key": "new-report", "title": "A new report"}},
        {"model": "events.event", "fields": {
            "crisis": [SLUG], "slug": "new-event", "title": "新事件", "date": "2025-07-20",
            "summary": "新的报道。[@new-report]", "state": "published"}},
    ]  # fmt: skip
    path = tmp_path / "update.json"
    path.write_text(json.dumps(update, ensure_ascii=False), encoding="utf-8")
    import_fixtures(files=[("update.json", path)])
    changes = CrisisRevision.objects.filter(crisis=seed).first().changes
    assert {"kind": "source", "action": "added", "label": "A new report"} in changes
    assert read_everything == []  # only the revision's own texts were read


def test_every_history_table_is_indexed_by_entry_and_date():
    """An entry's latest change (the desk, locking, tombstones) is read from an index."""
    histories = [model for model in apps.get_models() if hasattr(model, "instance_type")]
    assert {model.instance_type for model in histories} >= {Event, Source, Section}
    for model in histories:
        entry = model.instance_type._meta.pk.attname
        indexed = [list(index.fields) for index in model._meta.indexes]
        assert [entry, "history_date"] in indexed, model.__name__

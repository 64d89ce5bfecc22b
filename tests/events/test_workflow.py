import io
import json

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone

from events.models import Crisis, Event, Section
from sources.models import Source
from tests.conftest import SEED, form_data

pytestmark = pytest.mark.django_db


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def draft_event(seed, slug="new-raid", state="draft") -> Event:
    return Event.objects.create(
        crisis=seed, slug=slug, title="新事件", date="2025-07-01", date_precision="month",
        summary="据报道[@ap-2025-07-02]。", state=state,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("as_persona", "expected"),
    [("anonymous", 302), ("outsider", 403), ("editor", 200), ("publisher", 200)],
    indirect=["as_persona"],
)
@pytest.mark.parametrize("model", [Event, Source, Crisis])
def test_who_may_open_the_admin_pages(seed, client, as_persona, expected, model):
    obj = model.objects.first()
    for page in [
        url(model, "changelist"),
        url(model, "change", obj.pk),
        url(model, "history", obj.pk),
    ]:
        assert client.get(page).status_code == expected, page


@pytest.mark.parametrize(
    ("as_persona", "expected"),
    [("anonymous", 302), ("outsider", 403), ("editor", 200), ("publisher", 200)],
    indirect=["as_persona"],
)
def test_who_may_import(seed, client, as_persona, expected):
    assert client.get(url(Event, "import")).status_code == expected
    assert client.get(reverse("admin:events_crisis_import_fixture")).status_code == expected


def state_choices(client, event) -> list[str]:
    soup = BeautifulSoup(client.get(url(Event, "change", event.pk)).content, "html.parser")
    return [option["value"] for option in soup.select("select[name=state] option")]


def test_editors_may_draft_and_submit_but_not_publish(seed, client, editor):
    client.force_login(editor)
    event = draft_event(seed)
    assert state_choices(client, event) == ["draft", "review"]
    data = form_data(client, url(Event, "change", event.pk))
    data["state"] = "published"
    response = client.post(url(Event, "change", event.pk), data)
    assert response.status_code == 200
    event.refresh_from_db()
    assert event.state == "draft"


def test_publishers_may_set_any_state(seed, client, publisher):
    client.force_login(publisher)
    event = draft_event(seed)
    assert state_choices(client, event) == ["draft", "review", "published"]
    data = form_data(client, url(Event, "change", event.pk))
    data.update(state="published", edit_summary="Checked and published")
    assert client.post(url(Event, "change", event.pk), data).status_code == 302
    event.refresh_from_db()
    assert event.state == "published"
    assert event.history.latest().history_change_reason == "Checked and published"


def test_editors_cannot_unpublish_or_delete_published_entries(seed, client, editor):
    client.force_login(editor)
    event = Event.objects.get(slug="agalarov-case")
    soup = BeautifulSoup(client.get(url(Event, "change", event.pk)).content, "html.parser")
    assert soup.select_one("select[name=state]").has_attr("disabled")
    assert client.get(url(Event, "delete", event.pk)).status_code == 403
    draft = draft_event(seed)
    assert client.get(url(Event, "delete", draft.pk)).status_code == 200


def test_a_published_entry_needs_an_edit_summary(seed, client, editor):
    client.force_login(editor)
    event = Event.objects.get(slug="agalarov-case")
    data = form_data(client, url(Event, "change", event.pk))
    data["title"] = "改过的标题"
    response = client.post(url(Event, "change", event.pk), data)
    assert response.status_code == 200
    assert "edit_summary" in response.context["adminform"].form.errors
    data["edit_summary"] = "标题更准确"
    assert client.post(url(Event, "change", event.pk), data).status_code == 302


def run_action(client, model, action, objects, opened_at=None):
    changelist = url(model, "changelist")
    opened = (
        opened_at
        or BeautifulSoup(client.get(changelist).content, "html.parser").select_one(
            "input[name=opened_at]"
        )["value"]
    )
    data = {
        "action": action,
        "_selected_action": [o.pk for o in objects],
        "opened_at": opened,
        "index": 0,
    }
    return client.post(changelist, data, follow=True)


def test_actions_move_entries_through_review_with_history(seed, client, editor, publisher):
    event = draft_event(seed)
    client.force_login(editor)
    run_action(client, Event, "submit_for_review", [event])
    event.refresh_from_db()
    assert event.state == "review"
    run_action(client, Event, "publish", [event])  # not offered to editors
    event.refresh_from_db()
    assert event.state == "review"
    client.force_login(publisher)
    run_action(client, Event, "publish", [event])
    event.refresh_from_db()
    assert event.state == "published"
    reasons = list(
        event.history.order_by("history_date").values_list(
            "history_change_reason", "history_user__username"
        )
    )
    assert reasons[1:] == [
        ("Submitted for review", "editor"),
        ("Approved and published", "publisher"),
    ]


def test_readers_see_an_event_only_once_published(seed, client, publisher):
    event = draft_event(seed)
    timeline = reverse("events:timeline", args=[seed.slug])
    assert "新事件" not in client.get(timeline).content.decode()
    client.force_login(publisher)
    run_action(client, Event, "publish", [event])
    client.logout()
    assert "新事件" in client.get(timeline).content.decode()


def test_a_stale_change_form_is_refused_and_keeps_the_input(
    seed, english, client, editor, publisher
):
    source = Source.objects.get(key="cnn-2020-10-10")
    client.force_login(editor)
    data = form_data(client, url(Source, "change", source.pk))
    # Meanwhile a publisher saves the same source.
    source.title = "Publisher's title"
    source._history_user = publisher
    source._change_reason = "Publisher fixed the title"
    source.save()
    data.update(title="Editor's title", edit_summary="Editor's change")
    response = client.post(url(Source, "change", source.pk), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "was changed by publisher at" in html
    assert "after you opened it; your changes were not saved" in html
    assert "Editor&#x27;s title" in html  # the editor's input is kept
    assert response.context["adminform"].form.conflict_changes[0].name == "title"
    source.refresh_from_db()
    assert source.title == "Publisher's title"
    # Having seen the change, the editor may save deliberately.
    soup = BeautifulSoup(html, "html.parser")
    data["opened_at"] = soup.select_one("input[name=opened_at]")["value"]
    assert client.post(url(Source, "change", source.pk), data).status_code == 302
    source.refresh_from_db()
    assert source.title == "Editor's title"


def test_a_stale_list_edit_is_refused(seed, client, editor, publisher):
    client.force_login(editor)
    changelist = url(Event, "changelist") + "?q=agalarov"
    data = form_data(client, changelist, form_id="changelist-form")
    event = Event.objects.get(slug="agalarov-case")
    event.verification = "disputed"
    event._change_reason = "Elsewhere"
    event.save()
    key = next(k for k, v in data.items() if k.endswith("-verification"))
    data.update({key: "confirmed", "_save": "Save"})
    response = client.post(changelist, data)
    assert response.status_code == 200
    event.refresh_from_db()
    assert event.verification == "disputed"


def test_a_stale_action_is_refused(seed, client, publisher):
    event = draft_event(seed)
    client.force_login(publisher)
    opened = timezone.now().isoformat()
    event.title = "别人改过"
    event._change_reason = "Elsewhere"
    event.save()
    run_action(client, Event, "publish", [event], opened_at=opened)
    event.refresh_from_db()
    assert event.state == "draft"


def test_revert_records_a_new_version_saying_so(seed, client, publisher):
    section = Section.objects.get(key="联合国")
    original = section.body
    section.body = "改写的段落。"
    section._change_reason = "Rewrote"
    section.save()
    first = section.history.earliest()
    client.force_login(publisher)
    revert_url = reverse("admin:events_section_simple_history", args=[section.pk, first.history_id])
    data = form_data(client, revert_url)
    assert client.post(revert_url, data).status_code == 302
    section.refresh_from_db()
    assert section.body == original
    latest = section.history.latest()
    assert latest.history_change_reason.startswith("Reverted to the version of")
    assert section.history.count() == 3


def test_compare_shows_a_character_level_diff_for_chinese(seed, client, editor):
    section = Section.objects.get(key="联合国")
    section.body = section.body.replace("密切关注", "高度关注")
    section._change_reason = "Wording"
    section.save()
    client.force_login(editor)
    response = client.get(url(Section, "compare", section.pk))
    soup = BeautifulSoup(response.content, "html.parser")
    assert [d.get_text() for d in soup.select("td.diff del")] == ["密切"]
    assert [i.get_text() for i in soup.select("td.diff ins")] == ["高度"]


def test_an_unknown_citation_key_shows_on_the_field_with_a_suggestion(
    seed, english, client, editor
):
    client.force_login(editor)
    event = draft_event(seed)
    data = form_data(client, url(Event, "change", event.pk))
    data["summary"] = "新的说法[@ap-2025-07-2]。"
    response = client.post(url(Event, "change", event.pk), data)
    errors = response.context["adminform"].form.errors["summary"]
    assert errors == ["Unknown source key 'ap-2025-07-2'; did you mean 'ap-2025-07-02'?"]


def test_the_citation_helper_finds_sources_by_title(seed, client, editor):
    client.force_login(editor)
    response = client.get(reverse("admin:sources_source_cite_search") + "?q=ceasefire")
    assert response.json() == {"results": [{"key": "cnn-2020-10-10",
        "title": "Armenia and Azerbaijan agree on a ceasefire, Russian foreign ministry says"}]}  # fmt: skip
    soup = BeautifulSoup(client.get(url(Event, "add")).content, "html.parser")
    assert soup.select_one(".citation-field textarea[name=summary]") is not None


def test_the_fixture_page_previews_then_imports_with_history(
    seed, client, editor, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    objects = json.loads(SEED.read_text(encoding="utf-8"))
    for obj in objects:
        if obj["model"] == "sources.source" and obj["fields"]["key"] == "cnn-2020-10-10":
            obj["fields"]["url"] = "https://edition.cnn.com/x"
    upload = io.BytesIO(json.dumps(objects, ensure_ascii=False).encode())
    upload.name = "desk-update.json"
    page = reverse("admin:events_crisis_import_fixture")
    with django_capture_on_commit_callbacks(execute=True):  # the job starts after the commit
        response = client.post(page, {"files": upload, "reason": ""})
    job_page = response["Location"]
    response = client.get(job_page)
    assert response.status_code == 200
    assert "https://edition.cnn.com/x" in response.content.decode()
    assert Source.objects.get(key="cnn-2020-10-10").url == ""
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(job_page)
    assert response.status_code == 302
    source = Source.objects.get(key="cnn-2020-10-10")
    assert source.url == "https://edition.cnn.com/x"
    latest = source.history.latest()
    assert (latest.history_change_reason, latest.history_user) == (
        "Imported from desk-update.json",
        editor,
    )


def test_the_fixture_page_submits_an_editors_publishing_for_review(
    seed, client, editor, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    objects = [
        {
            "model": "events.event",
            "fields": {
                "crisis": ["azerbaijan-russia-2025"],
                "slug": "sneaky",
                "title": "T",
                "date": "2025-07-01",
                "date_precision": "month",
                "summary": "S",
                "state": "published",
            },
        }
    ]
    upload = io.BytesIO(json.dumps(objects).encode())
    upload.name = "sneaky.json"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:events_crisis_import_fixture"), {"files": upload})
    page = client.get(response["Location"]).content.decode()
    assert "1 event will wait for review: marked published" in page
    assert not Event.objects.filter(slug="sneaky").exists()

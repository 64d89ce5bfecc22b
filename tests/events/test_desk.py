"""The editors' desk: review with comments, notifications, scheduled publishing, the panels."""

import datetime
import json

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.test import TestCase
from django.utils import timezone

from crisis_tracker.history import revision
from desk import panels, review
from desk.models import NotificationSettings, ReviewComment
from desk.scheduling import publish_scheduled
from events.models import Crisis, Event
from tests.conftest import form_data

pytestmark = pytest.mark.django_db
CHANGE = "/admin/events/event/{}/change/"


def draft_event(user, slug="consular-talks", summary="两国领事会面。[@reuters-2024-12-26]",
                **fields) -> Event:  # fmt: skip
    with revision(summary="Drafted", user=user):
        return Event.objects.create(crisis=Crisis.objects.get(), slug=slug, title="领事磋商",
                                    date="2025-10-01", summary=summary, **fields)  # fmt: skip


def step(client, event, step, comment=""):
    data = form_data(client, CHANGE.format(event.pk), form_id="review-form")
    with TestCase.captureOnCommitCallbacks(execute=True):  # mail goes out once the step commits
        response = client.post(f"/admin/events/event/{event.pk}/review/",
                               {**data, "step": step, "comment": comment}, follow=True)  # fmt: skip
    event.refresh_from_db()
    return response


def page(client, url="/admin/") -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


@pytest.fixture
def people(editor, publisher, english):
    editor.email, publisher.email = "editor@example.org", "publisher@example.org"
    editor.save()
    publisher.save()
    return editor, publisher


def test_send_back_and_approve_with_comments_and_mail(seed, client, people):
    editor, publisher = people
    event = draft_event(editor)
    client.force_login(editor)
    step(client, event, "submitted", "Ready, I think.")
    assert event.state == "review"
    assert [m.to for m in mail.outbox] == [["publisher@example.org"]]
    assert "Ready, I think." in mail.outbox[0].body

    client.force_login(publisher)
    waiting = page(client).select("#desk-review tbody tr")
    assert [row.th.a.get_text() for row in waiting] == [str(event)]
    assert "editor" in waiting[0].get_text() and "Ready, I think." in waiting[0].get_text()
    refused = step(client, event, "sent_back", "   ")
    assert event.state == "review" and "needs a comment" in refused.content.decode()
    refused = step(client, event, "sent_back", "x" * 5001)
    assert event.state == "review" and "at most 5000 characters" in refused.content.decode()
    step(client, event, "sent_back", "Cite the consulate's own statement.")
    assert event.state == "draft"
    assert mail.outbox[-1].to == ["editor@example.org"]
    # The thread keeps the comment; the history, which readers may see, a neutral line.
    assert event.history.latest().history_change_reason == "Sent back"

    client.force_login(editor)
    mine = page(client).select("#desk-mine tbody tr")
    assert "desk-sent-back" in mine[0]["class"]
    assert "Cite the consulate's own statement." in mine[0].get_text()
    thread = page(client, CHANGE.format(event.pk)).select(".review-comments li")
    assert [li["class"] for li in thread] == [["review-submitted"], ["review-sent_back"]]
    step(client, event, "submitted", "Added the statement.")

    client.force_login(publisher)
    step(client, event, "published")
    assert event.state == "published" and mail.outbox[-1].to == ["editor@example.org"]
    assert client.get("/crises/azerbaijan-russia-2025/timeline/").content.count(b"consular-talks")
    steps = list(ReviewComment.objects.values_list("step", "user__username"))
    assert steps == [("submitted", "editor"), ("sent_back", "publisher"),
                     ("submitted", "editor"), ("published", "publisher")]  # fmt: skip


def test_an_editor_may_not_publish_or_send_back(seed, client, people):
    editor, _publisher = people
    event = draft_event(editor, state="review")
    client.force_login(editor)
    buttons = page(client, CHANGE.format(event.pk)).select("#review-form button")
    assert [b["value"] for b in buttons] == ["commented"]
    for refused in ("published", "sent_back"):
        response = step(client, event, refused, "No.")
        assert event.state == "review" and "may not take this step" in response.content.decode()
    assert not ReviewComment.objects.exists()


def test_a_step_on_an_entry_changed_since_the_page_was_opened_is_refused(seed, client, people):
    editor, publisher = people
    event = draft_event(editor, state="review")
    client.force_login(publisher)
    data = form_data(client, CHANGE.format(event.pk), form_id="review-form")
    with revision(summary="Meanwhile", user=editor):
        event.title = "领事磋商(更新)"
        event.save()
    response = client.post(f"/admin/events/event/{event.pk}/review/",
                           {**data, "step": "published"}, follow=True)  # fmt: skip
    event.refresh_from_db()
    assert event.state == "review" and "after you opened it" in response.content.decode()


def test_each_kind_of_mail_can_be_switched_off(seed, client, people):
    editor, publisher = people
    client.force_login(publisher)
    shown = form_data(client, "/admin/desk/notifications/")
    assert (shown["submitted"], shown["reviewed"]) == ("on", "on")  # on until switched off
    client.post("/admin/desk/notifications/", {"reviewed": "on"})
    assert NotificationSettings.objects.get(user=publisher).submitted is False
    event = draft_event(editor)
    client.force_login(editor)
    step(client, event, "submitted")
    assert event.state == "review" and mail.outbox == []


def test_scheduled_publish_and_unpublish_happen_at_their_time(seed, client, people):
    editor, publisher = people
    at = timezone.now() + datetime.timedelta(hours=2)
    event = draft_event(editor, state="review", publish_at=at, scheduled_by=publisher)
    assert publish_scheduled(now=at - datetime.timedelta(minutes=1)) == []
    assert b"consular-talks" not in client.get("/crises/azerbaijan-russia-2025/timeline/").content
    assert publish_scheduled(now=at) == [f"published event {event}"]
    event.refresh_from_db()
    assert event.state == "published" and event.publish_at is None
    row = event.history.latest()
    assert row.history_user == publisher and "Published as scheduled" in row.history_change_reason
    assert b"consular-talks" in client.get("/crises/azerbaijan-russia-2025/timeline/").content

    with revision(summary="Schedule the take-down", user=publisher):
        event.unpublish_at, event.scheduled_by = at + datetime.timedelta(days=1), publisher
        event.save()
    assert publish_scheduled(now=at + datetime.timedelta(days=1)) == [f"unpublished event {event}"]
    event.refresh_from_db()
    assert event.state == "draft" and event.unpublish_at is None
    assert b"consular-talks" not in client.get("/crises/azerbaijan-russia-2025/timeline/").content


def test_a_schedule_is_a_publishers_and_lies_ahead(seed, client, people):
    editor, publisher = people
    event = draft_event(editor)
    url = CHANGE.format(event.pk)
    later = timezone.localtime() + datetime.timedelta(days=1)
    schedule = {"publish_at_0": later.strftime("%Y-%m-%d"), "publish_at_1": "08:00:00"}
    client.force_login(editor)
    client.post(url, {**form_data(client, url), **schedule})
    event.refresh_from_db()
    assert event.publish_at is None  # the field is not an editor's to set

    client.force_login(publisher)
    past = {"publish_at_0": "2020-01-01", "publish_at_1": "08:00:00"}
    response = client.post(url, {**form_data(client, url), **past})
    assert "Choose a time in the future." in response.content.decode()
    client.post(url, {**form_data(client, url), **schedule})
    event.refresh_from_db()
    assert event.publish_at is not None and event.scheduled_by == publisher


def test_a_schedule_its_publisher_may_no_longer_keep_is_dropped(seed, people):
    editor, publisher = people
    at = timezone.now() + datetime.timedelta(hours=1)
    event = draft_event(editor, publish_at=at, scheduled_by=publisher)
    publisher.groups.clear()
    publisher.user_permissions.clear()
    assert publish_scheduled(now=at) == []
    event.refresh_from_db()
    assert event.state == "draft" and event.publish_at is None
    assert "Schedule dropped" in event.history.latest().history_change_reason


def test_the_desk_per_persona(seed, client, people, superuser):
    editor, publisher = people
    draft_event(editor, state="review")
    client.force_login(editor)
    desk_page = page(client)
    assert not desk_page.select("#desk-review") and not desk_page.select(".desk-security")
    assert len(desk_page.select("#desk-mine tbody tr")) == 1
    client.force_login(publisher)
    desk_page = page(client)
    assert len(desk_page.select("#desk-review tbody tr")) == 1
    assert not desk_page.select("#desk-mine tbody tr")
    client.force_login(superuser)
    desk_page = page(client)
    assert desk_page.select_one(".desk-security")
    apps = [a.get_text(strip=True) for a in desk_page.select(".desk-security ~ div caption a")]
    assert apps and all("Axes" in name or "axes" in name.casefold() for name in apps)


def test_each_count_on_the_desk_matches_its_list(seed, client, people, superuser):
    from sources.models import Source

    with revision(summary="Loose ends"):
        Source.objects.create(key="uncited-note", title="A note nobody cites")
    draft_event(people[0], slug="no-source", summary="没有来源。")
    client.force_login(superuser)
    checks = page(client).select("#desk-attention li")
    assert len(checks) == len(panels.CHECKS)
    for item in checks:
        count = int(item.strong.get_text())
        listed = page(client, item.a["href"])
        assert len(listed.select(".desk-attention li")) == count, item.a["href"]
    counts = {check.slug: n for check, n in panels.needs_attention(superuser)}
    assert counts["sources-cited-nowhere"] >= 1 and counts["events-without-source"] >= 1
    assert "uncited-note" in {s.key for s in panels.sources_cited_nowhere(panels.Facts())}


def test_the_desk_reads_what_is_cited_from_tallies_that_each_revision_rewrites(
    seed, people, django_assert_num_queries
):
    from crisis_tracker.narrative import crises_citing
    from sources.models import Source

    def cited_nowhere() -> set[str]:
        return {source.key for source in panels.sources_cited_nowhere(panels.Facts())}

    with revision(summary="A consul's note"):
        Source.objects.create(key="consul-note", title="A consul's note")
    assert "consul-note" in cited_nowhere()
    event = draft_event(people[0], summary="两国领事会面。[@consul-note]")  # a draft cites it
    facts = panels.Facts()
    with django_assert_num_queries(2):  # the crises, their tallies: not every narrative text
        cited = facts.cited
    every = set(Source.objects.values_list("key", flat=True))
    assert cited == {key for key, crises in crises_citing(every).items() if crises}
    assert "consul-note" not in cited_nowhere()
    with revision(summary="The note is not needed"):
        event.summary = "两国领事会面。[@reuters-2024-12-26]"
        event.save()
    assert "consul-note" in cited_nowhere()


def test_fixtures_neither_carry_nor_set_a_schedule(seed, people):
    from interchange.fixture_export import export_crisis
    from interchange.fixture_import import FixtureError, import_fixtures

    editor, publisher = people
    draft_event(editor, publish_at=timezone.now() + datetime.timedelta(days=1),
                scheduled_by=publisher)  # fmt: skip
    exported = export_crisis(Crisis.objects.get())
    assert "publish_at" not in exported and "scheduled_by" not in exported
    update = [{"model": "events.event", "fields": {
        "crisis": ["azerbaijan-russia-2025"], "slug": "consular-talks",
        "publish_at": "2030-01-01T08:00:00Z"}}]  # fmt: skip
    with pytest.raises(FixtureError, match="publish_at.*cannot be imported"):
        import_fixtures(files=[("u.json", json.dumps(update))], user=publisher)


CRISIS = "/crises/azerbaijan-russia-2025/"
TIMELINE = CRISIS + "timeline/"


def test_preview_shows_a_draft_marked_to_staff_only_and_is_never_cached(seed, client, people):
    editor, _publisher = people
    draft_event(editor)
    client.force_login(editor)
    preview = page(client, CHANGE.format(Event.objects.get(slug="consular-talks").pk))
    preview_url = preview.select_one(".review-preview a")["href"]
    response = client.get(preview_url)
    assert "no-store" in response["Cache-Control"] and "xkey" not in response
    soup = BeautifulSoup(response.content, "html.parser")
    talks = soup.select_one("#event-consular-talks")
    assert talks.select_one(".badge-draft") and talks.select_one("sup a")  # marked and cited
    client.logout()
    for url in (TIMELINE, "/crises/azerbaijan-russia-2025/feed/", CRISIS):
        assert "领事磋商" not in client.get(url).content.decode(), url


def test_a_signed_preview_link_works_until_revoked_or_expired(seed, client, people):
    from desk.models import PreviewLink
    from places.models import Place

    editor, publisher = people
    draft_event(editor, location=Place.objects.get(slug="baku"))
    client.force_login(publisher)
    created = client.post("/admin/desk/previewlink/add/",
                          {"crisis": Crisis.objects.get().pk, "note": "legal", "days": 7},
                          follow=True)  # fmt: skip
    link = PreviewLink.objects.get()
    assert link.created_by == publisher and link.token() in created.content.decode()
    client.logout()
    timeline = f"/preview/{link.token()}/timeline/"
    response = client.get(timeline)
    assert response.status_code == 200 and "领事磋商" in response.content.decode()
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"] and not response.cookies
    assert client.get(f"/preview/{link.token()}/").status_code == 200
    the_map = BeautifulSoup(response.content, "html.parser").select_one(".event-map")
    assert the_map["data-map-url"] == CRISIS + "map.json"  # the page staff preview, as it is
    map_data = client.get(f"/preview/{link.token()}/map.json")  # what map.js asks on this page
    assert b"consular-talks" in map_data.content and "no-store" in map_data["Cache-Control"]
    assert b"consular-talks" not in client.get(CRISIS + "map.json").content
    assert "领事磋商" not in client.get(TIMELINE).content.decode()  # nothing leaked to readers
    assert client.get(timeline.replace(link.token()[-4:], "AAAA")).status_code == 410

    client.force_login(publisher)
    client.post("/admin/desk/previewlink/", {"action": "revoke", "_selected_action": [link.pk]})
    client.logout()
    assert client.get(timeline).status_code == 410
    PreviewLink.objects.update(revoked_at=None, expires_at=timezone.now())
    assert client.get(timeline).status_code == 410


def test_watchers_hear_of_what_is_published_whatever_the_path(seed, client, people):
    editor, publisher = people
    client.force_login(editor)
    event = draft_event(editor)
    client.post(f"/admin/events/event/{event.pk}/watch/")
    with TestCase.captureOnCommitCallbacks(execute=True):
        with revision(summary="Quiet draft edit", user=publisher):
            event.title = "领事磋商(草稿)"
            event.save()
    assert mail.outbox == []  # nothing readers can see yet
    with TestCase.captureOnCommitCallbacks(execute=True):
        with revision(summary="Published from the form", user=publisher):
            event.state = "published"
            event.save()
    assert [m.to for m in mail.outbox] == [["editor@example.org"]]
    assert "Published from the form" in mail.outbox[0].body
    assert "领事磋商(草稿)" in mail.outbox[0].body

    client.post("/admin/desk/notifications/", {"submitted": "on", "reviewed": "on"})
    with TestCase.captureOnCommitCallbacks(execute=True):
        draft_event(publisher, slug="second-talks", state="published")
    assert len(mail.outbox) == 1  # switched off
    client.post(f"/admin/events/event/{event.pk}/watch/")
    assert not event.crisis.watches.exists()


def test_the_desk_feed_has_the_same_news_behind_a_secret_address(seed, client, people):
    from desk.feed import feed_path

    editor, publisher = people
    event = draft_event(editor)
    client.force_login(editor)
    step(client, event, "submitted", "Please check the date.")
    client.force_login(publisher)
    step(client, event, "sent_back", "The date is wrong.")
    client.logout()
    feed = client.get(feed_path(publisher))
    assert feed["Content-Type"].startswith("application/atom+xml")
    assert "no-store" in feed["Cache-Control"]
    text = feed.content.decode()
    assert "Please check the date." in text and "The date is wrong." not in text  # his own
    editor_feed = client.get(feed_path(editor)).content.decode()
    assert "The date is wrong." in editor_feed
    old = feed_path(editor)
    client.force_login(editor)
    client.post("/admin/desk/notifications/", {"new_feed_address": "1"})
    client.logout()
    assert client.get(old).status_code == 404
    assert client.get(feed_path(editor)).status_code == 200
    assert client.get(old.replace("/feed/", "/feed/x")).status_code == 404


def test_the_desk_query_count_does_not_grow_with_its_contents(seed, client, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    editor, publisher = people

    def desk_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/admin/").status_code == 200
        return len(captured)

    client.force_login(publisher)  # a publisher's desk has every panel; their rights are read
    for n in range(3):
        draft_event(publisher, slug=f"first-{n}", state="review")
    desk_queries()  # content types are looked up once per process
    before = desk_queries()
    for n in range(12):
        event = draft_event(publisher, slug=f"more-{n}", state="review")
        review.take_step(event, publisher, "commented", f"Note {n}")
    assert desk_queries() == before


def test_a_second_runner_with_a_stale_list_does_nothing(seed, people):
    from desk import scheduling

    editor, publisher = people
    at = timezone.now() + datetime.timedelta(hours=1)
    event = draft_event(editor, state="review", publish_at=at, scheduled_by=publisher)
    publishing = scheduling.SCHEDULES[0]
    stale = publishing.due(Event, at)  # what a second runner listed
    assert publish_scheduled(now=at) == [f"published event {event}"]
    rows = event.history.count()
    assert [publishing.carry_out(Event, pk, at) for pk in stale] == [False]
    assert event.history.count() == rows  # no second edit, no dropped-schedule row


def test_a_schedule_whose_publisher_was_deleted_is_dropped(seed, people):
    editor, publisher = people
    at = timezone.now() + datetime.timedelta(hours=1)
    event = draft_event(editor, state="review", publish_at=at, scheduled_by=publisher)
    publisher.delete()
    assert publish_scheduled(now=at) == []
    event.refresh_from_db()
    assert (event.state, event.publish_at) == ("review", None)
    assert event.history.latest().history_change_reason.startswith("Schedule dropped: published")


def test_drafts_untouched_for_two_weeks_are_stale_and_a_later_change_freshens_them(seed, people):
    editor = people[0]
    old = draft_event(editor, slug="old-draft")
    fresh = draft_event(editor, slug="fresh-draft")
    long_ago = timezone.now() - datetime.timedelta(days=15)
    Event.history.filter(id__in=[old.pk, fresh.pk]).update(history_date=long_ago)
    Event.history.filter(id=Event.objects.get(slug="agalarov-case").pk).update(
        history_date=long_ago
    )  # published: not a draft, however old
    with revision(summary="Still working on it", user=editor):
        fresh.title = "领事磋商（续）"
        fresh.save()
    stale = list(panels.stale_drafts(panels.Facts()))
    assert [event.slug for event in stale] == ["old-draft"]
    assert stale[0].changed_at == long_ago

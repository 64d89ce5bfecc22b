"""One path for every change of state: whatever publishes an entry (the review form, a list
action, the change form, a schedule, a fixture or a spreadsheet import), the entry's thread
records the same step, and the same people hear of it."""

import datetime
import json

import pytest
import tablib
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from crisis_tracker.history import revision
from desk import review
from desk.models import ReviewComment
from desk.scheduling import publish_scheduled
from events.models import Event, Revision
from events.resources import EventResource
from interchange.fixture_import import import_fixtures
from tests.conftest import form_data
from tests.events.test_workflow import draft_event, run_action

pytestmark = pytest.mark.django_db

CRISIS = "azerbaijan-russia-2025"


def by_review_form(client, event, publisher):
    review.take_step(event, publisher, review.Step.PUBLISHED, summary="Checked")


def by_list_action(client, event, publisher):
    client.force_login(publisher)
    run_action(client, Event, "publish", [event])


def by_change_form(client, event, publisher):
    client.force_login(publisher)
    change = reverse("admin:events_event_change", args=[event.pk])
    data = form_data(client, change)
    client.post(change, {**data, "state": "published", "edit_summary": "Checked"})


def by_schedule(client, event, publisher):
    with revision(summary="Scheduled", user=publisher):
        event.publish_at = timezone.now() - datetime.timedelta(minutes=1)
        event.scheduled_by = publisher
        event.save()
    publish_scheduled()


def by_fixture(client, event, publisher):
    update = [{"model": "events.event",
               "fields": {"crisis": [CRISIS], "slug": event.slug, "state": "published"}}]  # fmt: skip
    import_fixtures(files=[("desk.json", json.dumps(update))], user=publisher)


def by_spreadsheet(client, event, publisher):
    rows = tablib.Dataset(headers=["crisis", "slug", "title", "date", "summary", "state"])
    rows.append([CRISIS, event.slug, event.title, "2025-07-01", event.summary, "published"])
    result = EventResource().import_data(rows, file_name="desk.csv", user=publisher)
    assert not result.has_errors() and not result.has_validation_errors()


PATHS = [by_review_form, by_list_action, by_change_form, by_schedule, by_fixture, by_spreadsheet]


@pytest.mark.parametrize("publish", PATHS, ids=[path.__name__ for path in PATHS])
def test_every_path_records_the_same_step_and_tells_the_same_people(
    seed, client, editor, publisher, publish, django_capture_on_commit_callbacks
):
    editor.email, publisher.email = "ed@example.org", "pub@example.org"
    editor.save()
    publisher.save()
    event = draft_event(seed)
    with django_capture_on_commit_callbacks(execute=True):
        review.take_step(event, editor, review.Step.SUBMITTED, "请审核。")
    assert [m.to for m in mail.outbox] == [[publisher.email]]
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        publish(client, Event.objects.get(pk=event.pk), publisher)

    event.refresh_from_db()
    assert event.state == "published"
    step = review.thread(event)[-1]
    assert (step.step, step.user) == (ReviewComment.Step.PUBLISHED, publisher)
    assert step.revision_key == Revision.objects.latest("created_at").key
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([editor.email], f"Approved and published: {event}")
    ]


def test_taking_an_entry_down_is_a_step_too(seed, client, editor, publisher):
    event = draft_event(seed, state="published")
    client.force_login(publisher)
    run_action(client, Event, "unpublish", [event])
    step = review.thread(event)[-1]
    assert (step.step, step.user) == (ReviewComment.Step.WITHDRAWN, publisher)
    assert Revision.objects.latest("created_at").summary == "Unpublished"


def test_a_move_of_many_entries_is_one_mail_per_person(
    seed, client, editor, publisher, django_capture_on_commit_callbacks
):
    publisher.email = "pub@example.org"
    publisher.save()
    events = [draft_event(seed, slug=f"draft-{n}") for n in range(3)]
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        run_action(client, Event, "submit_for_review", events)
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([publisher.email], "Submitted for review: 3 entries")
    ]
    assert ReviewComment.objects.filter(step=ReviewComment.Step.SUBMITTED).count() == 3


def test_a_new_draft_is_no_step(seed, publisher):
    update = [{"model": "events.event", "fields": {
        "crisis": [CRISIS], "slug": "quiet", "title": "T", "date": "2025-07-01",
        "summary": "S", "state": "draft"}}]  # fmt: skip
    import_fixtures(files=[("desk.json", json.dumps(update))], user=publisher)
    assert not ReviewComment.objects.exists()

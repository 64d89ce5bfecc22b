"""An editor's update arrives as a submission: nothing is written until a publisher approves it,
then it is imported in one step, with history; or it is sent back with a comment."""

import copy
import io
import json
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from events.models import Event, EventActor, Revision
from interchange.fixture_import import FixtureError
from interchange.models import ImportJob
from tests.events.test_import import import_objects, snapshot

pytestmark = pytest.mark.django_db

CRISIS = "azerbaijan-russia-2025"
UPLOAD = reverse("admin:events_crisis_import_fixture")
TIMELINE = reverse("events:timeline", args=[CRISIS])
CHANGED_EVENT = "agalarov-case"


def desk_update(kind: str = "statement") -> list[dict]:
    """A July desk update as the desk's export writes it: 6 sources, 9 actors, a section, 7
    events marked published (22 links of actors to them), and a change to a published event."""
    sources = [
        {"model": "sources.source", "fields": {
            "key": f"desk-2025-07-{n:02d}", "title": f"Desk wire {n}", "work": "Desk wire",
            "published": f"2025-07-{n:02d}", "language": "en"}}
        for n in range(1, 7)
    ]  # fmt: skip
    actors = [
        {"model": "actors.actor", "fields": {"slug": f"desk-actor-{n}", "name": f"测试方{n}",
                                             "kind": "person"}}
        for n in range(9)
    ]  # fmt: skip
    section = {"model": "events.section", "fields": {
        "crisis": [CRISIS], "parent": None, "key": "七月", "heading": "七月", "order": 90,
        "body": "七月的通报。[@desk-2025-07-01]"}}  # fmt: skip
    events = [
        {"model": "events.event", "fields": {
            "crisis": [CRISIS], "slug": f"desk-july-{n}", "title": f"七月第{n}号通报",
            "date": f"2025-07-{10 + n}", "date_precision": "day", "kind": kind,
            "summary": f"外交部发布通报。[@desk-2025-07-0{n % 6 + 1}]",
            "no_place_reason": "通报未说明地点", "state": "published"}}
        for n in range(7)
    ]  # fmt: skip
    links = [
        {
            "model": "events.eventactor",
            "fields": {
                "event": [CRISIS, f"desk-july-{n}"],
                "actor": [f"desk-actor-{(n + k) % 9}"],
                "role": "speaker",
            },
        }
        for n in range(7)
        for k in range(3)
    ] + [
        {
            "model": "events.eventactor",
            "fields": {
                "event": [CRISIS, "desk-july-0"],
                "actor": ["desk-actor-8"],
                "role": "target",
            },
        }
    ]
    changed = {"model": "events.event", "fields": {
        "crisis": [CRISIS], "slug": CHANGED_EVENT, "verification": "confirmed"}}  # fmt: skip
    return [*sources, *actors, section, *events, *links, changed]


def upload(client, objects, name="july.json", reason="七月更新") -> ImportJob:
    stream = io.BytesIO(json.dumps(objects, ensure_ascii=False).encode())
    stream.name = name
    response = client.post(UPLOAD, {"files": stream, "reason": reason})
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportJob.objects.get(pk=response["Location"].rstrip("/").split("/")[-1])


def job_page(job) -> str:
    return reverse("admin:events_crisis_import_job", args=[job.pk])


def step(client, job, **data):
    return client.post(job_page(job), data)


@pytest.fixture
def people(editor, publisher):
    editor.email, publisher.email = "ed@example.org", "pub@example.org"
    editor.save()
    publisher.save()
    return editor, publisher


@pytest.fixture
def submitted(seed, client, people, english, django_capture_on_commit_callbacks):
    """The editor's update, checked and submitted through the admin."""
    editor, _publisher = people
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        job = upload(client, desk_update())
    page = client.get(job_page(job)).content.decode()
    assert "7 events will wait for review: marked published" in page
    assert "1 event will wait for review: changes a published entry" in page
    assert "Import and submit for review" in page
    assert "no events.event with natural key" not in page
    before = snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        step(client, job, action="confirm")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUBMITTED
    assert snapshot() == before, "a submission writes nothing"
    return job


def test_an_editors_update_waits_for_a_publisher_and_readers_see_nothing(submitted, client, people):
    editor, publisher = people
    assert [m.to for m in mail.outbox] == [[publisher.email]]
    assert "Import submitted for review: july.json" in mail.outbox[0].subject
    assert "7 events will wait for review" in mail.outbox[0].body
    client.logout()
    timeline = client.get(TIMELINE).content.decode()
    assert "七月第0号通报" not in timeline
    assert not Event.objects.filter(slug__startswith="desk-july").exists()
    assert Event.objects.get(slug=CHANGED_EVENT).verification != "confirmed"
    client.force_login(editor)
    assert "desk-submitted-imports" not in client.get(reverse("admin:index")).content.decode()
    assert step(client, submitted, action="approve").status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == ImportJob.Status.SUBMITTED


def test_one_approval_imports_the_whole_submission_with_history(
    submitted, client, people, django_capture_on_commit_callbacks
):
    editor, publisher = people
    client.force_login(publisher)
    desk = client.get(reverse("admin:index")).content.decode()
    assert "desk-submitted-imports" in desk and job_page(submitted) in desk
    page = client.get(job_page(submitted)).content.decode()
    assert "Approve and import" in page and "Send back" in page
    revisions = Revision.objects.count()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        step(client, submitted, action="approve", summary="July update from the desk")
    submitted.refresh_from_db()
    assert submitted.status == ImportJob.Status.DONE, submitted.problems
    assert submitted.reviewed_by == publisher
    assert Revision.objects.count() == revisions + 1
    latest = Revision.objects.latest("pk")
    assert (latest.summary, latest.user) == ("July update from the desk", publisher)
    events = Event.objects.filter(slug__startswith="desk-july")
    assert events.count() == 7 and set(events.values_list("state", flat=True)) == {"published"}
    assert EventActor.objects.filter(event__in=events).count() == 22
    for event in [*events, Event.objects.get(slug=CHANGED_EVENT)]:
        row = event.history.latest()
        assert (row.history_user, row.history_change_reason) == (
            publisher,
            "July update from the desk",
        )
    assert Event.objects.get(slug=CHANGED_EVENT).verification == "confirmed"
    assert [m.to for m in mail.outbox] == [[editor.email]]
    assert "Import approved" in mail.outbox[0].subject
    client.logout()
    assert "七月第0号通报" in client.get(TIMELINE).content.decode()


def test_a_publisher_sends_a_submission_back_with_a_comment(
    submitted, client, people, django_capture_on_commit_callbacks
):
    editor, publisher = people
    client.force_login(publisher)
    before = snapshot()
    response = client.post(
        job_page(submitted), {"action": "send-back", "comment": " "}, follow=True
    )
    assert "this step needs a comment" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == ImportJob.Status.SUBMITTED
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        step(client, submitted, action="send-back", comment="第3号通报的日期不对。")
    submitted.refresh_from_db()
    assert submitted.status == ImportJob.Status.SENT_BACK
    assert snapshot() == before
    assert [m.to for m in mail.outbox] == [[editor.email]]
    assert "第3号通报的日期不对。" in mail.outbox[0].body
    assert not any(Path(item["path"]).exists() for item in submitted.files if item["path"])
    client.force_login(editor)
    page = client.get(job_page(submitted)).content.decode()
    assert "Sent back: nothing was imported" in page and "第3号通报的日期不对。" in page
    assert step(client, submitted, action="approve").status_code == 403


def test_an_editors_import_that_needs_a_publisher_is_refused_outside_a_submission(seed, editor):
    before = snapshot()
    with pytest.raises(FixtureError) as error:
        import_objects(desk_update(), user=editor)
    assert snapshot() == before
    assert "editor may not publish, so the file must be submitted for review" in str(error.value)
    report = import_objects(desk_update(), user=editor, dry_run=True)
    assert report.review_lines() == [
        "7 events will wait for review: marked published",
        "1 event will wait for review: changes a published entry",
    ]


def test_drafts_an_editor_imports_need_no_publisher(seed, editor):
    drafts = [o for o in copy.deepcopy(desk_update()) if o["fields"].get("slug") != CHANGED_EVENT]
    for obj in drafts:
        if obj["model"] == "events.event":
            obj["fields"]["state"] = "draft"
    report = import_objects(drafts, user=editor)
    assert report.counts["events.event"]["created"] == 7 and not report.for_review
    assert not Event.objects.published().filter(slug__startswith="desk-july").exists()


def test_problems_that_follow_from_another_are_grouped_under_it(seed, publisher):
    before = snapshot()
    with pytest.raises(FixtureError) as error:
        import_objects(desk_update(kind="invasion"), user=publisher)
    assert snapshot() == before
    problems = error.value.problems
    causes = [p for p in problems if p.cause is None]
    assert len(causes) == 7 and all(p.field == "kind" for p in causes)
    assert len(problems) == 7 + 22
    assert {p.cause for p in problems if p.cause} == {
        ("events.event", (CRISIS, f"desk-july-{n}")) for n in range(7)
    }
    text = str(error.value)
    assert "22 events.eventactor objects refer to the 7 events.event objects above" in text
    assert "no events.event with natural key" not in text


def test_a_missing_object_stays_a_cause(seed, publisher):
    orphan = {"model": "events.eventactor", "fields": {
        "event": [CRISIS, "nowhere"], "actor": ["azerbaijan"], "role": "speaker"}}  # fmt: skip
    with pytest.raises(FixtureError) as error:
        import_objects([orphan], user=publisher)
    (problem,) = error.value.problems
    assert problem.cause is None and "no events.event with natural key" in str(error.value)


def test_the_job_page_shows_the_causes_first(
    seed, client, publisher, english, django_capture_on_commit_callbacks
):
    client.force_login(publisher)
    with django_capture_on_commit_callbacks(execute=True):
        job = upload(client, desk_update(kind="invasion"))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.REFUSED and len(job.problems) == 29
    page = client.get(job_page(job)).content.decode()
    first_screen = page.split("<details>")[0]
    assert first_screen.count("field 'kind'") == 0  # the table names fields in a column
    assert first_screen.count("<td>kind</td>") == 7
    assert "no events.event with natural key" not in first_screen
    assert "22 events.eventactor objects refer to the 7 events.event objects above" in page


def test_the_command_submits_for_review(seed, people, tmp_path, capsys):
    editor, publisher = people
    path = tmp_path / "july.json"
    path.write_text(json.dumps(desk_update(), ensure_ascii=False), encoding="utf-8")
    before = snapshot()
    with pytest.raises(CommandError, match="may not publish, so the file must be submitted"):
        call_command("import_fixture", str(path), "--user", editor.username)
    with pytest.raises(CommandError, match="--submit needs --user"):
        call_command("import_fixture", str(path), "--system", "--submit")
    call_command("import_fixture", str(path), "--user", editor.username, "--submit")
    out = capsys.readouterr().out
    assert "7 events will wait for review: marked published" in out
    job = ImportJob.objects.get(status=ImportJob.Status.SUBMITTED)
    assert f"Submitted for review ({job.total} objects)" in out and job_page(job) in out
    assert job.user == editor and snapshot() == before
    drafts = tmp_path / "drafts.json"
    drafts.write_text(json.dumps(desk_update()[:6]), encoding="utf-8")
    with pytest.raises(CommandError, match="nothing in these files waits for a publisher"):
        call_command("import_fixture", str(drafts), "--user", editor.username, "--submit")

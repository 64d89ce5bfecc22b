"""What an outside security probe broke, each as the probe did it: preview secrets in public
pages, a fixture that exhausts memory, the desk feed, the publishing rules, and the smaller
findings. Pages are read through the shared cache production uses (Redis), several audiences in
turn, so what one audience caches is what the next is served."""

import datetime
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from crisis_tracker.history import revision
from desk.models import PreviewLink
from events.models import Crisis, Event
from interchange.models import ImportJob
from tests.conftest import ROOT, form_data, staff_user

pytestmark = pytest.mark.django_db
SLUG = "azerbaijan-russia-2025"


def preview_link(crisis) -> PreviewLink:
    return PreviewLink.objects.create(
        crisis=crisis, expires_at=timezone.now() + datetime.timedelta(days=1)
    )


def edit_lead(crisis, text: str) -> None:
    with revision(summary="Lead edited"):
        crisis.lead += text
        crisis.save()


# 1. A preview link's secret address cached into the public article -----------------------


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_a_preview_visit_never_writes_its_secret_into_cached_public_pages(
    seed, shared_cache, publisher, prefix
):
    link = preview_link(seed)
    token = link.token()
    edit_lead(seed, "\n\n更新。")
    reviewer = Client()
    assert reviewer.get(f"{prefix}/preview/{token}/").status_code == 200
    assert reviewer.get(f"{prefix}/preview/{token}/timeline/").status_code == 200
    staff = Client()
    staff.force_login(publisher)
    staff_timeline = staff.get(f"{prefix}/crises/{SLUG}/timeline/")
    assert staff_timeline.status_code == 200
    assert token not in staff_timeline.content.decode()
    reader = Client()
    for page in (f"{prefix}/crises/{SLUG}/", f"{prefix}/crises/{SLUG}/timeline/"):
        response = reader.get(page)
        assert response.status_code == 200 and "public" in response["Cache-Control"]
        body = response.content.decode()
        assert token not in body and "/preview/" not in body, page
        assert f'hreflang="zh-hans" href="/crises/{SLUG}/' in body


# 2. A fixture nested 200,000 deep ----------------------------------------------------------

DEEP = b"[" * 200_000


def test_a_deeply_nested_fixture_is_refused_within_a_memory_cap():
    """The old counting pass grew to tens of GB on this 200 kB file: under a 1.5 GB address-space
    cap it would die with MemoryError; now it is refused before any object is built."""
    script = (
        "import resource, django\n"
        "django.setup()\n"
        "resource.setrlimit(resource.RLIMIT_AS, (3 << 29, 3 << 29))\n"
        "from interchange.fixture_import import FixtureError, import_fixtures\n"
        "try:\n"
        "    import_fixtures(files=[('deep.json', b'[' * 200000)], dry_run=True,\n"
        "                    progress=lambda done, total: None)\n"
        "except FixtureError as error:\n"
        "    print('refused:', error)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "refused: deep.json: object 1: nested deeper than a fixture can be" in result.stdout


def upload(client, content: bytes, name="desk.json"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("admin:events_crisis_import_fixture"),
        {"files": SimpleUploadedFile(name, content, content_type="application/json")},
    )


def test_an_uploaded_nested_fixture_is_refused_and_its_file_deleted(
    db, client, publisher, django_capture_on_commit_callbacks
):
    client.force_login(publisher)
    with django_capture_on_commit_callbacks(execute=True):
        job_page = upload(client, b"[" * 2000)["Location"]  # the memory test above runs 200,000
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.REFUSED
    assert "nested deeper than a fixture can be" in client.get(job_page).content.decode()
    assert not Path(settings.IMPORT_ROOT, str(job.pk)).exists(), "a refused upload is not kept"


def test_an_object_larger_than_a_fixture_object_is_refused(db):
    from interchange.fixture_import import FixtureError, import_fixtures

    huge = json.dumps([{"model": "sources.source", "fields": {str(i): i for i in range(20_000)}}])
    with pytest.raises(FixtureError, match="larger than a fixture object can be"):
        import_fixtures(files=[("wide.json", huge)], dry_run=True)


@override_settings(IMPORT_STALE_AFTER=5)
def test_a_job_whose_worker_died_without_a_beat_is_failed(db, client, publisher):
    from interchange import import_jobs

    client.force_login(publisher)
    job = ImportJob.objects.create(user=publisher, status=ImportJob.Status.CHECKING,
                                   files=[{"name": "deep.json", "path": "x", "size": 1}])  # fmt: skip
    ImportJob.objects.filter(pk=job.pk).update(
        updated_at=timezone.now() - datetime.timedelta(seconds=6)
    )
    cache.delete(import_jobs.progress_key(job))  # the worker was killed; its beat is gone too
    text = client.get(reverse("admin:events_crisis_import_job", args=[job.pk])).content.decode()
    assert "stopped before it finished" in text
    assert ImportJob.objects.get().status == ImportJob.Status.FAILED


# 3. The desk's Atom feed ---------------------------------------------------------------------

HOSTILE = '<img src=x onerror="alert(1)">'


def feed_entries(client, user) -> list[dict]:
    from desk.feed import feed_path

    root = ElementTree.fromstring(client.get(feed_path(user)).content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    return [
        {
            "title": item.findtext("a:title", "", ns),
            "summary": item.findtext("a:summary", "", ns),
        }
        for item in root.findall("a:entry", ns)
    ]


def test_the_desk_feed_sends_comments_and_titles_as_text(seed, client, editor, publisher):
    from desk import review

    event = Event.objects.filter(crisis=seed).first()
    Event.objects.filter(pk=event.pk).update(title=HOSTILE, state="draft")
    event.refresh_from_db()
    review.take_step(event, editor, review.Step.SUBMITTED, f"Look: {HOSTILE}")
    entries = feed_entries(client, publisher)
    assert entries, "the submission is in the publisher's feed"
    for item in entries:
        # The summary is HTML to a feed reader: once parsed as HTML, no element came from text.
        parsed = BeautifulSoup(item["summary"], "html.parser")
        assert parsed.find("img") is None, item["summary"]
        assert HOSTILE in parsed.get_text()


def test_the_desk_feed_matches_an_answer_to_the_entry_submitted_not_its_id(
    db, client, editor, publisher, django_user_model
):
    from desk.models import ReviewComment

    with revision(summary="Two entries sharing an id"):
        crisis = Crisis.objects.create(pk=9001, slug="c", title="Crisis 9001",
                                       start_date="2025-01-01")  # fmt: skip
        other = Crisis.objects.create(slug="d", title="Other", start_date="2025-01-01")
        event = Event.objects.create(pk=9001, crisis=other, slug="e", title="Someone else's event",
                                     date="2025-01-02", summary="x")  # fmt: skip
    second = staff_user(django_user_model, "second", group="Editors")
    types = ContentType.objects.get_for_models(Crisis, Event)
    own_event = Event.objects.create(crisis=crisis, slug="own", title="Own event",
                                     date="2025-01-02", summary="x")  # fmt: skip
    for entry in (crisis, own_event):  # the editor submitted a crisis 9001 and some event
        ReviewComment.objects.create(content_type=ContentType.objects.get_for_model(entry),
                                     object_id=entry.pk, crisis=crisis, step="submitted",
                                     user=editor)  # fmt: skip
    ReviewComment.objects.create(content_type=types[Event], object_id=event.pk, crisis=other,
                                 step="submitted", user=second)  # fmt: skip
    ReviewComment.objects.create(content_type=types[Event], object_id=event.pk, crisis=other,
                                 step="sent_back", text="Private answer to second", user=publisher)  # fmt: skip
    assert any("Private answer" in e["summary"] for e in feed_entries(client, second))
    assert not any("Private answer" in e["summary"] for e in feed_entries(client, editor))


def test_a_user_removed_from_every_group_receives_nothing(seed, client, editor, publisher):
    from desk import review
    from desk.models import CrisisWatch

    CrisisWatch.objects.create(user=editor, crisis=seed)
    event = Event.objects.filter(crisis=seed).first()
    Event.objects.filter(pk=event.pk).update(state="draft")
    event.refresh_from_db()
    review.take_step(event, editor, review.Step.SUBMITTED, "Please check")
    review.take_step(event, publisher, review.Step.PUBLISHED)
    assert feed_entries(client, editor), "answers and news while a member"
    editor.groups.clear()
    editor = type(editor).objects.get(pk=editor.pk)  # permissions are read afresh
    assert feed_entries(client, editor) == []


# 4. A schedule approves one version ------------------------------------------------------------


def change(event, user, summary: str, **fields) -> None:
    with revision(summary=summary, user=user):
        for name, value in fields.items():
            setattr(event, name, value)
        event.save()


def scheduled(seed, editor, publisher):
    """An editor's event in review, scheduled by a publisher to go live in five minutes."""
    event = Event.objects.filter(crisis=seed).first()
    change(event, editor, "Drafted", state="review", title="Approved title")
    soon = timezone.now() + datetime.timedelta(minutes=5)
    change(event, publisher, "Scheduled", publish_at=soon, scheduled_by=publisher)
    return event, soon


def test_an_editors_change_after_a_schedule_cancels_it_and_returns_the_entry_to_review(
    seed, editor, publisher, django_capture_on_commit_callbacks
):
    from desk.models import ReviewComment
    from desk.scheduling import publish_scheduled

    publisher.email = "publisher@example.org"
    publisher.save()
    event, soon = scheduled(seed, editor, publisher)
    change(event, editor, "Late change", title="Unapproved title")
    with django_capture_on_commit_callbacks(execute=True):
        done = publish_scheduled(now=soon + datetime.timedelta(seconds=1))
    event.refresh_from_db()
    assert done == [] and event.state == "review" and event.publish_at is None
    note = ReviewComment.objects.filter(object_id=event.pk).latest("created_at")
    assert (
        note.step == "submitted" and "editor changed the entry after it was scheduled" in note.text
    )
    assert [m.to for m in mail.outbox] == [["publisher@example.org"]]
    assert not Event.objects.published().filter(title="Unapproved title").exists()


def test_a_schedule_publishes_the_version_it_approved(seed, editor, publisher):
    from desk.scheduling import publish_scheduled

    event, soon = scheduled(seed, editor, publisher)
    change(event, publisher, "Publisher's own touch", title="Publisher's title")
    assert len(publish_scheduled(now=soon)) == 1
    event.refresh_from_db()
    assert event.state == "published"


# 5. Moving a published entry is a publication change ------------------------------------------


def move_form(client, event, crisis):
    data = form_data(client, f"/admin/events/event/{event.pk}/change/")
    data.update(crisis=str(crisis.pk), edit_summary="Moved")
    return client.post(f"/admin/events/event/{event.pk}/change/", data)


def test_an_editor_cannot_make_an_event_public_by_moving_it(seed, client, editor):
    with revision(summary="A second crisis, unpublished"):
        draft = Crisis.objects.create(slug="draft-crisis", title="Draft crisis",
                                      start_date="2025-01-01", state="draft")  # fmt: skip
        hidden = Event.objects.create(crisis=draft, slug="hidden", title="Hidden event",
                                      date="2025-01-02", summary="x", state="published")  # fmt: skip
    client.force_login(editor)
    response = move_form(client, hidden, seed)
    assert response.status_code == 200
    assert "只有发布者可以这样做" in response.content.decode()  # only a publisher may move it
    hidden.refresh_from_db()
    assert hidden.crisis == draft
    assert "hidden" not in Client().get(f"/api/v1/events/?crisis={SLUG}").content.decode()


def test_a_publisher_moving_an_event_out_of_view_leaves_a_tombstone(seed, client, publisher):
    since = timezone.now()
    with revision(summary="A second crisis, unpublished"):
        draft = Crisis.objects.create(slug="draft-crisis", title="Draft crisis",
                                      start_date="2025-01-01", state="draft")  # fmt: skip
    event = Event.objects.get(slug="agalarov-case")
    client.force_login(publisher)
    assert move_form(client, event, draft).status_code == 302
    event.refresh_from_db()
    assert event.crisis == draft
    url = "/api/v1/tombstones/?since=" + since.isoformat().replace("+00:00", "Z")
    rows = Client().get(url).json()
    assert [(r["crisis"], r["slug"], r["reason"]) for r in rows] == [
        (SLUG, "agalarov-case", "withdrawn")
    ]
    assert "draft-crisis" not in str(rows)


# 6. Review discussion stays on the desk ---------------------------------------------------------


def test_a_review_comment_never_becomes_the_public_edit_summary(seed, client, editor, publisher):
    from desk import review

    event = Event.objects.get(slug="agalarov-case")
    Event.objects.filter(pk=event.pk).update(state="draft")
    event.refresh_from_db()
    review.take_step(event, editor, review.Step.SUBMITTED, "Internal: the lawyer has doubts")
    review.take_step(event, publisher, review.Step.PUBLISHED, "Internal: overruled the lawyer")
    reader = Client()
    for url in (f"/crises/{SLUG}/history/", f"/crises/{SLUG}/feed/", "/api/v1/revisions/"):
        assert "Internal:" not in reader.get(url).content.decode(), url
    assert "Approved and published" in reader.get(f"/crises/{SLUG}/history/").content.decode()


def test_the_publisher_writes_the_public_summary_when_approving(seed, client, editor, publisher):
    from desk import review

    event = Event.objects.get(slug="agalarov-case")
    Event.objects.filter(pk=event.pk).update(state="review")
    client.force_login(publisher)
    data = form_data(client, f"/admin/events/event/{event.pk}/change/", form_id="review-form")
    client.post(f"/admin/events/event/{event.pk}/review/",
                {**data, "step": review.Step.PUBLISHED, "comment": "Internal note",
                 "summary": "Added the criminal case"})  # fmt: skip
    history = Client().get(f"/crises/{SLUG}/history/").content.decode()
    assert "Added the criminal case" in history and "Internal note" not in history


# 8. Watching needs the right to view the entry ---------------------------------------------------


def test_an_outsider_cannot_watch_a_draft_crisis_or_learn_its_title(seed, client, outsider):
    from desk.models import CrisisWatch

    with revision(summary="Secret"):
        secret = Crisis.objects.create(slug="secret", title="Secret crisis title",
                                       start_date="2025-01-01", state="draft")  # fmt: skip
    client.force_login(outsider)
    response = client.post(f"/admin/events/crisis/{secret.pk}/watch/", follow=True)
    assert response.status_code in (403, 404)
    assert "Secret crisis title" not in response.content.decode()
    assert not CrisisWatch.objects.exists()


# 9. A tombstone names what readers last saw --------------------------------------------------------


def test_a_renamed_withdrawn_event_keeps_its_public_slug_in_its_tombstone(seed):
    since = timezone.now()
    event = Event.objects.get(slug="peskov-statement")
    with revision(summary="Withdrawn"):
        event.state = "draft"
        event.save()
    with revision(summary="Renamed in draft"):
        event.slug = "secret-new-slug"
        event.save()
    url = "/api/v1/tombstones/?since=" + since.isoformat().replace("+00:00", "Z")
    answer = Client().get(url)
    assert [(r["slug"], r["reason"]) for r in answer.json()] == [("peskov-statement", "withdrawn")]
    assert "secret-new-slug" not in answer.content.decode()


# 10. A title with a carriage return ------------------------------------------------------------------


def submitted_by(client, editor, publisher, capture, **fields):
    """The editor submits the seed's Agalarov event (a draft, with ``fields``) through the
    review form, its mail to the publisher going out once the step commits."""
    from desk import review

    publisher.email = "publisher@example.org"
    publisher.save()
    event = Event.objects.get(slug="agalarov-case")
    Event.objects.filter(pk=event.pk).update(state="draft", **fields)
    client.force_login(editor)
    data = form_data(client, f"/admin/events/event/{event.pk}/change/", form_id="review-form")
    with capture(execute=True):
        response = client.post(f"/admin/events/event/{event.pk}/review/",
                               {**data, "step": review.Step.SUBMITTED})  # fmt: skip
    assert response.status_code == 302
    return Event.objects.get(pk=event.pk)


def test_a_title_with_a_line_break_neither_breaks_the_step_nor_the_mail(
    seed, client, editor, publisher, django_capture_on_commit_callbacks
):
    event = submitted_by(client, editor, publisher, django_capture_on_commit_callbacks,
                         title="Line one\r\nBcc: x@example.org")  # fmt: skip
    assert event.state == "review"
    assert [m.subject for m in mail.outbox] == ["Submitted for review: Line one Bcc: x@example.org"]


def test_a_mail_that_cannot_be_sent_never_hides_the_saved_step(
    seed, client, editor, publisher, monkeypatch, django_capture_on_commit_callbacks
):
    from desk import notifications

    def broken(*args, **kwargs):
        raise ValueError("the mail server said no")

    monkeypatch.setattr(notifications, "send_mass_mail", broken)
    event = submitted_by(client, editor, publisher, django_capture_on_commit_callbacks)
    assert event.state == "review" and mail.outbox == []


# 11. Uploads stop at the limit; files are not kept -------------------------------------------------


@override_settings(IMPORT_MAX_BYTES=100_000)
def test_an_upload_stops_being_read_at_the_limit(db, client, publisher, monkeypatch):
    from crisis_tracker import uploads

    read = []
    original = uploads.SizeLimitHandler.receive_data_chunk

    def counting(self, raw_data, start):
        read.append(len(raw_data))
        return original(self, raw_data, start)

    monkeypatch.setattr(uploads.SizeLimitHandler, "receive_data_chunk", counting)
    client.force_login(publisher)
    response = upload(client, b"[" + b" " * 5_000_000 + b"]")
    assert response.status_code == 200
    errors = BeautifulSoup(response.content, "html.parser").select_one(".errorlist").get_text()
    assert errors.replace("\xa0", " ") == "desk.json 超过 97.7 KB，未上传任何内容。"
    assert sum(read) < 300_000, "reading stopped near the limit, not after 5 MB"
    assert not ImportJob.objects.exists()
    assert not any(Path(settings.IMPORT_ROOT).glob("*/desk.json"))


@override_settings(IMPORT_KEEP_SECONDS=60)
def test_uploads_no_job_waits_for_are_deleted(db, publisher, django_capture_on_commit_callbacks):
    from interchange import import_jobs

    client = Client()
    client.force_login(publisher)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, b"[]", name="checked.json")
    checked = ImportJob.objects.get()
    assert checked.status == ImportJob.Status.CHECKED
    folder = Path(settings.IMPORT_ROOT, str(checked.pk))
    assert folder.exists(), "a checked import keeps its file until confirmed"
    dead = ImportJob.objects.create(user=publisher, status=ImportJob.Status.FAILED)
    Path(settings.IMPORT_ROOT, str(dead.pk)).mkdir()
    Path(settings.IMPORT_ROOT, str(dead.pk), "left.json").write_text("[]")
    assert import_jobs.expire_uploads() == 1
    assert folder.exists() and not Path(settings.IMPORT_ROOT, str(dead.pk)).exists()
    assert import_jobs.expire_uploads(now=time.time() + 61) == 1
    checked.refresh_from_db()
    assert not folder.exists() and checked.status == ImportJob.Status.FAILED


# 12. An import's page is its uploader's and the publishers' ------------------------------------------


def test_another_editor_cannot_see_an_editors_import(
    db, client, editor, publisher, django_user_model, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        job_page = upload(client, b"[]", name="editors-update.json")["Location"]
    assert client.get(job_page).status_code == 200
    second = Client()
    second.force_login(staff_user(django_user_model, "second", group="Editors"))
    assert second.get(job_page).status_code == 404
    listing = second.get(reverse("admin:events_crisis_import_fixture")).content.decode()
    assert "editors-update.json" not in listing
    desk = second.get(reverse("admin:index")).content.decode()
    assert "editors-update.json" not in desk and job_page not in desk  # no link that answers 404
    assert job_page in client.get(reverse("admin:index")).content.decode()
    client.force_login(publisher)
    assert client.get(job_page).status_code == 200
    assert job_page in client.get(reverse("admin:index")).content.decode()


def test_the_upload_form_still_checks_its_csrf_token(db, publisher):
    from django.core.files.uploadedfile import SimpleUploadedFile

    careful = Client(enforce_csrf_checks=True)
    careful.force_login(publisher)
    url = reverse("admin:events_crisis_import_fixture")
    files = {"files": SimpleUploadedFile("desk.json", b"[]")}
    assert careful.post(url, files).status_code == 403
    token = BeautifulSoup(careful.get(url).content, "html.parser").select_one(
        "input[name=csrfmiddlewaretoken]"
    )["value"]
    files = {"files": SimpleUploadedFile("desk.json", b"[]"), "csrfmiddlewaretoken": token}
    assert careful.post(url, files).status_code == 302
    assert ImportJob.objects.count() == 1

import pytest
from django.test import Client
from django.urls import reverse

from actors.models import Actor
from events.models import Crisis, Revision
from sources.models import Source
from tests.conftest import PERSONAS

pytestmark = pytest.mark.django_db

SLUG = "azerbaijan-russia-2025"
STATES = ["draft", "review", "published", "deleted"]


def crisis_routes(revision_id: int) -> list[str]:
    return [
        reverse("events:crisis", args=[SLUG]),
        reverse("events:timeline", args=[SLUG]),
        reverse("events:history", args=[SLUG]),
        reverse("events:revision", args=[SLUG, revision_id]),
        reverse("events:compare", args=[SLUG, revision_id]),
        reverse("events:feed", args=[SLUG]),
        reverse("events:events_json", args=[SLUG]),
        reverse("events:events_csv", args=[SLUG]),
    ]


LISTING_ROUTES = [
    reverse("events:crisis_list"),
    reverse("events:site_feed"),
    reverse("actors:detail", args=["ukraine"]),
    reverse("sources:detail", args=["eurointegration-2025-07-01"]),
]


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("as_persona", PERSONAS, indirect=True)
def test_readers_never_see_unpublished_content_and_get_404(seed, state, as_persona):
    persona, client = as_persona
    revision_id = Revision.objects.earliest("created_at").pk
    routes = crisis_routes(revision_id)
    if state == "deleted":
        seed.delete()
    elif state != "published":
        Crisis.objects.filter(pk=seed.pk).update(state=state)
    staff = persona in ("editor", "publisher")
    previewed = routes[:5]  # article, timeline, history, a revision and a comparison
    for url in routes:
        response = client.get(url)
        status = response.status_code
        if state == "published":
            assert status == 200, (url, persona)
        elif state == "deleted" or not staff:
            assert status == 404, (url, persona, state)
        elif url in previewed:  # staff preview what is not published, never kept by a cache
            assert status == 200 and "no-store" in response["Cache-Control"], (url, persona)
            assert "xkey" not in response, url
            if url in routes[:2]:
                assert "draft-banner" in response.content.decode(), url
        else:  # feeds and data exports are the same for everyone: published only
            assert status == 404, (url, persona, state)
    for url in LISTING_ROUTES:
        response = client.get(url)
        assert response.status_code == 200
        shown = seed.title in response.content.decode()
        if state == "published":
            assert shown, url
        elif not staff or state == "deleted" or url.endswith("/feed/"):
            assert not shown, (url, persona, state)


@pytest.mark.parametrize("as_persona", ["anonymous", "outsider"], indirect=True)
def test_staff_without_rights_are_readers(seed, as_persona):
    _persona, client = as_persona
    Crisis.objects.update(state="draft")
    assert client.get(reverse("events:crisis", args=[SLUG])).status_code == 404
    assert client.get(reverse("admin:events_crisis_changelist")).status_code in (302, 403)


def test_actor_and_source_pages_do_not_exist_for_unknown_slugs(seed, client):
    assert client.get(reverse("actors:detail", args=["nobody"])).status_code == 404
    assert client.get(reverse("sources:detail", args=["nothing"])).status_code == 404
    assert Actor.objects.exists() and Source.objects.exists()


SECRET = "草稿里的秘密"


def after_a_visit(visit: str, crisis, client_for_staff) -> None:
    """What another audience does before a reader comes: visit through a preview link, visit
    as staff, schedule a publication that is not due, try to move a published event into
    public view as an editor, submit an editor's import marked published."""
    import datetime

    from django.utils import timezone

    from crisis_tracker.history import revision
    from desk.models import PreviewLink
    from desk.scheduling import publish_scheduled
    from events.models import Event

    pages = [reverse("events:crisis", args=[SLUG]), reverse("events:timeline", args=[SLUG]),
             reverse("events:map_data", args=[SLUG])]  # fmt: skip
    if visit == "preview":
        link = PreviewLink.objects.create(
            crisis=crisis, expires_at=timezone.now() + datetime.timedelta(days=1)
        )
        for page in ("", "timeline/", "map.json"):
            assert Client().get(f"/preview/{link.token()}/{page}").status_code == 200
    elif visit == "staff":
        staff = client_for_staff("publisher")
        for page in pages:
            assert staff.get(page).status_code == 200
    elif visit == "schedule":
        draft = Event.objects.get(title=SECRET)
        publisher = client_for_staff("publisher")
        with revision(summary="Scheduled", user=publisher.user):
            draft.publish_at = timezone.now() + datetime.timedelta(days=1)
            draft.scheduled_by = publisher.user
            draft.save()
        assert publish_scheduled() == []
    elif visit == "move":
        from tests.conftest import form_data

        with revision(summary="Hidden crisis"):
            hidden = Crisis.objects.create(slug="hidden", title="Hidden", start_date="2025-01-01")
            moved = Event.objects.create(crisis=hidden, slug="moved", title=SECRET + "2",
                                         date="2025-01-02", summary="x", state="published")  # fmt: skip
        editor = client_for_staff("editor")
        data = form_data(editor, f"/admin/events/event/{moved.pk}/change/")
        data.update(crisis=str(crisis.pk), edit_summary="Move")
        editor.post(f"/admin/events/event/{moved.pk}/change/", data)
    elif visit == "submit":
        import io
        import json

        from interchange import import_jobs
        from interchange.models import ImportJob

        editor = client_for_staff("editor")
        update = [{"model": "events.event", "fields": {
            "crisis": [SLUG], "slug": "submitted", "title": SECRET + "3", "date": "2025-07-21",
            "summary": "x", "state": "published"}}]  # fmt: skip
        upload = io.BytesIO(json.dumps(update).encode())
        upload.name = "desk.json"
        response = editor.post(reverse("admin:events_crisis_import_fixture"), {"files": upload})
        job = ImportJob.objects.get(pk=response["Location"].rstrip("/").split("/")[-1])
        import_jobs.run(str(job.pk), dry_run=True)  # the worker's check
        editor.post(response["Location"], {"action": "confirm"})
        job.refresh_from_db()
        assert job.status == ImportJob.Status.SUBMITTED


@pytest.mark.parametrize("visit", ["preview", "staff", "schedule", "move", "submit"])
@pytest.mark.parametrize("as_persona", ["anonymous", "outsider"], indirect=True)
def test_what_other_audiences_do_never_reaches_readers_through_the_cache(
    seed, shared_cache, editor, publisher, visit, as_persona
):
    from crisis_tracker.history import revision
    from events.models import Event

    with revision(summary="Draft"):
        Event.objects.create(crisis=seed, slug="secret", title=SECRET, date="2025-07-20",
                             summary="x", state="draft")  # fmt: skip

    # The visit comes right after a change: whatever it caches, readers are served next.
    def client_for_staff(role: str) -> Client:
        staff = Client()
        staff.user = {"editor": editor, "publisher": publisher}[role]
        staff.force_login(staff.user)
        return staff

    after_a_visit(visit, seed, client_for_staff)
    _persona, client = as_persona
    urls = [reverse("events:crisis", args=[SLUG]), reverse("events:timeline", args=[SLUG]),
            reverse("events:map_data", args=[SLUG]), "/en" + reverse("events:timeline", args=[SLUG]),
            f"/api/v1/events/?crisis={SLUG}&page_size=100", "/search/?q=草稿",
            reverse("events:feed", args=[SLUG]), reverse("events:events_json", args=[SLUG])]  # fmt: skip
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert SECRET not in body and "/preview/" not in body, (url, visit)

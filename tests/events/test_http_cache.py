"""Reader responses any HTTP cache may keep: no cookies, public Cache-Control, validators, 304s,
surrogate keys; and the purge sent to the caches after a change commits."""

import http.server
import threading

import pytest
from django.urls import reverse

from crisis_tracker.history import revision
from events.models import CrisisRevision, Event
from sources.models import Source

pytestmark = pytest.mark.django_db

SLUG = "tiny"


def reader_urls(crisis) -> list[str]:
    link = CrisisRevision.objects.filter(crisis=crisis, public=True).first()
    urls = [
        reverse("events:crisis_list"),
        reverse("events:crisis", args=[SLUG]),
        reverse("events:timeline", args=[SLUG]),
        reverse("events:history", args=[SLUG]),
        reverse("events:revision", args=[SLUG, link.revision_id]),
        reverse("events:compare", args=[SLUG, link.revision_id]),
        reverse("events:feed", args=[SLUG]),
        reverse("events:site_feed"),
        reverse("events:events_json", args=[SLUG]),
        reverse("events:events_csv", args=[SLUG]),
        reverse("actors:detail", args=["land"]),
        reverse("sources:detail", args=["wire-1"]),
    ]
    return urls + ["/en" + url for url in urls]


def test_reader_pages_set_no_cookie_and_do_not_vary_on_cookies(tiny_crisis, client):
    for url in reader_urls(tiny_crisis):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.cookies == {}, url
        assert "Cookie" not in response.get("Vary", ""), url
        control = response["Cache-Control"]
        for part in ("public", "s-maxage=86400", "stale-while-revalidate=", "stale-if-error="):
            assert part in control, (url, control)
        assert response.has_header("ETag"), url


def test_a_matching_etag_or_date_gets_304(tiny_crisis, client):
    article = reverse("events:crisis", args=[SLUG])
    first = client.get(article)
    assert first["ETag"].startswith('"')  # strong
    again = client.get(article, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    since = client.get(article, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304


def test_a_change_gives_a_new_etag(tiny_crisis, client):
    article = reverse("events:crisis", args=[SLUG])
    etag = client.get(article)["ETag"]
    tiny_crisis.lead = "It began quietly[@wire-1]."
    with revision(summary="Reworded"):
        tiny_crisis.save()
    response = client.get(article, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and response["ETag"] != etag


def test_pages_name_what_they_show(tiny_crisis, client):
    keys = client.get(reverse("events:crisis", args=[SLUG]))["xkey"].split()
    actor = tiny_crisis.participations.get().actor_id
    assert sorted(keys) == sorted(
        [f"crisis-{tiny_crisis.pk}", f"actor-{actor}", "source-wire-1", "source-wire-2"]
    )
    talks = Event.objects.get(slug="talks")
    timeline = client.get(reverse("events:timeline", args=[SLUG]))["xkey"].split()
    assert f"event-{talks.pk}" in timeline and "source-wire-2" in timeline
    assert f"event-{Event.objects.get(slug='rumour').pk}" not in timeline


def test_an_editor_gets_private_pages_that_no_cache_keeps(tiny_crisis, client, editor):
    client.force_login(editor)
    for url in reader_urls(tiny_crisis)[:3]:
        response = client.get(url)
        assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
        assert not response.has_header("xkey")
    admin = client.get(reverse("admin:events_event_changelist"))
    assert "no-store" in admin["Cache-Control"] and "private" in admin["Cache-Control"]


def test_a_missing_page_is_not_kept(db, client):
    response = client.get(reverse("events:crisis", args=["nothing-here"]))
    assert response.status_code == 404
    assert response["Cache-Control"] == "no-store"


class PurgeLog(http.server.BaseHTTPRequestHandler):
    received: list[str] = []

    def do_PURGE(self):  # noqa: N802  (the HTTP method's name)
        self.received.append(self.headers["xkey-purge"])
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def purge_target(settings):
    server = http.server.HTTPServer(("127.0.0.1", 0), PurgeLog)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    PurgeLog.received = []
    settings.CACHE_PURGE_URLS = [f"http://127.0.0.1:{server.server_port}/"]
    yield PurgeLog.received
    server.shutdown()


def test_a_source_edit_purges_every_page_that_shows_it_once_committed(
    tiny_crisis, purge_target, django_capture_on_commit_callbacks
):
    source = Source.objects.get(key="wire-2")
    source.title = "Wire report two, corrected"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with revision(summary="Corrected the title"):
            source.save()
    assert purge_target == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert len(purge_target) == 1
    assert "source-wire-2" in purge_target[0].split()
    assert f"crisis-{tiny_crisis.pk}" in purge_target[0].split()  # its history changed


def test_a_failed_purge_is_logged_and_never_fails_the_save(
    tiny_crisis, settings, caplog, django_capture_on_commit_callbacks
):
    settings.CACHE_PURGE_URLS = ["http://127.0.0.1:9/"]  # nothing listens there
    settings.CACHE_PURGE_TIMEOUT = 1
    event = Event.objects.get(slug="talks")
    event.title = "Talks held in the capital"
    with django_capture_on_commit_callbacks(execute=True):
        with revision(summary="Place"):
            event.save()
    event.refresh_from_db()
    assert event.title == "Talks held in the capital"
    assert "failed after 3 attempts" in caplog.text


def test_crisis_pages_say_when_they_last_changed(tiny_crisis, client):
    for name in ("crisis", "timeline", "history", "events_json", "events_csv"):
        response = client.get(reverse(f"events:{name}", args=[SLUG]))
        assert response.has_header("Last-Modified"), name
        again = client.get(
            reverse(f"events:{name}", args=[SLUG]),
            HTTP_IF_MODIFIED_SINCE=response["Last-Modified"],
        )
        assert again.status_code == 304, name


READER_PAGES = ("/", "/crises/azerbaijan-russia-2025/history/", "/actors/azerbaijan/",
                "/sources/dw-2025-07-03/")  # fmt: skip


def test_every_reader_page_answers_if_modified_since_with_304(seed, client):
    for url in READER_PAGES:
        first = client.get(url)
        assert first["ETag"] and first["Last-Modified"], url
        again = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        assert again.status_code == 304, url


def test_the_home_page_is_modified_when_a_crisis_leaves_it(seed, client):
    import time

    from crisis_tracker.history import revision

    first = client.get("/")
    time.sleep(1.1)  # HTTP dates count whole seconds
    with revision(summary="Withdrawn"):
        seed.state = "draft"
        seed.save()
    again = client.get("/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 200 and seed.title not in again.content.decode()


def test_actor_and_source_pages_are_modified_when_what_they_show_changes(seed, client):
    import time

    from actors.models import Actor
    from crisis_tracker.history import revision
    from sources.models import Source

    for url, model, lookup in [("/actors/azerbaijan/", Actor, {"slug": "azerbaijan"}),
                               ("/sources/dw-2025-07-03/", Source, {"key": "dw-2025-07-03"})]:  # fmt: skip
        first = client.get(url)
        time.sleep(1.1)  # HTTP dates count whole seconds
        entry = model.objects.get(**lookup)
        with revision(summary="Corrected"):
            if model is Actor:
                entry.name = "阿塞拜疆共和国"
            else:
                entry.title = entry.title + " (corrected)"
            entry.save()
        again = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        assert again.status_code == 200, url
        assert again["Last-Modified"] != first["Last-Modified"], url

"""Query budgets of the lists readers, clients and editors page through, measured on the seed and
again after it grew by enough rows (30 events, each with an actor, a place, a new source and a
revision of its own; preview links; an import's report) that a query per row would show."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actors.models import Actor
from crisis_tracker.history import revision
from desk.models import PreviewLink
from events import page_cache as pages
from events.models import Crisis, Event, EventActor
from interchange.models import ImportJob
from places.models import Place
from sources.models import Source

pytestmark = pytest.mark.django_db
SLUG = "azerbaijan-russia-2025"
GROWTH = 30


def grow(crisis: Crisis, publisher) -> None:
    places = list(Place.objects.all()[:5])
    for n in range(GROWTH):
        with revision(summary=f"Event {n}", user=publisher):
            Source.objects.create(key=f"wire-{n}", title=f"Wire {n}", work="Wire")
            actor = Actor.objects.create(slug=f"actor-{n}", name=f"Actor {n}", kind="person")
            event = Event.objects.create(
                crisis=crisis, slug=f"grown-{n}", title=f"Grown {n}", date=datetime.date(2025, 8, 1),
                summary=f"Grown.[@wire-{n}]", state="published", location=places[n % len(places)],
            )  # fmt: skip
            EventActor.objects.create(event=event, actor=actor, role="participant")
    for n in range(5):
        PreviewLink.objects.create(crisis=crisis, note=f"desk {n}", created_by=publisher,
                                   expires_at=timezone.now() + datetime.timedelta(days=1))  # fmt: skip


def queries(client, url: str) -> int:
    cache.clear()
    pages._held.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


# What each page reads on a cold cache, the same whatever its size.
READER_BUDGETS = {
    reverse("events:site_feed"): 4,  # public revisions with their crisis links, crises
    reverse("events:feed", args=[SLUG]): 3,  # the crisis, its public revisions, last change
    reverse("events:events_json", args=[SLUG]): 4,  # crisis, events with crisis and place,
    reverse("events:events_csv", args=[SLUG]): 4,  # their actors, last change
    "/api/v1/crises/": 2,  # a page of rows (cursor pagination), last change
    "/api/v1/events/?page_size=100": 4,  # rows with crisis and place, actors, last change...
    "/api/v1/events/?page_size=100&format=geojson": 4,
    "/api/v1/events/?page_size=100&format=acled": 4,
    "/api/v1/actors/?page_size=100": 2,
    "/api/v1/places/?page_size=100": 2,
    "/api/v1/sources/?page_size=100": 2,
    "/api/v1/sources/?page_size=100&format=csl-json": 2,
    "/api/v1/revisions/?page_size=100": 2,
    # changed crises, events and assessments, the events and assessments of changed crises,
    # each kind's versions (none asked for assessments when there are none), last change
    "/api/v1/tombstones/?since=2000-01-01T00:00:00Z": 9,
}


def test_reader_feeds_exports_and_api_lists_do_not_grow_with_their_rows(seed, client, publisher):
    before = {url: queries(client, url) for url in READER_BUDGETS}
    grow(seed, publisher)
    after = {url: queries(client, url) for url in READER_BUDGETS}
    assert after == before
    over = {url: count for url, count in after.items() if count > READER_BUDGETS[url]}
    assert not over, over


def test_the_desk_feed_preview_links_and_an_import_do_not_grow(seed, client, publisher):
    from desk.feed import feed_path

    job = ImportJob.objects.create(user=publisher, status=ImportJob.Status.CHECKED,
                                   files=[{"name": "desk.json", "path": "", "size": 1}])  # fmt: skip
    client.force_login(publisher)
    urls = {
        # session, user, two of permissions, two counts, the links with crisis and creator,
        # the crisis filter's choices
        reverse("admin:desk_previewlink_changelist"): 8,
        # session, user, two of permissions, the job with its uploader
        reverse("admin:events_crisis_import_job", args=[job.pk]): 5,
    }
    queries(client, feed_path(publisher))  # content types are cached once per process
    before = {url: queries(client, url) for url in urls}
    before["feed"] = queries(client, feed_path(publisher))
    grow(seed, publisher)
    job.preview = {
        "counts": {"events.event": {"created": GROWTH}},
        "changes": [{"label": "events.event", "natural_key": [SLUG, f"grown-{n}"],
                     "action": "created", "fields": [["title", "", f"Grown {n}"]]}
                    for n in range(GROWTH)],
    }  # fmt: skip
    job.save()
    after = {url: queries(client, url) for url in urls}
    after["feed"] = queries(client, feed_path(publisher))
    assert after == before
    assert all(after[url] <= budget for url, budget in urls.items()), after
    # settings, owner, two of permissions, submissions and answers, news of watched crises
    assert after["feed"] <= 7, after

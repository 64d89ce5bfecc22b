import gc

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from crisis_tracker.publication import PUBLISHED
from events.models import Event
from events.rendering import build_timeline
from events.timeline import TimelineFilters

pytestmark = pytest.mark.django_db

TIMELINE = reverse("events:timeline", args=["azerbaijan-russia-2025"])


def events_on(client, query: str = "") -> list[str]:
    response = client.get(TIMELINE + query)
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    return [li["id"].removeprefix("event-") for li in soup.select("li.event")]


def test_events_come_in_date_order_grouped_by_year_and_month(seed, client):
    response = client.get(TIMELINE)
    soup = BeautifulSoup(response.content, "html.parser")
    slugs = [li["id"].removeprefix("event-") for li in soup.select("li.event")]
    assert slugs[0] == "yekaterinburg-killing-2001"
    assert slugs.index("azal-8243-crash") < slugs.index("aliyev-skips-victory-day-parade")
    assert slugs.index("agalarov-case") < slugs.index("arrests-of-azerbaijanis")
    assert [h.get_text() for h in soup.select(".timeline-year > h2")] == [
        "2001年",
        "2023年",
        "2024年",
        "2025年",
    ]
    crash = soup.select_one("#event-azal-8243-crash")
    assert "2024年12月" in crash.select_one(".event-date").get_text()
    assert "据报道" in crash.get_text()
    assert "死亡: 38" in crash.get_text()
    assert crash.select_one('a[href="/actors/azerbaijan-airlines/"]') is not None
    assert crash.select_one("sup.reference") is not None
    assert len(soup.select("ol.references > li")) == 17  # all but the 2020 ceasefire report


def test_filters_combine(seed, client):
    by_actor = events_on(client, "?actor=ilham-aliyev")
    assert set(by_actor) == {
        "azal-8243-crash",
        "aliyev-skips-victory-day-parade",
        "aliyev-pashinyan-abu-dhabi-talks",
        "zelensky-aliyev-call",
    }
    assert events_on(client, "?actor=ilham-aliyev&kind=meeting") == [
        "aliyev-pashinyan-abu-dhabi-talks"
    ]
    assert events_on(client, "?verification=disputed") == ["ukraine-claim-armenia-denial"]
    assert events_on(client, "?kind=no-such-kind") == events_on(client)


def test_draft_events_stay_off_the_public_timeline(seed, client):
    Event.objects.filter(slug="agalarov-case").update(state="review")
    from events.page_cache import bump_all

    bump_all()
    assert "agalarov-case" not in events_on(client)


def actor_choices(client) -> list[str]:
    soup = BeautifulSoup(client.get(TIMELINE).content, "html.parser")
    return [
        option["value"] for option in soup.select('select[name="actor"] option') if option["value"]
    ]


def test_readers_filter_choices_come_from_the_crisis_tally_kept_by_each_revision(
    seed, client, publisher, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    from actors.models import Actor
    from crisis_tracker.history import revision
    from events.models import CrisisTally, EventActor

    assert "ilham-aliyev" in actor_choices(client)
    newcomer = Actor.objects.create(slug="newcomer", name="新人", kind="person")
    event = Event.objects.filter(state="published").first()
    with django_capture_on_commit_callbacks(execute=True), revision(summary="A new party"):
        EventActor.objects.create(event=event, actor=newcomer, role="participant")
    cache.clear()
    assert "newcomer" in actor_choices(client)
    # readers' choices are the tally's, not a scan of every event's actors
    CrisisTally.objects.update(actors=[newcomer.pk], places=[])
    cache.clear()
    assert actor_choices(client) == ["newcomer"]
    client.force_login(publisher)  # a preview reads the events themselves, drafts included
    assert "ilham-aliyev" in actor_choices(client) and "newcomer" in actor_choices(client)


def test_a_timeline_page_leaves_its_events_and_actors_to_reference_counting(seed):
    """No event, actor link or actor of a rendered page waits in a reference cycle for the
    garbage collector: a prefetch tied each link back to its event, and a page of 300 events
    left some 12,000 objects that a later request's collection freed all at once."""
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        page = build_timeline(seed.slug, PUBLISHED, TimelineFilters())
        assert "event-agalarov-case" in page.body
        del page
        gc.collect()
        cyclic = {type(found).__name__ for found in gc.garbage}
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert not cyclic & {"Event", "EventActor", "Actor", "Place"}

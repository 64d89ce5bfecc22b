"""The event list in the admin: filters that fit the work, summaries for list edits and actions,
and a query count that does not grow with the list."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crisis_tracker.history import revision
from events.models import Crisis, Event
from tests.conftest import form_data

pytestmark = pytest.mark.django_db
EVENTS = "/admin/events/event/"


def listed(client, query="") -> list[str]:
    soup = BeautifulSoup(client.get(EVENTS + query).content, "html.parser")
    return [a.get_text() for a in soup.select("#result_list th.field-title a")]


def test_filters_by_country_actor_place_and_month(seed, client, superuser):
    client.force_login(superuser)
    everything = listed(client)
    assert len(everything) == Event.objects.count()
    in_kazakhstan = listed(client, "?country=KZ")
    expected = Event.objects.filter(location__country="KZ").values_list("title", flat=True)
    assert sorted(in_kazakhstan) == sorted(expected)
    assert in_kazakhstan and len(in_kazakhstan) < len(everything)
    zakharova = listed(client, "?actor=maria-zakharova")
    expected = Event.objects.filter(event_actors__actor__slug="maria-zakharova").distinct()
    assert sorted(zakharova) == sorted(expected.values_list("title", flat=True)) and zakharova
    june = listed(client, "?date__year=2025&date__month=6")
    assert sorted(june) == sorted(
        Event.objects.filter(date__year=2025, date__month=6).values_list("title", flat=True)
    )
    page = BeautifulSoup(client.get(EVENTS).content, "html.parser")
    assert "2025" in page.select_one("nav.toplinks").get_text()  # the date hierarchy
    crisis = page.select_one("#result_list td.field-crisis_short span")
    assert crisis["title"] == Crisis.objects.get().title and len(crisis.get_text()) <= 16


def test_the_list_shows_the_latest_events_first(seed, client, superuser):
    client.force_login(superuser)
    newest_first = Event.objects.order_by("-date", "-day_order", "-pk")
    assert listed(client) == list(newest_first.values_list("title", flat=True))
    assert listed(client)[0] != listed(client)[-1]


def test_the_list_query_count_does_not_grow_with_the_events(seed, client, publisher):
    client.force_login(publisher)  # not a superuser: the permission checks are counted too

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(EVENTS).status_code == 200
        return len(captured)

    before = queries()
    with revision(summary="More events"):
        for n in range(40):
            Event.objects.create(crisis=Crisis.objects.get(), slug=f"extra-{n}", title=f"事件{n}",
                                 date=datetime.date(2025, 8, 1 + n % 28))  # fmt: skip
    assert queries() == before


def test_list_edits_of_published_entries_need_a_summary_which_history_keeps(
    seed, client, superuser
):
    client.force_login(superuser)
    event = Event.objects.get(slug="agalarov-case")
    data = form_data(client, EVENTS, form_id="changelist-form")
    row = next(k for k, v in data.items() if k.endswith("-id") and v == str(event.pk))
    prefix = row.removesuffix("-id")
    changed = {**data, f"{prefix}-verification": "disputed", "_save": "Save"}
    refused = client.post(EVENTS, changed)
    assert "edit summary" in refused.content.decode() or "编辑摘要" in refused.content.decode()
    event.refresh_from_db()
    assert event.verification != "disputed"
    client.post(EVENTS, {**changed, "edit_summary": "Both governments dispute the charge"})
    event.refresh_from_db()
    assert event.verification == "disputed"
    assert event.history.latest().history_change_reason == "Both governments dispute the charge"


def test_actions_carry_the_summary(seed, client, superuser):
    client.force_login(superuser)
    event = Event.objects.get(slug="agalarov-case")
    data = form_data(client, EVENTS, form_id="changelist-form")
    client.post(EVENTS, {"opened_at": data["opened_at"], "action": "unpublish",
                         "_selected_action": [event.pk], "edit_summary": "Charge withdrawn"})  # fmt: skip
    event.refresh_from_db()
    assert event.state == "draft"
    assert event.history.latest().history_change_reason == "Unpublished: Charge withdrawn"

"""The event list in the admin: filters that fit the work, summaries for list edits and actions,
and a query count that does not grow with the list."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.contrib import admin
from django.contrib.admin import ModelAdmin
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from crisis_tracker.history import revision
from events.models import Crisis, Event
from tests.conftest import form_data

pytestmark = pytest.mark.django_db
EVENTS = "/admin/events/event/"
PLACE, ACTOR = "地点", "行为体"  # the filters' titles on the desk (Chinese by default)


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


def filter_choices(client, query: str, title: str) -> list[str]:
    """The choices a sidebar filter offers (without its "all"); none when it is not shown."""
    soup = BeautifulSoup(client.get(EVENTS + query).content, "html.parser")
    found = soup.select_one(f'#changelist-filter details[data-filter-title="{title}"]')
    return [] if found is None else [a.get_text(strip=True) for a in found.select("li a")][1:]


def test_long_place_and_actor_filters_are_narrowed_by_country_and_crisis(
    seed, client, superuser, monkeypatch
):
    from actors.models import Actor, Participation
    from desk import admin as desk_admin
    from places.models import Place

    client.force_login(superuser)
    crisis = Crisis.objects.get()
    every_place = filter_choices(client, "", PLACE)
    assert len(every_place) == Place.objects.count()  # few: all of them
    monkeypatch.setattr(desk_admin, "FILTER_CHOICES", 2)
    assert filter_choices(client, "", PLACE) == []  # many: a country first
    in_kazakhstan = Place.objects.filter(country="KZ").order_by("name")
    assert filter_choices(client, "?country=KZ", PLACE) == [p.name for p in in_kazakhstan]
    chosen = in_kazakhstan.first()
    assert filter_choices(client, f"?place={chosen.slug}", PLACE) == [chosen.name]
    expected = Event.objects.filter(location=chosen).values_list("title", flat=True)
    assert sorted(listed(client, f"?place={chosen.slug}")) == sorted(expected) and expected
    parties = Actor.objects.filter(
        pk__in=Participation.objects.filter(crisis=crisis).values("actor_id")
    ).order_by("name")
    assert parties and parties.count() < Actor.objects.count()
    shown = filter_choices(client, f"?crisis__id__exact={crisis.pk}", ACTOR)
    assert shown == [actor.name for actor in parties]


def test_the_search_finds_what_djangos_finds_matching_as_the_site_search(seed, client, superuser):
    crisis = Crisis.objects.get()
    with revision(summary="Search words"):
        Event.objects.create(crisis=crisis, slug="consul-talks", title="领事会谈", summary="会谈。",
                             place="巴库", date=datetime.date(2025, 7, 1))  # fmt: skip
        Event.objects.create(crisis=crisis, slug="other", title="会谈", summary="关于领事服务",
                             place="Baku Centre", date=datetime.date(2025, 7, 2))  # fmt: skip
    model_admin = admin.site._registry[Event]
    request = RequestFactory().get(EVENTS)
    for term in ["领事", "领事 会谈", '"Baku Centre"', "baku", "consul", "领", "%", "不存在", '"']:
        ours, _ = model_admin.get_search_results(request, Event.objects.all(), term)
        djangos, _ = ModelAdmin.get_search_results(model_admin, request, Event.objects.all(), term)
        assert sorted(ours.values_list("slug", flat=True)) == sorted(
            djangos.values_list("slug", flat=True)
        ), term
    client.force_login(superuser)
    assert sorted(listed(client, "?q=领事")) == ["会谈", "领事会谈"]
    with CaptureQueriesContext(connection) as queries:
        client.get(EVENTS, {"q": "领事"})
    searched = [query["sql"] for query in queries.captured_queries if "领事" in query["sql"]]
    assert searched and not any("UPPER(" in sql for sql in searched)  # no case mapping

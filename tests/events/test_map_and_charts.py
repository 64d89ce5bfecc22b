import csv
import datetime
import gzip
import io
import json

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from crisis_tracker.history import revision
from events import mapdata, timeline
from events.models import Crisis, Event
from places.models import Place

pytestmark = pytest.mark.django_db

SLUG = "azerbaijan-russia-2025"
TIMELINE = reverse("events:timeline", args=[SLUG])
MAP = reverse("events:map_data", args=[SLUG])
ARTICLE = reverse("events:crisis", args=[SLUG])


def soup_of(client, url: str) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.content, "html.parser")


def listed(client, query: str = "") -> list[str]:
    soup = soup_of(client, TIMELINE + query)
    return [li["id"].removeprefix("event-") for li in soup.select("li.event")]


def map_points(client, query: str = "") -> dict:
    response = client.get(MAP + query)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


# Dates and order -----------------------------------------------------------------------------


def test_a_date_range_matches_events_whose_period_overlaps_it(seed, client):
    june = listed(client, "?from=2025-06&to=2025-06")
    assert {"agalarov-case", "arrests-of-azerbaijanis"} <= set(june)
    assert "sputnik-baku-raid" in june  # dated only "2025": it may have been in June
    assert "aliyev-pashinyan-abu-dhabi-talks" not in june  # 10 July
    assert "azal-8243-crash" not in june  # December 2024
    # "December 2024" overlaps a range that starts mid-December, not one that ends in November.
    assert "azal-8243-crash" in listed(client, "?from=2024-12-15&to=2024-12-20")
    assert "azal-8243-crash" not in listed(client, "?to=2024-11")
    assert listed(client, "?from=2025-06-27&to=2025-06-27")[0] == "arrests-of-azerbaijanis"


def test_a_bad_date_is_dropped_not_guessed(seed, client):
    assert listed(client, "?from=June&to=2025-13") == listed(client)


def test_events_known_only_to_a_year_come_after_its_months_as_some_time_in_it(seed, client):
    soup = soup_of(client, TIMELINE)
    year = soup.select(".timeline-year")[-1]
    assert year.select_one("h2").get_text() == "2025年"
    assert [h.get_text() for h in year.select("h3")] == ["2025年5月", "2025年6月", "2025年7月"]
    assert year.select_one(".vague-period").get_text() == "2025年内"
    ids = [li["id"] for li in year.select("li.event")]
    assert ids.index("event-aliyev-pashinyan-abu-dhabi-talks") < ids.index(
        "event-sputnik-baku-raid"
    )
    english = soup_of(client, "/en" + TIMELINE)
    assert "Some time in 2025" in english.select(".vague-period")[-1].get_text()


def test_an_event_known_only_to_a_month_is_listed_after_the_days_of_that_month(seed, client):
    crisis = Crisis.objects.get()
    with revision(summary="Two June events"):
        Event.objects.create(crisis=crisis, slug="a-june", title="Some time in June",
                             date=datetime.date(2025, 6, 1), date_precision="month",
                             summary="x", state="published")  # fmt: skip
    soup = soup_of(client, TIMELINE)
    june = [h for h in soup.select("h3") if h.get_text() == "2025年6月"][0]
    vague = june.find_next("h4", class_="vague-period")
    assert vague.get_text() == "2025年6月内"
    order = [li["id"] for li in soup.select("li.event")]
    assert order.index("event-arrests-of-azerbaijanis") < order.index("event-a-june")
    assert order.index("event-a-june") < order.index("event-aliyev-pashinyan-abu-dhabi-talks")


def test_events_of_one_day_keep_the_order_editors_give_them(seed, client):
    crisis = Crisis.objects.get()
    with revision(summary="Same day"):
        for slug, order in (("a-second", 2), ("b-first", 1)):
            Event.objects.create(crisis=crisis, slug=slug, title=slug, day_order=order,
                                 date=datetime.date(2025, 6, 27), summary="x",
                                 state="published")  # fmt: skip
    day = [s for s in listed(client) if s in {"a-second", "b-first", "arrests-of-azerbaijanis"}]
    assert day == ["arrests-of-azerbaijanis", "b-first", "a-second"]


def test_the_timeline_says_its_reference_numbers_are_its_own(seed, client):
    soup = soup_of(client, "/en" + TIMELINE)
    note = soup.select_one(".references-section .help").get_text()
    assert "the article numbers its references in its own order" in note


# The map -------------------------------------------------------------------------------------


def test_the_map_data_has_every_published_placed_event_once(seed, client):
    data = map_points(client)
    assert data["located"] == 17 and data["detailed"] is True  # all but the phone call
    by_place = {point["place"]: point for point in data["points"]}
    assert by_place["叶卡捷琳堡"]["count"] == 2 and by_place["巴库"]["count"] == 4
    assert by_place["莫斯科"]["count"] == 4 and by_place["俄罗斯"]["precision"] == "country"
    crash = by_place["阿克套"]["events"][0]
    assert crash["date"] == "2024年12月" and crash["verification"] == "reported"
    assert crash["url"] == TIMELINE + "?page=2024-12#event-azal-8243-crash"
    assert by_place["阿克套"]["lat"] == 43.66105
    english = client.get("/en" + MAP).json()
    assert {point["place"] for point in english["points"]} >= {"Aktau", "Baku"}
    assert english["points"][0]["events"][0]["date"] in {"2001", "27 June 2025"}


def test_the_map_follows_the_timeline_filters(seed, client):
    data = map_points(client, "?from=2025-06&to=2025-06&kind=arrest")
    assert [(p["place"], p["count"]) for p in data["points"]] == [("叶卡捷琳堡", 1)]
    assert map_points(client, "?place=baku")["located"] == 4


def test_unpublished_events_and_crises_never_reach_the_map(seed, client):
    Event.objects.filter(slug="sputnik-baku-raid").update(state="draft")
    from events.page_cache import bump_all

    bump_all()
    baku = [p for p in map_points(client)["points"] if p["place"] == "巴库"][0]
    assert baku["count"] == 3
    assert "sputnik" not in json.dumps(map_points(client))
    Crisis.objects.update(state="draft")
    bump_all()
    assert client.get(MAP).status_code == 404
    assert client.get(reverse("events:chart_csv", args=[SLUG, "figures"])).status_code == 404


def test_the_page_map_works_without_script_and_has_a_text_alternative(seed, client):
    soup = soup_of(client, TIMELINE)
    box = soup.select_one(".event-map")
    assert box["data-map-url"] == MAP
    svg = box.select_one("svg.static-map")
    assert svg["role"] == "img" and len(svg.select(".markers circle")) == 9  # 9 places
    assert len(svg.select(".countries path")) > 5
    items = soup.select(".map-list li")
    assert len(items) == 9
    baku = [li for li in items if "巴库" in li.get_text()][0]
    assert baku.select_one('a[href*="place=baku"]') is not None
    english = soup_of(client, "/en" + TIMELINE)
    assert "1 event has no single place and is not on the map" in english.get_text()
    call = english.select_one("#event-zelensky-aliyev-call .no-place").get_text()
    assert "No single place: 两国首都之间的电话通话" in " ".join(call.split())


def test_the_article_infobox_shows_the_map_instead_of_a_placeholder(seed, client):
    soup = soup_of(client, ARTICLE)
    figure = soup.select_one(".infobox .infobox-map")
    assert figure.select_one("svg.static-map") is not None
    assert figure.select_one(".event-map")["data-map-url"] == MAP
    assert soup.select_one(".map-slot") is None


def test_map_data_for_many_events_is_counts_per_point_and_small(seed, client, monkeypatch):
    monkeypatch.setattr(mapdata, "DETAIL_LIMIT", 5)
    data = map_points(client)
    assert data["detailed"] is False
    assert all(point["events"] == [] for point in data["points"])
    assert sum(point["count"] for point in data["points"]) == 17


def test_points_beyond_the_limit_merge_on_a_grid():
    points = [
        mapdata.Point(40 + i * 0.01, 49 + i * 0.01, kinds=__import__("collections").Counter(raid=1))
        for i in range(50)
    ] + [mapdata.Point(-33.9, 18.4, kinds=__import__("collections").Counter(call=2))]
    original = mapdata.POINT_LIMIT
    try:
        mapdata.POINT_LIMIT = 5
        merged = mapdata.on_grid(points)
    finally:
        mapdata.POINT_LIMIT = original
    assert len(merged) <= 5
    assert sum(point.count for point in merged) == 52


# Charts --------------------------------------------------------------------------------------


def csv_rows(client, chart: str, query: str = "") -> list[list[str]]:
    response = client.get(reverse("events:chart_csv", args=[SLUG, chart]) + query)
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_events_per_month_by_kind_as_chart_table_and_csv(seed, client):
    rows = csv_rows(client, "events-per-month")
    assert rows[0] == ["period", "period_precision", "kind", "events"]
    assert ["2024-12", "month", "shoot-down", "1"] in rows
    assert ["2025", "year", "statement", "4"] in rows
    assert sum(int(row[3]) for row in rows[1:]) == 18
    soup = soup_of(client, TIMELINE)
    chart = soup.select_one("svg.chart")
    links = [a["href"] for a in chart.select("a")]
    assert "?from=2025-06&to=2025-06" in links
    table = soup.select_one(".charts table.chart-table")
    assert table.select("tbody tr")[-1].select_one("th").get_text() == "2025年内"


def test_figures_over_time_carry_the_sources_behind_each_bar(seed, client):
    rows = csv_rows(client, "figures")
    crash = [row for row in rows if row[0] == "2024-12"][0]
    assert crash[2:6] == ["killed", "38", "1", "3"]
    assert crash[6].split() == ["dw-2025-07-03", "guardian-2025-02-07", "reuters-2024-12-26"]
    assert csv_rows(client, "figures", "?kind=arrest") == [rows[0], *[
        row for row in rows if row[0] == "2025-06"]]  # fmt: skip
    assert client.get(reverse("events:chart_csv", args=[SLUG, "nothing"])).status_code == 404


def test_figure_bars_summed_by_the_database_equal_each_event_counted(seed):
    import random

    from crisis_tracker.citations import cited_keys
    from crisis_tracker.dates import slot_of
    from events.charts import FIGURES, figure_bars

    crisis, rng = Crisis.objects.get(), random.Random(4)
    keys = list(Crisis.objects.get().events.values_list("slug", flat=True))[:6]
    with revision(summary="More figures"):
        for n in range(60):
            cites = "; ".join(f"@{rng.choice(keys)}" for _ in range(rng.choice([0, 1, 2])))
            figures = {name: rng.choice([None, None, 0, 1, 7]) for name in FIGURES}
            Event.objects.create(
                crisis=crisis, slug=f"figure-{n}", title="t", state="published",
                date=datetime.date(2025, rng.choice([5, 6, 7]), rng.choice([1, 9])),
                date_precision=rng.choice(["day", "day", "month", "year"]),
                summary=f"某事[{cites}]。又一事[{cites}]" if cites else "无出处", **figures,
            )  # fmt: skip
    expected = {}
    for event in Event.objects.filter(crisis=crisis):
        for name in FIGURES:
            value = getattr(event, name)
            if value is None:
                continue
            total, count, sources = expected.get((slot_of(event.date, event.date_precision), name),
                                                 (0, 0, set()))  # fmt: skip
            expected[(slot_of(event.date, event.date_precision), name)] = (
                total + value,
                count + 1,
                sources | set(cited_keys(event.summary)),
            )
    bars = figure_bars(Event.objects.filter(crisis=crisis))
    assert {
        (bar.slot, bar.figure): (bar.total, bar.events, bar.sources) for bar in bars
    } == expected
    assert len(bars) == len(expected) > 10


def test_the_unfiltered_timeline_reads_what_its_events_would_count_from_the_tally(seed, client):
    from events import charts, tallies
    from events.models import CrisisTally

    crisis = Crisis.objects.get()
    with revision(summary="A draft and a figure"):
        Event.objects.create(crisis=crisis, slug="a-draft", title="t", summary="x",
                             date=datetime.date(2025, 6, 3), killed=4)  # fmt: skip
        Event.objects.filter(slug="agalarov-case").update(injured=2, detained=1)
        Event.objects.filter(slug="agalarov-case").first().save()
    events = Event.objects.published().filter(crisis=crisis)
    tally = CrisisTally.objects.get(crisis=crisis)
    assert tallies.timeline_slots(tally) == timeline.count_slots(events)
    counted = [
        (b.slot, b.figure, b.total, b.events, b.source_count) for b in charts.figure_bars(events)
    ]
    kept = [
        (b.slot, b.figure, b.total, b.events, b.source_count) for b in tallies.figure_bars(tally)
    ]
    assert kept == counted and ((2025, 6), "injured", 2, 1, 1) in kept
    located = events.with_point().filter(point_lat__isnull=False)
    points = [[kind, place, float(lat) if lat is not None else None,
               float(lon) if lon is not None else None, n]
              for kind, place, lat, lon, n in mapdata.point_counts(located)]  # fmt: skip
    assert sorted(tally.points, key=str) == sorted(points, key=str) and len(points) > 5
    # the page draws them: the figures' table has the injured, the draft's killed are not shown
    page = soup_of(client, TIMELINE)
    assert "2" in page.select_one(".charts").get_text() and "a-draft" not in str(page)


def test_a_tally_keeps_its_dates_as_columns_and_its_migration_turns_rows_into_them(seed):
    import importlib

    from django.apps import apps

    from events import tallies
    from events.models import CrisisTally

    migration = importlib.import_module("events.migrations.0029_tally_dated_columns")
    crisis = Crisis.objects.get()
    events = Event.objects.published().filter(crisis=crisis)
    kept = CrisisTally.objects.get(crisis=crisis)
    rows = [[day.isoformat(), precision, kind, n]
            for day, precision, kind, n in timeline.counts_of(events)]  # fmt: skip
    assert kept.dated == {name: [row[n] for row in rows] for n, name in enumerate(tallies.DATED)}
    assert len(rows) > 10 and all(isinstance(v, list) for v in kept.dated.values())
    migration.to_rows(apps, None)  # as a tally made before the columns held it
    assert CrisisTally.objects.get(crisis=crisis).dated == rows
    migration.to_columns(apps, None)
    tally = CrisisTally.objects.get(crisis=crisis)
    assert tally.dated == kept.dated
    assert tallies.timeline_slots(tally) == timeline.count_slots(events)
    assert tallies.timeline_slots(CrisisTally(crisis=crisis)) == []  # nothing dated yet


@pytest.mark.parametrize("spread", [40, 400, 4000])  # days: dots per day, per week, per month
def test_the_visual_timeline_merges_days_into_weeks_then_months_past_its_limit(spread):
    import random
    from collections import Counter

    from events.charts import DOTS_LIMIT, day_dots, span_of

    rng = random.Random(spread)
    start, kinds = datetime.date(2020, 1, 1), ["raid", "arrest", "statement", "killing"]
    rows = []
    for _ in range(3000):
        day = start + datetime.timedelta(days=rng.randrange(spread))
        precision = rng.choice(["day", "day", "day", "month", "year"])
        day = {"day": day, "month": day.replace(day=1), "year": day.replace(month=1, day=1)}[
            precision
        ]
        rows.append((day, precision, rng.choice(kinds), rng.randint(1, 3)))
    slots = timeline.slots_of(rows)

    def merged(width):  # every day-dated event, counted per span of ``width`` and kind
        dots = Counter()
        for day, precision, kind, n in rows:
            if precision == "day":
                dots[(*span_of(day, width), kind)] += n
        return dots

    expected = next(
        (dots for width in ("day", "week") if len(dots := merged(width)) <= DOTS_LIMIT),
        merged("month"),
    )
    assert day_dots(slots) == expected
    widths = {(last - first).days for first, last, _kind in expected}
    if spread == 40:
        assert widths == {0}  # a dot a day
    elif spread == 400:
        assert max(widths) == 6  # a dot a week (cut at a year's end)
    else:
        assert min(widths) >= 27  # a dot a month


def test_choosing_a_period_on_the_visual_timeline_filters_list_map_and_charts(seed, client):
    soup = soup_of(client, TIMELINE)
    visual = soup.select_one("svg.visual-timeline")
    june = [a for a in visual.select("a") if a.get("aria-label") == "2025年6月"][0]
    assert june["href"] == "?from=2025-06&to=2025-06"
    narrowed = soup_of(client, TIMELINE + june["href"])
    assert narrowed.select_one(".event-map")["data-map-url"] == MAP + "?from=2025-06&to=2025-06"
    assert narrowed.select_one("svg.visual-timeline .column.chosen") is not None
    assert "event-agalarov-case" in [li["id"] for li in narrowed.select("li.event")]
    assert "event-azal-8243-crash" not in [li["id"] for li in narrowed.select("li.event")]


def test_spans_are_drawn_across_their_month_or_year_and_days_as_dots(seed, client):
    visual = soup_of(client, TIMELINE).select_one("svg.visual-timeline")
    assert len(visual.select("rect.span.year")) == 9  # (year, kind) of events known to a year
    assert len(visual.select("rect.span:not(.year)")) == 1  # December 2024
    assert len(visual.select("circle")) == 4  # days with events, per kind


# Long timelines -------------------------------------------------------------------------------


def test_a_long_timeline_lists_one_month_at_a_time_and_anchors_keep_working(
    seed, client, monkeypatch
):
    monkeypatch.setattr(timeline, "PAGE_SIZE", 5)
    assert listed(client) == ["aliyev-pashinyan-abu-dhabi-talks"]  # the latest month
    # the ten events known only to 2025 come five at a time, the second five one page on
    first, second = listed(client, "?page=2025"), listed(client, "?page=2025~2")
    assert len(first) == len(second) == 5 and "sputnik-baku-raid" in first + second
    assert not set(first) & set(second)
    nav = soup_of(client, TIMELINE + "?page=2025").select_one("nav.pages")
    assert nav.select_one('a[rel="next"]')["href"] == "?page=2025~2"
    assert listed(client, "?page=2025~9") == first  # no such page: the period's first
    june = soup_of(client, TIMELINE + "?page=2025-06")
    assert [li["id"] for li in june.select("li.event")] == [
        "event-agalarov-case", "event-arrests-of-azerbaijanis"]  # fmt: skip
    nav = june.select_one("nav.pages")
    assert nav.select_one('a[rel="prev"]')["href"] == "?page=2025-05"
    assert nav.select_one('a[rel="next"]')["href"] == "?page=2025-07"
    event = Event.objects.get(slug="azal-8243-crash")
    url = event.get_absolute_url()
    page = soup_of(client, url.split("#")[0])
    assert page.select_one("#" + url.split("#")[1]) is not None


# Caching --------------------------------------------------------------------------------------


def test_warm_timeline_and_map_data_make_no_query(seed, client, django_assert_num_queries):
    client.get(TIMELINE)
    client.get(MAP)
    with django_assert_num_queries(0):
        assert client.get(TIMELINE).status_code == 200
        assert client.get(MAP).status_code == 200


def test_map_data_query_count_does_not_grow_with_events(seed, client, django_assert_num_queries):
    from django.core.cache import cache

    with django_assert_num_queries(2):  # the crisis, its placed events
        client.get(MAP)
    crisis = Crisis.objects.get()
    place = Place.objects.get(slug="baku")
    with revision(summary="More"):
        for n in range(40):
            Event.objects.create(crisis=crisis, slug=f"more-{n}", title=f"更多{n}",
                                 date=datetime.date(2025, 7, 1), location=place,
                                 summary="x", state="published")  # fmt: skip
    cache.clear()
    with django_assert_num_queries(2):
        assert client.get(MAP).json()["located"] == 57


def test_editing_a_place_refreshes_the_pages_that_map_it(seed, client):
    client.get(TIMELINE)
    response = client.get(MAP)
    baku = Place.objects.get(slug="baku")
    assert f"place-{baku.pk}" in response["xkey"].split()
    with revision(summary="Baku renamed"):
        baku.name = "巴库市"
        baku.save()
    assert "巴库市" in client.get(MAP).content.decode()
    assert "巴库市" in client.get(TIMELINE).content.decode()


def test_five_thousand_events_give_map_data_under_300_kb_compressed(seed, client):
    crisis = Crisis.objects.get()
    places = list(Place.objects.all())
    Event.objects.bulk_create(
        Event(crisis=crisis, slug=f"bulk-{n}", title=f"批量事件{n}号", state="published",
              date=datetime.date(2024, 1, 1) + datetime.timedelta(days=n % 700),
              location=places[n % len(places)], kind="raid", summary="x")
        for n in range(5000)
    )  # fmt: skip
    from events.page_cache import bump_all

    bump_all()
    body = client.get(MAP).content
    assert len(gzip.compress(body)) < 300 * 1024
    assert json.loads(body)["located"] == 5017


def test_a_busy_month_is_split_into_runs_of_days_and_permalinks_find_them(
    seed, client, monkeypatch
):
    monkeypatch.setattr(timeline, "PAGE_SIZE", 1)
    first = soup_of(client, TIMELINE + "?page=2025-06-26")
    assert [li["id"] for li in first.select("li.event")] == ["event-agalarov-case"]
    assert first.select_one('nav.pages a[rel="next"]')["href"] == "?page=2025-06-27"
    event = Event.objects.get(slug="arrests-of-azerbaijanis")
    path, anchor = event.get_absolute_url().split("#")
    assert path.endswith("?page=2025-06-27")
    assert soup_of(client, path).select_one("#" + anchor) is not None
    # A month's key finds the page with its own events; a year's, those known only to it.
    crash = Event.objects.get(slug="azal-8243-crash").get_absolute_url()
    assert "#event-azal-8243-crash" in crash and "?page=2024-12#" in crash
    assert soup_of(client, crash.split("#")[0]).select_one("#event-azal-8243-crash")


def test_data_exports_carry_each_events_place_and_point(seed, client):
    events = client.get(reverse("events:events_json", args=[SLUG])).json()["events"]
    crash = next(row for row in events if row["slug"] == "azal-8243-crash")
    assert (crash["location"], crash["geo_precision"]) == ("aktau", "town")
    assert (crash["latitude"], crash["longitude"]) == ("43.66105", "51.17392")
    unplaced = next(row for row in events if row["slug"] == "zelensky-aliyev-call")
    assert (unplaced["location"], unplaced["latitude"]) == ("", None)
    csv_text = client.get(reverse("events:events_csv", args=[SLUG])).content.decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(csv_text)))
    assert header[6:11] == ["place", "location", "latitude", "longitude", "geo_precision"]


def test_a_day_with_more_events_than_a_page_is_listed_a_page_at_a_time(
    seed, client, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(timeline, "PAGE_SIZE", 3)
    crisis = Crisis.objects.get()
    with revision(summary="A busy day"):
        for n in range(5):
            Event.objects.create(crisis=crisis, slug=f"busy-{n}", title=f"繁忙{n}",
                                 date=datetime.date(2025, 7, 10), summary="x",
                                 state="published")  # fmt: skip
    first, second = listed(client, "?page=2025-07-10"), listed(client, "?page=2025-07-10~2")
    # the seed's Abu Dhabi talks are that day too: six events, three a page
    assert first == ["aliyev-pashinyan-abu-dhabi-talks", "busy-0", "busy-1"]
    assert second == ["busy-2", "busy-3", "busy-4"]
    page = soup_of(client, TIMELINE + "?page=2025-07-10~2")
    assert page.select_one('nav.pages a[rel="prev"]')["href"] == "?page=2025-07-10"
    from django.core.cache import cache

    # a chunk costs what any page costs: at most the timeline's ten queries
    cache.clear()
    with django_assert_max_num_queries(10):
        client.get(TIMELINE + "?page=2025-07-10~2")


def test_a_timeline_with_more_events_than_the_map_details_costs_the_same_queries(
    seed, client, monkeypatch
):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def cold(query: str = "") -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(TIMELINE + query).status_code == 200
        return len(queries)

    detailed, filtered = cold(), cold("?verification=confirmed")
    monkeypatch.setattr(mapdata, "DETAIL_LIMIT", 5)  # 18 selected: counts per point instead
    assert cold() == detailed - 1  # the reader's unfiltered map counted in the crisis's tally
    monkeypatch.setattr(mapdata, "DETAIL_LIMIT", 3)
    assert cold("?verification=confirmed") == filtered  # counted by the database instead
    assert sum(point["count"] for point in map_points(client)["points"]) == 17


def test_counted_points_are_the_detailed_points_without_their_events(
    seed, monkeypatch, django_assert_num_queries
):
    """Past DETAIL_LIMIT the database counts per place and exact spot and the places are named
    from their own rows (read once, or given by the timeline): the same points either way."""
    events = Event.objects.for_crisis(Crisis.objects.get(slug=SLUG)).published()
    selected = events.count()

    def points(**given) -> list[tuple]:
        found = mapdata.map_data(events, SLUG, "zh-hans", **given)
        return sorted((p.latitude, p.longitude, p.place, p.place_slug, p.place_id, p.precision,
                       sorted(p.kinds.items())) for p in found.points)  # fmt: skip

    detailed = points()
    monkeypatch.setattr(mapdata, "DETAIL_LIMIT", 5)
    with django_assert_num_queries(2):  # the counts, then the places
        assert points(selected=selected) == detailed
    rows = mapdata.places_by_id(Place.objects.values_list("pk", flat=True))
    with django_assert_num_queries(1):
        assert points(selected=selected, places=rows) == detailed

"""Monthly assessments: written and reviewed like any entry, shown under the article, on the
crisis's assessments page and on the month's tracker; the desk asks for last month's."""

import datetime
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from crisis_tracker.citations import cited_keys
from crisis_tracker.history import revision
from desk import panels
from events.models import Assessment, Crisis, Event
from interchange.fixture_import import import_fixtures
from places.models import Place
from tests.conftest import form_data

pytestmark = pytest.mark.django_db

ASSESSMENTS = (
    Path(__file__).resolve().parents[2] / "fixtures" / "azerbaijan-russia-2025-assessments.json"
)
ARTICLE = "/crises/azerbaijan-russia-2025/"


@pytest.fixture
def assessed(seed):
    import_fixtures(files=[("assessments.json", ASSESSMENTS)], reason="Monthly assessments")
    return seed


def page(client, url: str) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200, url
    return BeautifulSoup(response.content, "html.parser")


def test_the_article_shows_the_latest_assessment_with_the_seeds_numbers(assessed, client):
    latest = page(client, ARTICLE).select_one(".latest-assessment")
    assert "2025-07" in latest.h2.get_text()
    assert latest.select_one(".trend").get_text() == "恶化"
    assert "两国互相召见外交代表" in latest.select_one(".assessment-reason").get_text()
    # the article's own references keep their numbers: AP is [11], Xinhua [14] as in the seed
    assert [a.get_text() for a in latest.select("sup a")][:2] == ["[11]", "[14]"]


def test_the_assessments_page_and_the_tracker(assessed, client):
    months = page(client, ARTICLE + "assessments/").select(".assessment-month h2")
    assert [h.get_text() for h in months] == ["2025-07", "2025-06"]
    july = page(client, "/tracker/2025-07/")
    assert july.select_one(".assessment-month h2").get_text() == "2025年阿塞拜疆—俄罗斯外交危机"
    assert july.select_one('a[rel="prev"]')["href"] == "/tracker/2025-06/"
    assert july.select_one('a[rel="next"]')["href"] == "/tracker/2025-08/"
    assert july.select(".references li")  # the texts' sources, numbered on the page
    assert "没有" in page(client, "/tracker/2025-08/").get_text()  # none published for August
    for wrong in ("2025-13", "2025", "2025-07-01", "junk"):
        assert client.get(f"/tracker/{wrong}/").status_code == 404


def test_readers_never_see_an_unpublished_assessment(assessed, client, editor):
    with revision(summary="Drafted", user=editor):
        Assessment.objects.create(crisis=Crisis.objects.get(), month=datetime.date(2025, 8, 1),
                                  trend="improved", reason="草稿理由", state="draft")  # fmt: skip
    for url in (ARTICLE, ARTICLE + "assessments/", "/tracker/2025-08/"):
        assert "草稿理由" not in client.get(url).content.decode(), url
    client.force_login(editor)  # staff preview the draft on the assessments page, marked
    draft = page(client, ARTICLE + "assessments/").select_one(".assessment .badge-draft")
    assert draft is not None


def test_an_editor_writes_augusts_and_a_publisher_publishes_it(assessed, client, editor, publisher):
    client.force_login(editor)
    data = form_data(client, "/admin/events/assessment/add/")
    data.update(crisis=Crisis.objects.get().pk, month="2025-08-01", trend="unchanged",
                reason="八月没有新的逮捕。", text="", edit_summary="八月评估")  # fmt: skip
    response = client.post("/admin/events/assessment/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    august = Assessment.objects.get(month=datetime.date(2025, 8, 1))
    assert august.state == "draft" and august.history.get().history_change_reason == "八月评估"
    data["state"] = "published"
    refused = client.post(f"/admin/events/assessment/{august.pk}/change/", data)
    assert refused.status_code == 200  # an editor may not publish
    client.force_login(publisher)
    data = form_data(client, f"/admin/events/assessment/{august.pk}/change/")
    data.update(state="published", edit_summary="核对后发布")
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(f"/admin/events/assessment/{august.pk}/change/", data)
    august.refresh_from_db()
    assert august.state == "published"
    assert "八月没有新的逮捕" in client.get(ARTICLE).content.decode()  # the page was refreshed


def test_the_desk_asks_for_the_month_that_just_ended(assessed, monkeypatch):
    crisis = Crisis.objects.get()
    monkeypatch.setattr(timezone, "localdate", lambda: datetime.date(2025, 8, 1))
    assert panels.month_just_ended() == datetime.date(2025, 7, 1)
    assert list(panels.crises_without_assessment(panels.Facts())) == []  # July is written
    monkeypatch.setattr(timezone, "localdate", lambda: datetime.date(2025, 9, 1))
    assert list(panels.crises_without_assessment(panels.Facts())) == [crisis]
    Assessment.objects.create(crisis=crisis, month=datetime.date(2025, 8, 1), trend="unchanged",
                              reason="平稳。")  # fmt: skip
    assert list(panels.crises_without_assessment(panels.Facts())) == []  # even as a draft


def test_one_assessment_a_month_flags_one_way_and_months_are_first_days(assessed):
    from django.core.exceptions import ValidationError

    crisis = Crisis.objects.get()
    both = Assessment(crisis=crisis, month=datetime.date(2025, 9, 17), trend="improved",
                      reason="x", risk_alert=True, resolution_opportunity=True)  # fmt: skip
    with pytest.raises(ValidationError) as error:
        both.full_clean()
    assert "resolution_opportunity" in error.value.error_dict
    assert both.month == datetime.date(2025, 9, 1)  # read as its month
    again = Assessment(crisis=crisis, month=datetime.date(2025, 7, 1), trend="improved", reason="x")
    with pytest.raises(ValidationError):
        again.full_clean()


def test_the_pages_query_count_does_not_grow_with_assessments(assessed, client):
    counts = []
    for month in (8, 9, 10):
        client.get("/tracker/2025-07/")
        with CaptureQueriesContext(connection) as tracker:
            client.get("/tracker/2025-07/")
        with CaptureQueriesContext(connection) as listing:
            client.get(ARTICLE + "assessments/")
        counts.append((len(tracker), len(listing)))
        Assessment.objects.create(crisis=Crisis.objects.get(), month=datetime.date(2025, month, 1),
                                  trend="unchanged", reason="平稳。[@dw-2025-07-03]",
                                  state="published")  # fmt: skip
    assert counts[0] == counts[1] == counts[2]


def test_the_api_serves_published_assessments_with_filters(assessed, client):
    import json

    found = json.loads(client.get("/api/v1/assessments/?crisis=azerbaijan-russia-2025").content)
    assert [a["month"] for a in found["results"]] == ["2025-06", "2025-07"]
    july = found["results"][1]
    assert (july["trend"], july["risk_alert"]) == ("deteriorated", False)
    assert [c["key"] for c in july["citations"]][:2] == ["ap-2025-07-02", "xinhua-2025-07-01"]
    one = client.get("/api/v1/assessments/azerbaijan-russia-2025/2025-06/")
    assert json.loads(one.content)["month"] == "2025-06"
    assert (
        json.loads(client.get("/api/v1/assessments/?month=2025-07").content)["results"][0]["month"]
        == "2025-07"
    )
    assert json.loads(client.get("/api/v1/assessments/?trend=improved").content)["results"] == []
    assert client.get("/api/v1/assessments/?month=2025-13").status_code == 400
    assert client.get("/api/v1/assessments/?trend=worse").status_code == 400
    Assessment.objects.filter(month=datetime.date(2025, 7, 1)).update(state="draft")
    hidden = json.loads(client.get("/api/v1/assessments/").content)["results"]
    assert [a["month"] for a in hidden] == ["2025-06"]


def test_atom_feeds_of_a_crisiss_assessments_and_of_every_crisis(assessed, client):
    for url in (ARTICLE + "assessments/feed/", "/tracker/feed/"):
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"].startswith(
            "application/atom+xml"
        )
        feed = BeautifulSoup(response.content, "xml")
        titles = [entry.title.get_text() for entry in feed.find_all("entry")]
        assert titles == ["2025年阿塞拜疆—俄罗斯外交危机 2025-07: 恶化",
                          "2025年阿塞拜疆—俄罗斯外交危机 2025-06: 恶化"], url  # fmt: skip
    listing = page(client, ARTICLE + "assessments/")
    atom = listing.select_one('link[type="application/atom+xml"]')
    assert atom["href"].endswith("/assessments/feed/")


def test_the_front_page_shows_each_crisis_with_its_trend_on_a_map(assessed, client):
    front = page(client, "/")
    assert "恶化" in front.select_one(".crisis-list li").get_text()
    arrows = [a.get_text(" ", strip=True) for a in front.select(".recent-arrows > span")]
    assert arrows == ["2025-06 ↑", "2025-07 ↑"]  # June's and July's arrows
    marker = front.select_one(".front-map svg circle")
    assert marker["fill"] == "#d33"  # deteriorated
    assert "2025年阿塞拜疆—俄罗斯外交危机" in marker.title.get_text()
    assert front.select_one(".front-assessments h2").get_text() == "2025-07的评估"
    events = front.select(".latest-events li")
    assert len(events) == 10 and "2025年7月10日" in events[0].get_text()
    bars = [a["href"] for a in front.select(".front-chart svg a")]
    assert "/tracker/2025-07/" in bars  # a month's bar opens the month across crises
    assert front.select(".front-chart table tbody tr")
    assert page(client, "/?trend=deteriorated").select(".crisis-list li")
    assert not page(client, "/?trend=improved").select(".crisis-list li")


def test_the_front_pages_query_count_does_not_grow_with_crises_and_events(assessed, client):
    counts = []
    for n in range(3):
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        counts.append(len(queries))
        with revision(summary="Another crisis"):
            other = Crisis.objects.create(slug=f"other-{n}", title=f"Other {n}",
                                          start_date=datetime.date(2025, 1, 1), state="published")  # fmt: skip
            Assessment.objects.create(crisis=other, month=datetime.date(2025, 7, 1),
                                      trend="improved", reason="Better.", state="published")  # fmt: skip
            for day in range(1, 4):
                other.events.create(slug=f"e{day}", title="E", date=datetime.date(2025, 7, day),
                                    kind="meeting", state="published")  # fmt: skip
    assert counts[0] == counts[1] == counts[2]


def test_a_withdrawn_assessment_has_a_tombstone(assessed, client):
    import json

    since = timezone.now()
    july = Assessment.objects.get(month=datetime.date(2025, 7, 1))
    with revision(summary="Withdrawn"):
        july.state = "draft"
        july.save()
    stamp = since.isoformat().replace("+00:00", "Z")
    rows = json.loads(client.get(f"/api/v1/tombstones/?since={stamp}").content)
    assert [(r["kind"], r["crisis"], r["slug"], r["reason"]) for r in rows] == [
        ("assessment", "azerbaijan-russia-2025", "2025-07", "withdrawn")
    ]


def test_the_front_page_narrows_to_a_un_m49_region(assessed, client):
    front = page(client, "/")
    regions = {a.get_text(): a["href"] for a in front.select('nav[aria-label="按地区筛选"] a')}
    assert regions["西亚"] == "?region=145" and "东欧" in regions  # Azerbaijan, Russia
    assert page(client, "/?region=145").select(".crisis-list li")
    nowhere = page(client, "/?region=009")  # Oceania: no crisis there
    assert not nowhere.select(".crisis-list li") and "没有危机" in nowhere.get_text()
    both = page(client, "/?region=145&trend=improved")
    assert not both.select(".crisis-list li")


@pytest.mark.parametrize("resource", ["assessments", "events"])
def test_updated_since_with_any_rfc3339_offset(assessed, client, resource):
    """RFC 3339 allows offsets to ±23:59; PostgreSQL keeps ±15:59: the time goes in as UTC."""
    for stamp in ("0405-02-22T19:48:59.030032+18:49", "2025-07-01T00:00:00-23:59"):
        response = client.get(f"/api/v1/{resource}/", {"updated_since": stamp})
        assert response.status_code == 200, (stamp, response.content[:300])
    assert (
        client.get(
            f"/api/v1/{resource}/", {"updated_since": "0001-01-01T00:00:00+01:00"}
        ).status_code
        == 400
    )


def test_an_editor_may_choose_where_the_front_page_map_puts_a_crisis(assessed, client):
    from places.models import Place

    centre = page(client, "/").select_one(".front-map svg circle")
    moscow = Place.objects.get(slug="moscow")
    with revision(summary="The crisis on the map at Moscow"):
        Crisis.objects.filter(slug="azerbaijan-russia-2025").update(map_place=moscow)
        crisis = Crisis.objects.get(slug="azerbaijan-russia-2025")
        crisis.save()
    chosen = page(client, "/").select_one(".front-map svg circle")
    assert (chosen["cx"], chosen["cy"]) != (centre["cx"], centre["cy"])
    assert chosen["r"] == centre["r"]  # still sized by its placed events


def test_the_front_page_counts_from_tallies_that_every_revision_rewrites(assessed, client):
    from events.models import CrisisTally

    crisis = Crisis.objects.get(slug="azerbaijan-russia-2025")
    before = CrisisTally.objects.get(crisis=crisis)
    published = Event.objects.published().filter(crisis=crisis)
    assert sum(n for *_group, n in before.counts) == published.count()
    assert before.countries == sorted(
        set(published.filter(location__isnull=False).values_list("location__country", flat=True))
    )
    with revision(summary="Two more in Baku"):
        for day in (20, 21):
            crisis.events.create(slug=f"late-{day}", title="晚些时候", kind="meeting",
                                 date=datetime.date(2025, 7, day), state="published",
                                 location=Place.objects.get(slug="baku"))  # fmt: skip
        crisis.events.create(slug="draft-one", title="草稿", date=datetime.date(2025, 7, 22),
                             state="draft")  # fmt: skip
    after = CrisisTally.objects.get(crisis=crisis)
    assert sum(n for *_group, n in after.counts) == published.count()  # the draft left out
    assert after.placed == before.placed + 2
    rows = page(client, "/").select(".front-chart table tbody tr")
    july = next(row for row in rows if row.th.get_text() == "2025年7月")
    in_july = published.filter(date__year=2025, date__month=7, date_precision="day").count()
    assert july.select("td")[-1].get_text() == str(in_july)  # the row's total


def test_an_event_moved_to_another_crisis_leaves_the_tally_of_the_one_it_left(assessed):
    from events.models import CrisisTally

    old = Crisis.objects.get(slug="azerbaijan-russia-2025")
    with revision(summary="A second crisis"):
        new = Crisis.objects.create(slug="second", title="第二场危机", start_date="2025-06-01",
                                    state="published")  # fmt: skip
    event = old.events.published().exclude(summary="").first()
    keys = set(CrisisTally.objects.get(crisis=old).cited)
    before = sum(n for *_group, n in CrisisTally.objects.get(crisis=old).counts)
    with revision(summary="Belongs to the second crisis"):
        event.crisis = new
        event.save()
    left, joined = CrisisTally.objects.get(crisis=old), CrisisTally.objects.get(crisis=new)
    assert sum(n for *_group, n in left.counts) == before - 1
    assert sum(n for *_group, n in joined.counts) == 1
    assert set(joined.cited) == set(cited_keys(event.summary)) and set(left.cited) <= keys


def test_refresh_tallies_counts_every_crisis_again_and_names_an_unknown_one(assessed):
    from io import StringIO

    from django.core.management import CommandError, call_command

    from events.models import CrisisTally

    crisis = Crisis.objects.get(slug="azerbaijan-russia-2025")
    CrisisTally.objects.filter(crisis=crisis).update(counts=[], cited=[], placed=0)
    out = StringIO()
    call_command("refresh_tallies", stdout=out)
    assert out.getvalue() == "1/1 azerbaijan-russia-2025\n"
    tally = CrisisTally.objects.get(crisis=crisis)
    assert sum(n for *_group, n in tally.counts) == crisis.events.published().count()
    assert tally.cited and tally.placed
    with pytest.raises(CommandError, match="No crisis with the slug nowhere"):
        call_command("refresh_tallies", "nowhere")

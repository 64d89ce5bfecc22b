import json
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from crisis_tracker.history import revision as revision_of
from events.models import CrisisRevision, Event
from interchange.fixture_import import FixtureError, import_fixtures
from places import gazetteer
from places.models import Place
from tests.conftest import form_data

pytestmark = pytest.mark.django_db


def place(**overrides) -> Place:
    fields = {
        "slug": "aktau",
        "name": "阿克套",
        "name_en": "Aktau",
        "country": "KZ",
        "latitude": Decimal("43.66105"),
        "longitude": Decimal("51.17392"),
        "coordinates_source": "GeoNames 610612",
    }
    return Place(**{**fields, **overrides})


@pytest.mark.parametrize(
    "overrides, field, words",
    [
        ({"latitude": Decimal("90.5")}, "latitude", "less than or equal to 90"),
        ({"latitude": Decimal("-91")}, "latitude", "greater than or equal to -90"),
        ({"longitude": Decimal("180.1")}, "longitude", "less than or equal to 180"),
        ({"longitude": Decimal("-200")}, "longitude", "greater than or equal to -180"),
        ({"country": "XX"}, "country", "XX is not an ISO 3166-1 country code"),
        ({"country": "kz"}, "country", "kz is not an ISO 3166-1 country code"),
    ],
)
def test_bad_points_and_country_codes_are_refused_clearly(overrides, field, words):
    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            place(**overrides).full_clean()
        assert words in " ".join(caught.value.message_dict[field])


def test_the_database_refuses_a_point_off_the_globe():
    with pytest.raises(IntegrityError), transaction.atomic():
        place(latitude=Decimal("95")).save()


def test_every_seed_place_has_the_point_its_gazetteer_entry_gives(seed):
    """Coordinates come from the offline gazetteer, and each place says from which entry."""
    places = list(Place.objects.all())
    assert {p.slug for p in places} == {
        "yekaterinburg", "nagorno-karabakh", "aktau", "moscow", "baku", "abu-dhabi", "new-york",
        "russia", "ukraine",
    }  # fmt: skip
    for found in places:
        if found.precision == Place.Precision.COUNTRY:  # a country's point: its outline's centre
            assert "Natural Earth" in found.coordinates_source and found.geonames_id is None
            continue
        geonames_id = int(re.match(r"GeoNames (\d+) ", found.coordinates_source)[1])
        entry = gazetteer.by_id(geonames_id)
        assert (float(found.latitude), float(found.longitude)) == (entry.latitude, entry.longitude)
        assert found.country == entry.country
        if found.precision == Place.Precision.TOWN:
            assert found.geonames_id == geonames_id and found.name_en == entry.name_en
    region = Place.objects.get(slug="nagorno-karabakh")
    assert region.precision == Place.Precision.REGION and "stands for the region" in (
        region.coordinates_source
    )


def test_seed_events_with_a_place_refer_to_the_gazetteer_and_keep_their_wording(seed):
    aktau = Event.objects.get(slug="azal-8243-crash")
    assert aktau.place == "哈萨克斯坦阿克套附近" and aktau.location.slug == "aktau"
    # Every seed event is placed where the text puts it, or says why it has no single place.
    unplaced = Event.objects.filter(location__isnull=True, latitude__isnull=True)
    assert [(e.slug, e.no_place_reason) for e in unplaced] == [
        ("zelensky-aliyev-call", "两国首都之间的电话通话")
    ]
    assert Event.objects.get(slug="un-spokesperson-statement").location.slug == "new-york"
    from desk import panels

    assert not panels.events_without_place(None).exists()  # the desk's count can reach 0
    assert not Event.objects.exclude(place="").filter(location__isnull=True).exists()


def test_the_gazetteer_suggests_towns_by_english_and_chinese_names():
    assert gazetteer.search("Aktau")[0].geonames_id == 610612
    assert gazetteer.search("阿克套")[0].geonames_id == 610612
    assert gazetteer.search("baku")[0].name_en == "Baku"  # exact names before longer ones
    assert gazetteer.search("a") == []
    assert ("AZ", "阿塞拜疆") in gazetteer.countries("阿塞", "zh-hans")


def test_the_admin_lookup_opens_the_add_form_filled_from_the_gazetteer(client, superuser):
    client.force_login(superuser)
    lookup = client.get(reverse("admin:places_place_gazetteer"), {"q": "Yekaterinburg"})
    assert lookup.status_code == 200
    add = re.search(r'href="(/admin/places/place/add/\?[^"]+)"', lookup.content.decode())[1]
    form = client.get(add.replace("&amp;", "&"))
    html = form.content.decode()
    assert 'value="56.85733"' in html and 'value="60.61529"' in html
    assert "GeoNames 1486209 (Yekaterinburg)" in html


def test_a_place_saved_in_the_admin_has_history_with_its_summary(client, superuser):
    client.force_login(superuser)
    url = reverse("admin:places_place_add")
    data = form_data(client, url)
    fields = {
        "slug": "aktau", "name": "阿克套", "name_en": "Aktau", "country": "KZ",
        "latitude": "43.66105", "longitude": "51.17392", "precision": "town",
        "coordinates_source": "GeoNames 610612", "edit_summary": "Aktau from the gazetteer",
    }  # fmt: skip
    response = client.post(url, {**data, **fields})
    assert response.status_code == 302, response.content.decode()[:3000]
    saved = Place.objects.get(slug="aktau")
    assert saved.history.latest().history_change_reason == "Aktau from the gazetteer"
    change = client.get(reverse("admin:places_place_change", args=[saved.pk]))
    assert b'<svg class="static-map"' in change.content and b"<circle" in change.content


def test_the_admin_refuses_a_bad_country_with_a_clear_message(client, superuser):
    client.force_login(superuser)
    client.cookies["django_language"] = "en"
    url = reverse("admin:places_place_add")
    data = {**form_data(client, url), "slug": "x", "name": "x", "name_en": "x",
            "country": "QQ", "latitude": "10", "longitude": "200", "precision": "town",
            "coordinates_source": "by hand", "edit_summary": "Try"}  # fmt: skip
    html = client.post(url, data).content.decode()
    assert "QQ is not an ISO 3166-1 country code" in html
    assert "less than or equal to 180" in html
    assert not Place.objects.exists()


def test_fixtures_carry_places_by_natural_key_and_refuse_a_bad_point(seed):
    bad = [{"model": "places.place", "fields": {
        "slug": "nowhere", "name": "无处", "name_en": "Nowhere", "country": "ZZ",
        "latitude": "91", "longitude": "0", "coordinates_source": "test"}}]  # fmt: skip
    with translation.override("en"), pytest.raises(FixtureError) as caught:
        import_fixtures(files=[("bad.json", json.dumps(bad))])
    text = str(caught.value)
    assert "ZZ is not an ISO 3166-1 country code" in text and "latitude" in text
    assert not Place.objects.filter(slug="nowhere").exists()
    move = [{"model": "events.event", "fields": {
        "crisis": ["azerbaijan-russia-2025"], "slug": "aliyev-pashinyan-abu-dhabi-talks",
        "location": ["nowhere-known"]}}]  # fmt: skip
    with pytest.raises(FixtureError) as caught:
        import_fixtures(files=[("move.json", json.dumps(move))])
    assert "nowhere-known" in str(caught.value)


def test_editing_a_place_is_in_the_public_history_of_crises_with_events_there(seed):
    from crisis_tracker.history import revision

    with revision(summary="Moved Baku's point"):
        baku = Place.objects.get(slug="baku")
        baku.latitude = Decimal("40.4")
        baku.save()
    link = CrisisRevision.objects.filter(revision__summary="Moved Baku's point").get()
    assert link.public and link.changes == [{"kind": "place", "action": "edited", "label": "巴库"}]


def test_a_hostile_place_name_is_text_everywhere_a_reader_sees_it(seed, client):
    from tests.htmlcheck import executable_bits

    hostile = '<script>alert(1)</script><svg onload=alert(1)>"'
    with revision_of(summary="Hostile name"):
        Place.objects.filter(slug="baku").update(name=hostile, name_en=hostile)
        Place.objects.get(slug="baku").save()
    for url in ["/crises/azerbaijan-russia-2025/", "/crises/azerbaijan-russia-2025/timeline/",
                "/en/crises/azerbaijan-russia-2025/timeline/"]:  # fmt: skip
        html = client.get(url).content.decode()
        assert executable_bits(html) == [], url
    data = client.get("/crises/azerbaijan-russia-2025/map.json").json()
    # Text in the data; tests/browser/test_map.py hovers the marker to see it stays text.
    assert hostile in {point["place"] for point in data["points"]}

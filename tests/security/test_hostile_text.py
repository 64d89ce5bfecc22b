import csv
import io
import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from actors.models import Actor
from crisis_tracker.citations import CitationIndex, render, sanitize
from events.models import Crisis, Revision, Section
from interchange.fixture_import import FixtureError, import_fixtures
from sources.models import Source
from tests.conftest import SEED, form_data
from tests.htmlcheck import executable_bits
from tests.security.payloads import BREAKOUT_URLS, HOSTILE_URLS, corpus

pytestmark = pytest.mark.django_db

SLUG = "azerbaijan-russia-2025"
READER_FIELDS = {
    "sources.source": ["authors", "title", "work", "reliability_note"],
    "actors.actor": ["name", "title", "description"],
    "events.crisis": ["title", "lead", "part_of", "map_caption"],
    "actors.participation": ["side", "note"],
    "events.section": ["heading", "body"],
    "events.event": ["title", "summary", "place", "figures_note"],
}
LIMITS = {
    "side": 100,
    "name": 200,
    "title": 200,
    "heading": 200,
    "place": 200,
    "figures_note": 200,
    "map_caption": 200,
    "work": 200,
}


def hostile_fixture() -> list[dict]:
    objects = json.loads(SEED.read_text(encoding="utf-8"))
    slots = [(obj, name) for obj in objects for name in READER_FIELDS.get(obj["model"], [])]
    payloads = corpus()
    for i, (obj, name) in enumerate(slots):
        payload = payloads[i % len(payloads)]
        obj["fields"][name] = payload[: LIMITS.get(name, 10_000)]
    for i, payload in enumerate(payloads):
        objects.append(
            {
                "model": "events.event",
                "fields": {
                    "crisis": [SLUG],
                    "slug": f"hostile-{i}",
                    "title": payload[:200],
                    "date": "2025-07-01",
                    "date_precision": "month",
                    "summary": payload,
                    "place": payload[:200],
                    "figures_note": payload[:200],
                    "state": "published",
                },
            }
        )
        objects.append(
            {
                "model": "events.eventactor",
                "fields": {"event": [SLUG, f"hostile-{i}"], "actor": ["russia"], "role": "speaker"},
            }
        )
    return objects


def public_pages(client) -> dict[str, str]:
    revisions = list(Revision.objects.order_by("created_at").values_list("pk", flat=True))
    urls = [
        reverse("events:crisis_list"),
        reverse("events:crisis", args=[SLUG]),
        reverse("events:timeline", args=[SLUG]),
        reverse("events:timeline", args=[SLUG]) + "?actor=russia&kind=other",
        reverse("events:history", args=[SLUG]),
    ]
    for revision_id in revisions:
        urls.append(reverse("events:revision", args=[SLUG, revision_id]))
        urls.append(reverse("events:compare", args=[SLUG, revision_id]))
    urls += [actor.get_absolute_url() for actor in Actor.objects.all()]
    urls += [source.get_absolute_url() for source in Source.objects.all()]
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.content.decode()
    return pages


def feed_fragments(client) -> list[str]:
    """What a feed reader renders as HTML: Atom elements with type="html" (others are text)."""
    fragments = []
    for url in [reverse("events:feed", args=[SLUG]), reverse("events:site_feed")]:
        root = ET.fromstring(client.get(url).content)
        for element in root.iter():
            assert not element.tag.endswith("script")
            if element.get("type") == "html" and element.text:
                fragments.append(element.text)
    assert fragments, "the feeds carry HTML summaries"
    return fragments


def test_the_payload_corpus_is_large_enough():
    assert len(corpus()) >= 150


def test_no_payload_survives_as_script_anywhere_a_reader_looks(db, client):
    import_fixtures(files=[("hostile.json", json.dumps(hostile_fixture(), ensure_ascii=False))])
    section = Section.objects.get(key="联合国")
    section.body = corpus()[7]
    section._change_reason = corpus()[8]  # edit summaries reach the history and the feeds
    section.save()
    for url, html in public_pages(client).items():
        assert executable_bits(html) == [], url
    for fragment in feed_fragments(client):
        assert executable_bits(fragment) == []
    exported = client.get(reverse("events:events_json", args=[SLUG]))
    assert exported["Content-Type"] == "application/json"
    assert len(json.loads(exported.content)["events"]) >= len(corpus())
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(reverse("events:events_csv", args=[SLUG])).content.decode("utf-8-sig")
            )
        )
    )
    for row in rows[1:]:
        for cell in row:
            if re.fullmatch(r"-\d+(\.\d+)?", cell):
                continue  # a negative number (a longitude west of Greenwich) is a number
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


@pytest.mark.parametrize("payload", corpus())
def test_rendering_neutralises_each_payload_and_sanitising_is_idempotent(payload):
    html = str(render(payload, CitationIndex({})))
    assert executable_bits(html) == []
    assert sanitize(html) == html
    assert sanitize(sanitize(payload)) == sanitize(payload)


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_hostile_source_addresses_are_refused_by_the_import(seed, url):
    objects = [{"model": "sources.source", "fields": {"key": "evil", "title": "Evil", "url": url}}]
    with pytest.raises(FixtureError) as error:
        import_fixtures(files=[("evil.json", json.dumps(objects))])
    assert "field 'url'" in str(error.value)
    assert not Source.objects.filter(key="evil").exists()


@pytest.mark.parametrize("url", BREAKOUT_URLS)
def test_addresses_cannot_break_out_of_their_link(seed, client, url):
    Source.objects.filter(key="dw-2025-07-03").update(url=url, archive_url=url)
    from events.page_cache import bump_all

    bump_all()
    for page in [
        reverse("events:crisis", args=[SLUG]),
        reverse("sources:detail", args=["dw-2025-07-03"]),
    ]:
        assert executable_bits(client.get(page).content.decode()) == []


def test_hostile_text_through_the_admin_form_and_the_admin_import(seed, client, publisher):
    client.force_login(publisher)
    payloads = corpus()
    section = Section.objects.get(key="乌克兰")
    change = reverse("admin:events_section_change", args=[section.pk])
    for payload in payloads[:20]:
        data = form_data(client, change)
        data.update(heading=payload[:200], body=payload, edit_summary=payload[:100])
        assert client.post(change, data).status_code == 302
    source = Source.objects.get(key="dw-2025-07-03")
    change = reverse("admin:sources_source_change", args=[source.pk])
    data = form_data(client, change)
    data.update(url="javascript:alert(1)", edit_summary="x")
    assert client.post(change, data).status_code == 200  # refused with an error on the field
    rows = [["crisis", "slug", "title", "date", "date_precision", "summary", "state"]]
    rows += [
        [SLUG, f"admin-{i}", p[:200], "2025-07-01", "month", p, "published"]
        for i, p in enumerate(payloads[20:60])
    ]
    upload = io.BytesIO("\n".join(",".join(json.dumps(c) for c in r) for r in rows).encode())
    upload.name = "hostile.csv"
    response = client.post(
        reverse("admin:events_event_import"),
        {"import_file": upload, "format": "0", "resource": "0"},
    )
    form = response.context["confirm_form"]
    data = {name: form[name].value() for name in form.fields}
    assert client.post(reverse("admin:events_event_process_import"), data).status_code == 302
    client.logout()
    for url, html in public_pages(client).items():
        assert executable_bits(html) == [], url
    assert Crisis.objects.get().is_published

import pytest
from playwright.sync_api import expect

from desk.models import PreviewLink
from events.models import Crisis, Event

pytestmark = [pytest.mark.browser]


def test_a_preview_links_timeline_draws_its_map_from_the_link(site, new_page):
    crisis = Crisis.objects.get()
    Event.objects.filter(slug="agalarov-case").update(state="draft")
    link = PreviewLink.objects.create(crisis=crisis, expires_at="2099-01-01T00:00:00Z")
    page = new_page()
    with page.expect_response(lambda r: "map.json" in r.url) as answered:
        page.goto(f"{site}/preview/{link.token()}/timeline/")
    assert answered.value.url == f"{site}/preview/{link.token()}/map.json"
    assert answered.value.status == 200
    expect(page.locator(".event-map.is-live").first).to_be_visible()

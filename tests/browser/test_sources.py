import pytest
from playwright.sync_api import expect

from sources.models import Capture, Source
from tests.browser.conftest import log_in
from tests.support.local_web import Answer

pytestmark = [pytest.mark.browser]

PAGE = """<html lang="en"><head><title>Baku recalls envoy | Wire</title>
<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Baku recalls envoy",
 "author": {"@type": "Person", "name": "Nailia Bagirova"}, "publisher": {"name": "Wire"},
 "datePublished": "2025-07-02T09:00:00Z"}</script>
</head><body><article><p>Azerbaijan recalled its ambassador for consultations on Wednesday,
the foreign ministry in Baku said, after the deaths of two brothers in police custody.</p>
</article></body></html>"""


def test_a_publisher_fills_a_source_from_its_url_and_it_is_captured(
    site, users, new_page, shoot, local_web, settings
):
    settings.SOURCE_CAPTURE_ON_SAVE = True
    settings.SOURCE_CAPTURES_PUBLIC = True
    local_web.routes["/envoy"] = Answer(200, PAGE.encode(), {"Content-Type": "text/html"})
    page = new_page()
    log_in(page, site, "publisher")
    page.goto(f"{site}/admin/sources/source/add/")
    page.fill("#id_url", local_web.url("/envoy"))
    page.click("button.fill-from-url-button")
    expect(page.locator("#id_title")).to_have_value("Baku recalls envoy")
    expect(page.locator("#id_authors")).to_have_value("Nailia Bagirova")
    expect(page.locator("#id_published")).to_have_value("2025-07-02")
    expect(page.locator(".field-title .filled-from")).to_contain_text(
        "JSON-LD NewsArticle.headline"
    )
    shoot(page, "filled-from-url")
    page.fill("#id_edit_summary", "新增来源")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_be_visible()
    source = Source.objects.get(title="Baku recalls envoy")
    made = Capture.objects.get(source=source)  # captured once the save committed
    page.goto(f"{site}/admin/sources/source/{source.pk}/change/")
    expect(page.locator(".source-copies .captures a").first).to_be_visible()
    page.goto(f"{site}{made.get_absolute_url()}")
    expect(page.locator(".archive-banner")).to_contain_text(local_web.url("/envoy"))
    expect(page.locator("article")).to_contain_text("recalled its ambassador")
    shoot(page, "archived-copy")

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser]


def test_the_api_docs_render_under_the_content_security_policy(site, new_page, shoot):
    page = new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto(site + "/api/v1/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Crisis Tracker open data API")
    expect(page.locator(".opblock-tag-section").first).to_be_visible()
    shoot(page, "api-docs")
    assert problems == []

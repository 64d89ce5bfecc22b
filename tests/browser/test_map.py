import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser]

ARTICLE = "/crises/azerbaijan-russia-2025/"
TIMELINE = ARTICLE + "timeline/"


def watch_console(page) -> list[str]:
    """Errors the page logs, Content-Security-Policy refusals included."""
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def test_clicking_a_marker_opens_the_event_on_the_timeline(site, new_page, shoot):
    page = new_page()
    problems = watch_console(page)
    page.goto(site + TIMELINE)
    expect(page.locator(".map-section .event-map.is-live")).to_be_visible()
    expect(page.locator(".map-section svg.static-map")).to_be_hidden()
    markers = page.locator(".map-section path.map-marker")
    expect(markers).to_have_count(9)
    page.locator(".map-section path.kind-shoot-down").click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("阿克套")
    expect(popup).to_contain_text("阿塞拜疆航空8243号班机坠毁")
    expect(popup.locator(".badge")).to_have_text("据报道")
    shoot(page, "marker-popup")
    popup.locator("a", has_text="8243").click()
    expect(page).to_have_url(re.compile(r"\?page=2024-12#event-azal-8243-crash$"))
    expect(page.locator("#event-azal-8243-crash")).to_be_in_viewport()
    assert problems == []


def test_choosing_a_period_filters_the_list_the_map_and_the_charts(site, new_page, shoot):
    page = new_page()
    problems = watch_console(page)
    page.goto(site + TIMELINE)
    page.locator('svg.visual-timeline a[aria-label="2025年6月"]').click()
    expect(page).to_have_url(re.compile(r"from=2025-06&to=2025-06"))
    expect(page.locator("#event-agalarov-case")).to_be_visible()
    expect(page.locator("#event-azal-8243-crash")).to_have_count(0)
    expect(page.locator(".map-section .event-map.is-live")).to_be_visible()
    # Yekaterinburg (27 June), Russia (26 June), and Baku, Moscow, Ukraine and New York for
    # events dated only to 2025: the places of what June may hold.
    expect(page.locator(".map-section path.map-marker")).to_have_count(6)
    shoot(page, "period-chosen")
    page.goto(site + TIMELINE)
    page.locator('svg.chart a[aria-label^="2024年12月"]').click()  # a bar of the chart
    expect(page).to_have_url(re.compile(r"from=2024-12&to=2024-12"))
    expect(page.locator("li.event")).to_have_count(2)  # and the policy dated only to 2024
    expect(page.locator("#event-azal-8243-crash")).to_be_visible()
    assert problems == []


def test_the_article_infobox_map_is_live(site, new_page, shoot):
    page = new_page()
    problems = watch_console(page)
    page.goto(site + ARTICLE)
    expect(page.locator(".infobox .event-map.is-live")).to_be_visible()
    expect(page.locator(".infobox path.map-marker")).to_have_count(9)
    shoot(page, "infobox-map")
    assert problems == []


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_the_timeline_fits_small_and_large_screens_in_both_languages(
    site, new_page, shoot, width, prefix
):
    page = new_page(width=width)
    page.goto(site + prefix + TIMELINE)
    expect(page.locator(".map-section .event-map.is-live")).to_be_visible()
    overflow = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the screen"
    expect(page.locator("svg.visual-timeline")).to_be_visible()
    expect(page.locator("svg.chart").first).to_be_visible()
    shoot(page, f"timeline-{width}")


def test_without_script_the_map_is_a_picture_with_a_list(site, browser, shoot):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.goto(site + TIMELINE)
    expect(page.locator(".map-section svg.static-map")).to_be_visible()
    page.locator(".map-list summary").click()
    expect(page.locator(".map-list li")).to_have_count(9)
    shoot(page, "no-script-map")
    context.close()


def test_a_hostile_place_name_in_a_tooltip_is_text(site, new_page):
    """Leaflet inserts a string tooltip as HTML; hovering the marker must show the name."""
    from crisis_tracker.history import revision
    from places.models import Place

    hostile = '<img src="x" onerror="window.hacked=1">巴库'
    with revision(summary="Hostile name"):
        place = Place.objects.get(slug="baku")
        place.name = hostile
        place.save()
    page = new_page()
    page.goto(site + TIMELINE)
    expect(page.locator(".map-section .event-map.is-live")).to_be_visible()
    markers = page.locator(".map-section path.map-marker")
    for index in range(markers.count()):
        markers.nth(index).hover()
        shown = page.locator(".leaflet-tooltip").all_text_contents()
        if any(hostile in text for text in shown):
            break
    else:
        pytest.fail("no marker's tooltip names the place")
    expect(page.locator(".leaflet-tooltip img")).to_have_count(0)
    assert page.evaluate("window.hacked") is None

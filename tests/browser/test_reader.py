import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser]

ARTICLE = "/crises/azerbaijan-russia-2025/"


def in_view(page, selector: str) -> bool:
    return page.evaluate(
        """(selector) => { const r = document.querySelector(selector).getBoundingClientRect();
        return r.bottom > 0 && r.top < window.innerHeight; }""",
        selector,
    )


def test_citations_jump_back_link_and_preview(site, new_page, shoot):
    page = new_page()
    page.goto(site + ARTICLE)
    expect(page.locator("h1.article-title")).to_have_text("2025年阿塞拜疆—俄罗斯外交危机")
    shoot(page, "article")
    page.locator("sup.reference a", has_text="[8]").first.click()
    expect(page).to_have_url(re.compile(r"#cite-note-8$"))
    assert in_view(page, "#cite-note-8")
    shoot(page, "reference-8")
    page.locator("#cite-note-8 .backlinks a").first.click()
    expect(page).to_have_url(re.compile(r"#cite-ref-8-0$"))
    assert in_view(page, "#cite-ref-8-0")
    page.locator("#cite-ref-6-0 a").hover()
    preview = page.locator(".citation-preview")
    expect(preview).to_be_visible()
    expect(preview).to_contain_text("Bagirova, Nailia; Stolyarov, Gleb")
    shoot(page, "hover-preview")
    page.mouse.move(0, 0)
    expect(preview).to_be_hidden()
    page.locator("#cite-ref-13-0 a").focus()
    expect(preview).to_be_visible()
    expect(preview).to_contain_text("Nechepurenko, Ivan")
    shoot(page, "focus-preview")
    page.keyboard.press("Escape")
    expect(preview).to_be_hidden()


def test_timeline_filter_actor_and_source_links(site, new_page, shoot):
    page = new_page()
    page.goto(site + ARTICLE)
    page.click("text=时间线")
    expect(page).to_have_url(re.compile(r"/timeline/$"))
    page.wait_for_load_state("load")
    expect(page.locator("li.event").first).to_be_visible()
    total = page.locator("li.event").count()
    page.select_option("select[name=actor]", "ilham-aliyev")
    page.click("form.filters button")
    expect(page).to_have_url(re.compile(r"actor=ilham-aliyev"))
    page.wait_for_load_state("load")
    expect(page.locator("#event-aliyev-pashinyan-abu-dhabi-talks")).to_be_visible()
    assert 0 < page.locator("li.event").count() < total
    shoot(page, "timeline-filtered")
    page.locator("#event-aliyev-pashinyan-abu-dhabi-talks a", has_text="帕希尼扬").click()
    expect(page.locator("h1")).to_have_text("帕希尼扬")
    shoot(page, "actor")
    page.goto(site + ARTICLE)
    page.locator("#cite-note-7 a.source-link").click()
    expect(page.locator("h1")).to_contain_text("Azerbaijan escalates rare standoff")
    expect(page.locator(".places a").first).to_be_visible()
    shoot(page, "source")


def test_the_interface_switches_to_english_and_back(site, new_page, shoot):
    page = new_page()
    page.goto(site + ARTICLE)
    expect(page.locator("#references")).to_have_text("参考资料")
    page.click('.language-switcher a[hreflang="en"]')
    expect(page.locator("#references")).to_have_text("References")
    assert page.url == site + "/en" + ARTICLE
    assert page.evaluate("document.documentElement.lang") == "en"
    expect(page.locator("h1.article-title")).to_have_text("2025年阿塞拜疆—俄罗斯外交危机")
    shoot(page, "english")
    page.click('.language-switcher a[hreflang="zh-hans"]')
    expect(page.locator("#references")).to_have_text("参考资料")


@pytest.mark.parametrize("path", [ARTICLE, ARTICLE + "timeline/", ARTICLE + "history/", "/"])
def test_no_sideways_scrolling_on_a_small_phone(site, new_page, shoot, path):
    page = new_page(width=375, height=740)
    page.goto(site + path)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{path} is {width}px wide"
    shoot(page, "phone")


def test_history_to_an_old_version_to_compare(site, new_page, shoot):
    from events.models import Section

    section = Section.objects.get(key="联合国")
    section.body = section.body.replace("密切关注", "高度关注")
    section._change_reason = "措辞更准确"
    section.save()
    page = new_page()
    page.goto(site + ARTICLE)
    page.click(".article-meta a[href$='/history/']")
    expect(page.locator("li.revision").first).to_contain_text("措辞更准确")
    shoot(page, "history")
    page.locator("li.revision").nth(1).get_by_role("link", name="查看此版本", exact=True).click()
    expect(page.locator(".old-version-banner")).to_be_visible()
    expect(page.locator("#联合国 + p")).to_contain_text("密切关注")
    shoot(page, "old-version")
    page.goto(site + ARTICLE + "history/")
    page.locator("li.revision").first.get_by_role("link", name="与上一版本比较").click()
    expect(page.locator(".comparison del")).to_have_text("密切")
    expect(page.locator(".comparison ins")).to_have_text("高度")
    shoot(page, "compare")

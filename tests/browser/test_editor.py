import json

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser]

TIMELINE = "/crises/azerbaijan-russia-2025/timeline/"


def choose_autocomplete(page, field: str, text: str) -> None:
    """Pick a value in the admin's autocomplete (select2) widget as a person would."""
    page.click(f".field-{field} .select2-selection")
    page.fill(".select2-search__field", text)
    page.locator(".select2-results__option", has_text=text).first.click()


def add_source(page, site):
    page.goto(f"{site}/admin/sources/source/add/")
    page.fill("#id_key", "rferl-2025-07-04")
    page.fill("#id_title", "Azerbaijan, Russia trade accusations")
    page.fill("#id_work", "RFE/RL")
    page.fill("#id_url", "https://www.rferl.org/example")
    page.fill("#id_published", "2025-07-04")
    page.fill("#id_edit_summary", "新增来源")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_be_visible()


def fill_event(page, site, summary):
    page.goto(f"{site}/admin/events/event/add/")
    choose_autocomplete(page, "crisis", "阿塞拜疆")
    page.fill("#id_title", "双方相互指责")
    page.fill("#id_slug", "mutual-accusations")
    page.fill("#id_date", "2025-07-01")
    page.select_option("#id_date_precision", "month")
    page.select_option("#id_kind", "statement")
    page.fill("#id_summary", summary)
    page.fill("#id_edit_summary", "新增事件")


def test_an_event_goes_from_draft_to_review_to_published(site, users, new_page, shoot):
    page = new_page()
    log_in(page, site, "editor")
    shoot(page, "editor-logged-in")
    add_source(page, site)
    shoot(page, "source-added")
    fill_event(page, site, "两国相互指责[@rferl-2025-07-4]。")
    page.click("input[name=_save]")
    error = page.locator(".field-summary .errorlist")
    expect(error).to_contain_text("rferl-2025-07-4")
    expect(error).to_contain_text("rferl-2025-07-04")
    shoot(page, "unknown-key")
    page.fill("#id_summary", "")
    page.locator(".field-summary .citation-search").fill("accusations")
    page.locator(".citation-results button", has_text="rferl-2025-07-04").click()
    expect(page.locator("#id_summary")).to_have_value("[@rferl-2025-07-04]")
    page.fill("#id_summary", "两国相互指责[@rferl-2025-07-04]。")
    page.fill("#id_edit_summary", "新增事件")
    options = page.locator("#id_state option").all_inner_texts()
    assert options == ["草稿", "审核中"]
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_be_visible()
    page.goto(f"{site}/admin/events/event/?q=mutual")
    page.locator("input[name=_selected_action]").check()
    page.select_option("select[name=action]", "submit_for_review")
    page.click("button[name=index]")
    expect(page.locator(".messagelist")).to_contain_text("1")
    shoot(page, "submitted")
    reader = new_page()
    reader.goto(site + TIMELINE)
    expect(reader.locator("#event-mutual-accusations")).to_have_count(0)
    publisher = new_page()
    log_in(publisher, site, "publisher")
    publisher.goto(f"{site}/admin/events/event/?q=mutual")
    publisher.locator("input[name=_selected_action]").check()
    publisher.select_option("select[name=action]", "publish")
    publisher.click("button[name=index]")
    expect(publisher.locator(".messagelist .success")).to_be_visible()
    shoot(publisher, "published")
    reader.goto(site + TIMELINE)
    event = reader.locator("#event-mutual-accusations")
    expect(event).to_contain_text("两国相互指责")
    event.locator("sup.reference a").click()
    note = reader.locator(":target")
    expect(note).to_contain_text("Azerbaijan, Russia trade accusations")
    shoot(reader, "reader-sees-event")


def test_two_editors_cannot_overwrite_each_other(site, users, new_page, shoot):
    from sources.models import Source

    source = Source.objects.get(key="cnn-2020-10-10")
    first, second = new_page(), new_page()
    for page in (first, second):
        log_in(page, site, "editor")
        page.goto(f"{site}/admin/sources/source/{source.pk}/change/")
    first.fill("#id_title", "First editor's title")
    first.fill("#id_edit_summary", "第一位编辑")
    first.click("input[name=_save]")
    expect(first.locator(".messagelist .success")).to_be_visible()
    second.fill("#id_title", "Second editor's title")
    second.fill("#id_edit_summary", "第二位编辑")
    second.click("input[name=_save]")
    expect(second.locator(".errornote, .errorlist.nonfield").first).to_be_visible()
    expect(second.locator(".errorlist.nonfield")).to_contain_text("editor")
    expect(second.locator(".conflict")).to_contain_text("First editor's title")
    expect(second.locator("#id_title")).to_have_value("Second editor's title")
    shoot(second, "conflict")
    source.refresh_from_db()
    assert source.title == "First editor's title"


def test_a_change_is_reverted_from_the_history(site, users, new_page, shoot):
    from events.models import Section

    section = Section.objects.get(key="联合国")
    original = section.body
    section.body = "被错误改写的段落。"
    section._change_reason = "误改"
    section.save()
    page = new_page()
    log_in(page, site, "publisher")
    page.goto(f"{site}/admin/events/section/{section.pk}/history/")
    shoot(page, "history")
    page.locator("#change-history tbody tr").last.locator("td:first-child a").click()
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_be_visible()
    shoot(page, "reverted")
    section.refresh_from_db()
    assert section.body == original
    assert section.history.latest().history_change_reason.startswith("Reverted to the version of")


def test_a_desk_update_is_checked_confirmed_and_read_on_the_timeline(
    site, users, new_page, shoot, tmp_path
):
    update = [
        {"model": "events.event", "fields": {
            "crisis": ["azerbaijan-russia-2025"], "slug": f"desk-{n}", "title": f"通报第{n}号",
            "date": "2025-08", "kind": "statement", "summary": "外交部发布通报。[@dw-2025-07-03]",
            "state": "published"}}
        for n in range(300)
    ]  # fmt: skip
    path = tmp_path / "desk-update.json"
    path.write_text(json.dumps(update, ensure_ascii=False), encoding="utf-8")
    page = new_page()
    log_in(page, site, "publisher")
    page.goto(f"{site}/admin/events/crisis/import-fixture/")
    page.set_input_files("#id_files", str(path))
    page.fill("#id_reason", "八月通报")
    page.click("#content-main form [type=submit]")
    summary = page.locator(".import-summary")
    expect(summary).to_contain_text("events.event")
    expect(summary.locator("tbody tr td").first).to_have_text("300")
    shoot(page, "checked")
    page.click("#content-main form [type=submit]")
    expect(page.locator(".import-job")).to_have_attribute("data-status", "done")
    shoot(page, "imported")
    reader = new_page()
    reader.goto(site + TIMELINE)
    expect(reader.locator("#event-desk-299")).to_contain_text("通报第299号")

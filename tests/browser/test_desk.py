"""An editor and a publisher work through the desk: draft, preview, submit, send back with a
comment, fix, resubmit, schedule, and the event goes live at its time."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.browser.test_editor import choose_autocomplete

pytestmark = [pytest.mark.browser]

TIMELINE = "/crises/azerbaijan-russia-2025/timeline/"


def open_event(page, site, title: str) -> None:
    page.goto(f"{site}/admin/")
    page.locator(".desk-panel a", has_text=title).first.click()
    expect(page.locator("#review-heading")).to_be_visible()


def take_step(page, label: str, comment: str = "") -> None:
    page.fill("#review-comment", comment)
    page.locator("#review-form button", has_text=label).click()


def test_an_editor_and_a_publisher_work_through_the_desk(site, users, new_page, shoot):
    from desk.scheduling import publish_scheduled
    from events.models import Event

    editor = new_page()
    log_in(editor, site, "editor")
    expect(editor.locator("#desk-mine")).to_be_visible()
    expect(editor.locator("#desk-review")).to_have_count(0)
    shoot(editor, "editor-desk")

    editor.goto(f"{site}/admin/events/event/add/")
    choose_autocomplete(editor, "crisis", "阿塞拜疆")
    editor.fill("#id_title", "领事磋商")
    editor.fill("#id_slug", "consular-talks")
    editor.fill("#id_date", "2025-07-20")
    editor.select_option("#id_kind", "meeting")
    editor.fill("#id_summary", "两国领事官员会面。[@reuters-2024-12-26]")
    editor.fill("#id_edit_summary", "新增事件")
    editor.click("input[name=_continue]")
    expect(editor.locator(".messagelist .success")).to_be_visible()

    with editor.context.expect_page() as opened:
        editor.locator(".review-preview a").first.click()
    preview = opened.value
    expect(preview.locator("#event-consular-talks .badge-draft")).to_be_visible()
    shoot(preview, "editor-preview")
    preview.close()

    take_step(editor, "提交审核", "请审核。")
    expect(editor.locator(".messagelist .success")).to_be_visible()
    expect(editor.locator(".review-comments li")).to_have_count(1)

    publisher = new_page()
    log_in(publisher, site, "publisher")
    expect(publisher.locator("#desk-review tbody tr")).to_have_count(1)
    expect(publisher.locator("#desk-review")).to_contain_text("请审核。")
    shoot(publisher, "publisher-desk")
    open_event(publisher, site, "领事磋商")
    take_step(publisher, "退回")
    expect(publisher.locator(".messagelist .error")).to_be_visible()  # a comment is needed
    take_step(publisher, "退回", "日期应为7月21日。")
    expect(publisher.locator(".messagelist .success")).to_be_visible()
    shoot(publisher, "sent-back")

    editor.goto(f"{site}/admin/")
    first = editor.locator("#desk-mine tbody tr").first
    expect(first).to_have_class("desk-sent-back")
    expect(first).to_contain_text("日期应为7月21日。")
    shoot(editor, "editor-sees-sent-back")
    open_event(editor, site, "领事磋商")
    editor.fill("#id_date", "2025-07-21")
    editor.fill("#id_edit_summary", "改正日期")
    editor.click("input[name=_continue]")
    expect(editor.locator(".messagelist .success")).to_be_visible()
    take_step(editor, "提交审核", "已改正。")
    expect(editor.locator(".review-comments li")).to_have_count(3)

    open_event(publisher, site, "领事磋商")
    go_live = timezone.localtime() + datetime.timedelta(minutes=1)
    publisher.locator("#fieldset-0-6-heading, .collapse summary", has_text="定时").first.click()
    publisher.fill("#id_publish_at_0", go_live.strftime("%Y-%m-%d"))
    publisher.fill("#id_publish_at_1", go_live.strftime("%H:%M:%S"))
    publisher.fill("#id_edit_summary", "定时发布")
    publisher.click("input[name=_continue]")
    expect(publisher.locator(".messagelist .success")).to_be_visible()
    shoot(publisher, "scheduled")

    reader = new_page()
    reader.goto(site + TIMELINE)
    expect(reader.locator("#event-consular-talks")).to_have_count(0)
    assert publish_scheduled(now=go_live - datetime.timedelta(seconds=30)) == []
    assert len(publish_scheduled(now=go_live + datetime.timedelta(seconds=1))) == 1
    reader.goto(site + TIMELINE)
    expect(reader.locator("#event-consular-talks")).to_be_visible()
    shoot(reader, "live-on-time")
    event = Event.objects.get(slug="consular-talks")
    assert event.history.latest().history_user.username == "publisher"

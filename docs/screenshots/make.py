"""Take the README's screenshots: the front page and a month's tracker, the seed article with
its map (and its English edition), the timeline (its visual
timeline, map and charts, on a wide and a phone screen), an event and the gazetteer lookup in
the admin, a publisher's desk with a submission and its review thread, and the English edition
behind a change to its original.

    .venv/bin/python docs/screenshots/make.py

Uses a throw-away SQLite database and Debian's Chromium; writes PNGs beside this file.
"""

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PORT = 8766
ENV = {
    **os.environ,
    "DJANGO_DEBUG": "1",
    "DATABASE_URL": "sqlite:////tmp/crisis-tracker-screenshots.sqlite3",
}
PYTHON = str(ROOT / ".venv" / "bin" / "python")


# A sharper word in the Chinese original: the English edition falls behind it.
ORIGINAL_CHANGED = """
from crisis_tracker.history import revision
from events.models import Section
section = Section.objects.get(key="乌克兰")
with revision(summary="措辞更准确"):
    section.body = section.body.replace("予以否认", "断然否认")
    section.save()
"""


# An editor's draft, submitted for review with a comment: what the publisher's desk shows.
SUBMISSION = """
from django.contrib.auth.models import User
from crisis_tracker.history import revision
from events.models import Crisis, Event
from desk.review import take_step
editor = User.objects.get(username="editor")
with revision(summary="新增事件", user=editor):
    event = Event.objects.create(
        crisis=Crisis.objects.get(), slug="desk-example", title="领事磋商（示例）",
        date="2025-07-20", kind="meeting", summary="示例事件。[@reuters-2024-12-26]")
take_step(event, editor, "submitted", "请审核：来源为路透社报道。")
"""


def manage(*args: str, **kwargs) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=ENV, check=True, **kwargs)


def main() -> None:
    Path("/tmp/crisis-tracker-screenshots.sqlite3").unlink(missing_ok=True)
    manage("migrate", "-v0")
    seed = [
        "fixtures/azerbaijan-russia-2025.json",
        "fixtures/azerbaijan-russia-2025-assessments.json",
        "fixtures/azerbaijan-russia-2025-en.json",
    ]
    manage("import_fixture", *seed, "--system", capture_output=True)
    code = (
        "from django.contrib.auth.models import User, Group;"
        "u = User.objects.create_user('editor', password='correct horse battery', is_staff=True);"
        "u.groups.add(Group.objects.get(name='Editors'));"
        "p = User.objects.create_user('publisher', password='correct horse battery',"
        " is_staff=True);"
        "p.groups.add(Group.objects.get(name='Publishers'))"
    )
    manage("shell", "-c", code)
    manage("shell", "-c", SUBMISSION)
    server = subprocess.Popen(
        [PYTHON, "manage.py", "runserver", f"127.0.0.1:{PORT}", "--noreload"],
        cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{PORT}"
    try:
        for _ in range(50):
            try:
                urllib.request.urlopen(base + "/")
                break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(base + "/")
            page.screenshot(path=str(HERE / "front.png"), full_page=True)
            page.goto(base + "/tracker/2025-07/")
            page.screenshot(path=str(HERE / "tracker.png"))
            page.goto(base + "/crises/azerbaijan-russia-2025/")
            page.wait_for_selector(".infobox .event-map.is-live")
            page.screenshot(path=str(HERE / "article.png"))
            page.goto(base + "/en/crises/azerbaijan-russia-2025/")
            page.wait_for_selector(".infobox .event-map.is-live")
            page.screenshot(path=str(HERE / "article-en.png"))
            page.goto(base + "/crises/azerbaijan-russia-2025/")
            page.wait_for_selector(".infobox .event-map.is-live")
            page.locator("#cite-ref-6-0 a").hover()
            page.screenshot(path=str(HERE / "citation-preview.png"))
            page.goto(base + "/crises/azerbaijan-russia-2025/timeline/")
            page.wait_for_selector(".map-section .event-map.is-live")
            page.locator("#when").scroll_into_view_if_needed()
            page.screenshot(path=str(HERE / "timeline.png"))
            page.locator(".map-section path.kind-shoot-down").click()
            page.wait_for_selector(".leaflet-popup-content")
            page.wait_for_timeout(400)
            page.locator("#where").evaluate("heading => heading.scrollIntoView()")
            page.screenshot(path=str(HERE / "timeline-map.png"))
            page.locator("#charts").evaluate("heading => heading.scrollIntoView()")
            page.screenshot(path=str(HERE / "timeline-charts.png"))
            phone = browser.new_page(viewport={"width": 375, "height": 800})
            phone.goto(base + "/en/crises/azerbaijan-russia-2025/timeline/?from=2025-06&to=2025-06")
            phone.wait_for_selector(".map-section .event-map.is-live")
            phone.locator("#where").evaluate("heading => heading.scrollIntoView()")
            phone.screenshot(path=str(HERE / "timeline-phone.png"))
            page.goto(base + "/admin/login/")
            page.fill("#id_username", "editor")
            page.fill("#id_password", "correct horse battery")
            page.click("input[type=submit]")
            page.goto(base + "/admin/events/event/?q=azal")
            page.locator("#result_list tbody th a").first.click()
            page.wait_for_selector("#id_summary")
            page.screenshot(path=str(HERE / "admin.png"))
            page.goto(base + "/admin/places/place/gazetteer/?q=Aktau")
            page.screenshot(path=str(HERE / "gazetteer.png"))
            desk = browser.new_page(viewport={"width": 1280, "height": 900})
            desk.goto(base + "/admin/login/")
            desk.fill("#id_username", "publisher")
            desk.fill("#id_password", "correct horse battery")
            desk.click("input[type=submit]")
            desk.wait_for_selector("#desk-review")
            desk.screenshot(path=str(HERE / "desk.png"))
            desk.locator("#desk-review tbody th a").first.click()
            desk.wait_for_selector("#review-heading")
            desk.locator("#review-heading").evaluate("heading => heading.scrollIntoView()")
            desk.wait_for_timeout(600)  # the admin scrolls smoothly
            desk.screenshot(path=str(HERE / "review.png"))
            manage("shell", "-c", ORIGINAL_CHANGED)
            desk.goto(base + "/admin/events/edition/1/change/")
            row = desk.locator("tr.form-row:has(.diff)")
            row.evaluate("row => row.scrollIntoView()")
            desk.wait_for_timeout(300)
            desk.screenshot(path=str(HERE / "edition-behind.png"))
            browser.close()
    finally:
        server.terminate()
    sys.stderr.write(f"wrote the screenshots in {HERE}\n")


if __name__ == "__main__":
    main()

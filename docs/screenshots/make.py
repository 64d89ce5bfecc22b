"""Take the README's screenshots: the seed article, and an event in the admin.

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


def manage(*args: str, **kwargs) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=ENV, check=True, **kwargs)


def main() -> None:
    Path("/tmp/crisis-tracker-screenshots.sqlite3").unlink(missing_ok=True)
    manage("migrate", "-v0")
    manage(
        "import_fixture", "fixtures/azerbaijan-russia-2025.json", "--system", capture_output=True
    )
    code = (
        "from django.contrib.auth.models import User, Group;"
        "u = User.objects.create_user('editor', password='correct horse battery', is_staff=True);"
        "u.groups.add(Group.objects.get(name='Editors'))"
    )
    manage("shell", "-c", code)
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
            page.goto(base + "/crises/azerbaijan-russia-2025/")
            page.locator("#cite-ref-6-0 a").hover()
            page.screenshot(path=str(HERE / "article.png"))
            page.goto(base + "/admin/login/")
            page.fill("#id_username", "editor")
            page.fill("#id_password", "correct horse battery")
            page.click("input[type=submit]")
            page.goto(base + "/admin/events/event/?q=azal")
            page.locator("#result_list tbody th a").first.click()
            page.wait_for_selector("#id_summary")
            page.screenshot(path=str(HERE / "admin.png"))
            browser.close()
    finally:
        server.terminate()
    sys.stderr.write(f"wrote {HERE / 'article.png'} and {HERE / 'admin.png'}\n")


if __name__ == "__main__":
    main()

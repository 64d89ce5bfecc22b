"""Real-browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

Skipped, with the reason shown, when /usr/bin/chromium is not installed (.ci/run installs it).
Screenshots of every step go to test-artifacts/ for people to look at.
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

# CI machines are shared and slow at times: wait up to 15 s for what a page should show.
expect.set_options(timeout=15_000)

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Playwright's sync API runs an event loop in this thread; the ORM calls made by the tests
# themselves are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("browser tests need Chromium at /usr/bin/chromium (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def site(live_server, transactional_db):
    """The live server with the seed crisis and the editorial roles in place."""
    from django.contrib.auth.models import Group, Permission

    from events.roles import ensure_roles
    from tests.conftest import load_seed

    ensure_roles(Group, Permission)
    load_seed()
    return live_server.url


@pytest.fixture
def new_page(browser, request):
    contexts = []

    def make(width: int = 1280, height: int = 900):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def shoot(request):
    """Save a screenshot of a step: test-artifacts/<test>/<nn>-<step>.png"""
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    folder.mkdir(parents=True, exist_ok=True)
    counter = iter(range(1, 100))

    def take(page, step: str) -> None:
        page.screenshot(path=str(folder / f"{next(counter):02d}-{step}.png"), full_page=False)

    return take


@pytest.fixture
def users(editor, publisher):
    """The editor and the publisher personas, with a password to type at the login form."""
    for user in (editor, publisher):
        user.set_password("correct horse battery staple")
        user.save()
    return {"editor": editor, "publisher": publisher}


def log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "correct horse battery staple")
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/$"))

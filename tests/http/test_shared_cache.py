"""The page cache between processes, as production runs it (Redis, several app servers): what one
process cached is what another serves, and what one process changes, the other sees at once,
whatever it holds in memory. Several audiences in turn: staff, a preview link, then readers.

PostgreSQL only: the second process reads the test's database, so the test commits its writes.
"""

import datetime
import json
import os
import subprocess
import sys

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from crisis_tracker.history import revision
from desk.models import PreviewLink
from events import page_cache as pages
from events.models import Crisis, Event
from tests.conftest import ROOT, load_seed

REDIS = "redis://127.0.0.1:6379/13"
SHARED = {
    "BACKEND": "crisis_tracker.cache.SharedRedisCache",
    "LOCATION": REDIS,
    "KEY_PREFIX": "crisis-tracker",
}  # fmt: skip  (what production builds from REDIS_URL)
ARTICLE = "/crises/azerbaijan-russia-2025/"
TIMELINE = ARTICLE + "timeline/"
READER = """
import json, sys
import django
django.setup()
from django.test import Client
client = Client()
for line in sys.stdin:
    response = client.get(line.strip())
    body = response.content.decode()
    print(json.dumps({"status": response.status_code, "body": body}), flush=True)
"""


class SecondProcess:
    """Another app server: the production settings on the same database and Redis."""

    def __init__(self):
        database = connection.settings_dict
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "crisis_tracker.settings",
            "DJANGO_DEBUG": "1",
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:"
            f"{database['PORT']}/{database['NAME']}",
            "REDIS_URL": REDIS,
        }
        self.process = subprocess.Popen(
            [sys.executable, "-c", READER], cwd=ROOT, env=env, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def get(self, url: str) -> dict:
        self.process.stdin.write(url + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture
def second_process():
    if connection.vendor != "postgresql":
        pytest.skip("the second process needs a database it can reach: PostgreSQL only")
    with override_settings(CACHES={"default": SHARED}):
        from django.core.cache import cache

        cache.clear()
        pages._held.clear()
        other = SecondProcess()
        yield other
        other.close()
        cache.clear()
        pages._held.clear()


@pytest.mark.django_db(transaction=True)
def test_a_page_one_process_cached_is_served_by_another_and_renewed_for_both(
    second_process, publisher
):
    seed = load_seed()
    first = Client().get(ARTICLE)
    assert second_process.get(ARTICLE)["body"] == first.content.decode()  # from Redis
    with revision(summary="A secret draft and a public correction"):
        Event.objects.create(crisis=seed, slug="secret", title="秘密草稿", date="2025-07-20",
                             summary="x", state="draft")  # fmt: skip
        seed.lead += "\n\n更正后的导语。"
        seed.save()
    staff = Client()
    staff.force_login(publisher)
    assert "秘密草稿" in staff.get(TIMELINE).content.decode()  # staff first, through Redis
    link = PreviewLink.objects.create(
        crisis=seed, expires_at=timezone.now() + datetime.timedelta(days=1)
    )
    for page in ("", "timeline/"):  # a preview link's visit builds the pages next
        assert Client().get(f"/en/preview/{link.token()}/{page}").status_code == 200
    for url in (ARTICLE, TIMELINE, "/en" + TIMELINE, "/en" + ARTICLE):
        answer = second_process.get(url)
        assert answer["status"] == 200, url
        assert "秘密草稿" not in answer["body"] and link.token() not in answer["body"], url
    assert "更正后的导语" in second_process.get(ARTICLE)["body"]  # its memory was not trusted
    with revision(summary="Withdrawn"):
        Crisis.objects.get().delete()
    assert second_process.get(ARTICLE)["status"] == 404

"""Readers on a real streaming replica, run as its own process by tests/http/test_replicas.py
against deploy/replica-cluster.sh's primary and replica (DATABASE_URL and
DATABASE_REPLICA_URLS set by the test). Prints what it saw as JSON."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crisis_tracker.settings")
django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from django.test import Client  # noqa: E402

from crisis_tracker import replicas  # noqa: E402
from crisis_tracker.history import revision  # noqa: E402
from events import page_cache  # noqa: E402
from events.models import Event  # noqa: E402
from interchange.fixture_import import import_fixtures  # noqa: E402

SLUG = "azerbaijan-russia-2025"
PAGES = ["/", f"/crises/{SLUG}/", f"/crises/{SLUG}/timeline/", f"/crises/{SLUG}/history/",
         f"/crises/{SLUG}/map.json", "/api/v1/events/?page_size=100", "/search/?q=巴库",
         f"/en/crises/{SLUG}/", "/feed/"]  # fmt: skip
SCRIPT = ROOT / "deploy" / "replica-cluster.sh"
replicas.CHECK_EVERY = 0.5  # notice a change of health quickly


def on_replica(sql: str):
    with connections["replica_0"].cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def caught_up(timeout: float = 180) -> None:
    """Wait until the replica has replayed all it received (a restarted replica first has to
    reconnect and stream; on a loaded machine that takes a while)."""
    deadline = time.monotonic() + timeout
    while (lag := replicas.lag_of("replica_0")) != 0:
        if time.monotonic() > deadline:
            raise SystemExit(f"the replica did not catch up in {timeout:.0f} s (lag {lag})")
        time.sleep(0.2)


def read_all(client: Client) -> dict:
    """Every page, cold; which alias each was read from (the replica's count before/after)."""
    statuses, served = {}, {}
    for url in PAGES:
        cache.clear()  # cold: the page is read from the database
        page_cache._held.clear()
        before = replicas.reads.get("replica_0", 0)
        statuses[url] = client.get(url).status_code
        served[url] = "replica" if replicas.reads.get("replica_0", 0) > before else "primary"
    return {"statuses": statuses, "served": served}


def main() -> None:
    call_command("migrate", verbosity=0)
    fixtures = ["azerbaijan-russia-2025.json", "azerbaijan-russia-2025-assessments.json",
                "azerbaijan-russia-2025-en.json"]  # fmt: skip
    import_fixtures(files=[(name, ROOT / "fixtures" / name) for name in fixtures])
    caught_up()
    found = {}
    reader = Client(HTTP_HOST="localhost")
    found["healthy"] = read_all(reader)

    editor = User.objects.create_superuser("replica-editor", password="x" * 20)
    staff = Client(HTTP_HOST="localhost")
    staff.force_login(editor)
    before = replicas.reads.get("replica_0", 0)
    found["editor"] = [staff.get(url).status_code for url in PAGES[:3]]
    found["editor_reads_on_replica"] = replicas.reads.get("replica_0", 0) - before

    # The replica stops while readers read: the page in progress is read again from the
    # primary, and the next ones go there until it is back.
    replicas.healthy("replica_0")  # known healthy: the next request goes to it
    subprocess.run(["bash", str(SCRIPT), "stop-replica"], check=True)
    found["stopped"] = read_all(reader)
    subprocess.run(["bash", str(SCRIPT), "start-replica"], check=True)
    time.sleep(replicas.CHECK_EVERY + 0.1)
    caught_up()
    found["restarted"] = read_all(reader)

    # Behind by more than REPLICA_MAX_LAG: skipped.
    on_replica("SELECT pg_wal_replay_pause()::text")
    event = Event.objects.get(crisis__slug=SLUG, slug="peskov-statement")
    with revision(summary="A change the paused replica has not replayed"):
        event.title += "（更新）"
        event.save()
    time.sleep(float(os.environ["REPLICA_MAX_LAG"]) + replicas.CHECK_EVERY + 0.5)
    found["lagging"] = read_all(reader)
    timeline = reader.get(f"/crises/{SLUG}/timeline/").content.decode()
    found["lagging_sees_the_change"] = "（更新）" in timeline
    on_replica("SELECT pg_wal_replay_resume()::text")
    sys.stdout.write(json.dumps(found) + "\n")


if __name__ == "__main__":
    main()

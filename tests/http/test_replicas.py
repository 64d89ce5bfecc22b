"""Readers on a real PostgreSQL streaming replica (deploy/replica-cluster.sh makes a primary and
a replica of it with pg_basebackup): anonymous reads go to the replica, editors' to the primary,
and a replica that stops or falls behind is skipped without a reader error.

Runs in the PostgreSQL pass of the suite, where PostgreSQL's server binaries are installed;
skipped with the reason elsewhere. The scenario runs in its own process with the production
settings (tests/support/replica_scenario.py), so the router sees real aliases, not mirrors.
"""

import glob
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "deploy" / "replica-cluster.sh"
PRIMARY = "postgres://postgres@127.0.0.1:5434/crisis_tracker"
REPLICA = "postgres://postgres@127.0.0.1:5435/crisis_tracker"


@pytest.fixture
def replica_cluster():
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("replicas are PostgreSQL's: this runs in the PostgreSQL pass")
    if not glob.glob("/usr/lib/postgresql/*/bin/pg_basebackup"):
        pytest.skip("PostgreSQL's server binaries are not installed")
    subprocess.run(["bash", str(SCRIPT), "start"], check=True, capture_output=True)
    subprocess.run(["psql", "-h", "127.0.0.1", "-p", "5434", "-U", "postgres", "-qc",
                    "CREATE DATABASE crisis_tracker"], check=True)  # fmt: skip
    yield
    subprocess.run(["bash", str(SCRIPT), "stop"], check=True, capture_output=True)


def test_readers_read_from_the_replica_and_never_see_an_error_when_it_goes(replica_cluster):
    env = {
        **os.environ,
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": PRIMARY,
        "DATABASE_REPLICA_URLS": REPLICA,
        "REPLICA_MAX_LAG": "1",
        "DJANGO_SETTINGS_MODULE": "crisis_tracker.settings",
    }
    env.pop("REDIS_URL", None)
    run = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "support" / "replica_scenario.py")],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, (run.stdout[-1000:], run.stderr[-3000:])
    found = json.loads(run.stdout.strip().splitlines()[-1])
    pages = found["healthy"]["statuses"]
    assert set(pages.values()) == {200}, pages
    assert set(found["healthy"]["served"].values()) == {"replica"}, found["healthy"]
    # editors read their own writes: never from the replica
    assert found["editor"] == [200, 200, 200] and found["editor_reads_on_replica"] == 0
    # stopped mid-run: every page still answered, from the primary
    assert set(found["stopped"]["statuses"].values()) == {200}, found["stopped"]
    assert set(found["stopped"]["served"].values()) == {"primary"}, found["stopped"]
    assert set(found["restarted"]["served"].values()) == {"replica"}, found["restarted"]
    # behind by more than REPLICA_MAX_LAG: skipped, and readers see the primary's change
    assert set(found["lagging"]["statuses"].values()) == {200}
    assert set(found["lagging"]["served"].values()) == {"primary"}, found["lagging"]
    assert found["lagging_sees_the_change"]

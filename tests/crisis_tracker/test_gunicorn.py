"""The gunicorn settings: workers are forked from a master that has loaded the application, so
the master must hold nothing a worker may not share (a database connection, above all)."""

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MASTER = """
import json
from crisis_tracker.wsgi import application
from django.db import connections
print(json.dumps([c.alias for c in connections.all() if c.connection is not None]))
"""


def test_loading_the_application_opens_no_database_connection(tmp_path):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE"))}
    environment.update(DJANGO_DEBUG="1", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
                       DJANGO_SETTINGS_MODULE="crisis_tracker.settings")  # fmt: skip
    loaded = subprocess.run([sys.executable, "-c", MASTER], cwd=ROOT, env=environment,
                            capture_output=True, text=True, check=True)  # fmt: skip
    assert json.loads(loaded.stdout.strip().splitlines()[-1]) == []


def test_workers_are_forked_from_a_loaded_master_unless_told_not_to(monkeypatch):
    import crisis_tracker.gunicorn as config

    monkeypatch.delenv("GUNICORN_PRELOAD", raising=False)
    assert importlib.reload(config).preload_app is True
    monkeypatch.setenv("GUNICORN_PRELOAD", "0")
    assert importlib.reload(config).preload_app is False

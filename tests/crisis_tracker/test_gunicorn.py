"""The gunicorn settings: workers are forked from a master that has loaded the application, so
the master must hold nothing a worker may not share (a database connection, above all)."""

import gc
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

from crisis_tracker import collector

ROOT = Path(__file__).resolve().parents[2]
MASTER = """
import gc, json, sys
from crisis_tracker.wsgi import application
from django.db import connections
from django.template import engines
opened = [c.alias for c in connections.all() if c.connection is not None]
views = [name for name in ("events.views.pages", "api.views", "desk.admin") if name in sys.modules]
cached = engines["django"].engine.template_loaders[0].get_template_cache
templates = [name for name in ("admin/change_list.html", "events/crisis_detail.html") if name in cached]
print(json.dumps({"opened": opened, "young_every": gc.get_threshold()[0], "views": views,
                  "templates": templates, "frozen": gc.get_freeze_count() > 0}))
"""


def test_loading_the_application_preloads_its_views_and_templates_and_opens_no_connection(tmp_path):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE"))}
    environment.update(DJANGO_DEBUG="1", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
                       DJANGO_SETTINGS_MODULE="crisis_tracker.settings")  # fmt: skip
    loaded = subprocess.run([sys.executable, "-c", MASTER], cwd=ROOT, env=environment,
                            capture_output=True, text=True, check=True)  # fmt: skip
    master = json.loads(loaded.stdout.strip().splitlines()[-1])
    assert master["opened"] == []
    assert master["young_every"] == collector.YOUNG_EVERY  # set for serving pages
    assert master["views"] == ["events.views.pages", "api.views", "desk.admin"]  # preloaded
    assert master["templates"] == ["admin/change_list.html", "events/crisis_detail.html"]
    assert master["frozen"]  # out of the collector's sight


def test_the_master_hides_what_it_loaded_from_its_workers_collector():
    import crisis_tracker.gunicorn as config

    gc.unfreeze()
    try:
        config.pre_fork(server=None, worker=None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_workers_are_forked_from_a_loaded_master_unless_told_not_to(monkeypatch):
    import crisis_tracker.gunicorn as config

    monkeypatch.delenv("GUNICORN_PRELOAD", raising=False)
    assert importlib.reload(config).preload_app is True
    monkeypatch.setenv("GUNICORN_PRELOAD", "0")
    assert importlib.reload(config).preload_app is False


def test_commands_run_with_the_collector_set_as_the_application(tmp_path):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE"))}
    environment.update(DJANGO_DEBUG="1", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    shown = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", "import gc; print(gc.get_threshold()[0])"],
        cwd=ROOT, env=environment, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert shown.stdout.strip().splitlines()[-1] == str(collector.YOUNG_EVERY)


def test_a_command_starts_without_the_libraries_only_captures_and_citing_read(tmp_path):
    """Every import of a desk's file starts a process: page readers load on first use."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE"))}
    environment.update(DJANGO_DEBUG="1", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    names = ["trafilatura", "htmldate", "warcio"]
    shown = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c",
         f"import sys; print([n for n in {names!r} if n in sys.modules])"],
        cwd=ROOT, env=environment, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert shown.stdout.strip().splitlines()[-1] == "[]"

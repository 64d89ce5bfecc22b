"""How fast import_fixture writes objects with full history: a generated fixture of sources and
events, imported into an empty crisis, then imported again (every object unchanged).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crisis_tracker_bench \\
        .venv/bin/python -m bench.import_speed [--objects 6000]
"""

import argparse
import json
import os
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
django.setup()

from django.db import connection  # noqa: E402

from crisis_tracker.history import revision  # noqa: E402
from events.fixture_import import import_fixtures  # noqa: E402
from events.models import Crisis, Event  # noqa: E402
from sources.models import Source  # noqa: E402


def fixture(count: int) -> str:
    half = count // 2
    objects = [{"model": "events.crisis", "fields": {
        "slug": "import-bench", "title": "Import benchmark", "start_date": "2025-01-01",
        "state": "published"}}]  # fmt: skip
    objects += [
        {"model": "sources.source", "fields": {"key": f"imp-{n}", "title": f"Source {n}",
                                               "work": "Wire", "published": "2025-01-02"}}
        for n in range(half)
    ]  # fmt: skip
    objects += [
        {"model": "events.event", "fields": {
            "crisis": ["import-bench"], "slug": f"ev-{n}", "title": f"Event {n}",
            "date": "2025-02-01", "date_precision": "month", "state": "published",
            "summary": f"Something happened.[@imp-{n}]"}}
        for n in range(count - half)
    ]  # fmt: skip
    return json.dumps(objects)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--objects", type=int, default=6000)
    args = parser.parse_args()
    with revision(summary="Benchmark clean-up"):
        Crisis.objects.filter(slug="import-bench").delete()
        Source.objects.filter(key__startswith="imp-").delete()
    text = fixture(args.objects)
    for label in ("first import (all created)", "second import (all unchanged)"):
        started = time.perf_counter()
        report = import_fixtures(files=[("bench.json", text)])
        elapsed = time.perf_counter() - started
        print(f"{label}: {report.total} objects in {elapsed:.2f} s "
              f"= {report.total / elapsed:.0f} objects/s ({connection.vendor})")  # fmt: skip
    history = Event.history.filter(crisis_id=Crisis.objects.get(slug="import-bench").pk).count()
    print(f"event history rows: {history}")


if __name__ == "__main__":
    main()

"""Cold render of a large crisis (1,000 events, 2,000 sources, 5,000 citations) and of the
history page of an entry with 5,000 revisions: medians of repeated runs, and query counts.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crisis_tracker_bench \\
        .venv/bin/python -m bench.render
"""

import statistics
import time

from django.core.cache import cache
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext

import bench.production  # noqa: F401  (settings, then the app)
from bench.bigcrisis import build
from crisis_tracker.history import revision
from events.models import CrisisRevision, Section

RUNS = 15


def timed(client: Client, url: str, cold: bool) -> tuple[float, int]:
    if cold:
        cache.clear()
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    return elapsed * 1000, len(queries)


def report(label: str, client: Client, url: str, cold: bool) -> None:
    timed(client, url, cold)  # warm imports and connections
    samples = [timed(client, url, cold) for _ in range(RUNS)]
    times = [ms for ms, _q in samples]
    print(
        f"| {label} | {statistics.median(times):.1f} | {min(times):.1f} | {max(times):.1f} "
        f"| {samples[0][1]} |"
    )


def main() -> None:
    crisis = build()
    client = Client()
    print(f"Database: {connection.vendor}; {RUNS} runs each.\n")
    print("| request | median ms | min ms | max ms | queries |")
    print("| --- | ---: | ---: | ---: | ---: |")
    report("article, cold (1,000 events, 2,000 sources, 5,000 citations)", client,
           crisis.get_absolute_url(), cold=True)  # fmt: skip
    report("article, cached", client, crisis.get_absolute_url(), cold=False)
    report("timeline, cold (1,000 events)", client, f"/crises/{crisis.slug}/timeline/", cold=True)
    section = Section.objects.filter(crisis=crisis).first()
    for n in range(5000 - section.history.count()):
        section.body = f"Version {n}.[@bench-1]"
        with revision(summary=f"Edit {n}"):
            section.save()
    report("history page, 5,000 revisions", client, f"/crises/{crisis.slug}/history/", cold=True)
    middle = middle_revision(crisis)
    report("old version permalink among 5,000 revisions", client,
           f"/crises/{crisis.slug}/history/{middle}/", cold=True)  # fmt: skip


def middle_revision(crisis) -> int:
    links = CrisisRevision.objects.filter(crisis=crisis, public=True).order_by(
        "revision__created_at"
    )
    return links[links.count() // 2].revision_id


if __name__ == "__main__":
    main()

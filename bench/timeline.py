"""The timeline, its map data and its charts as a crisis grows: 18, 5,000 and 24,000 events.

For each size: the cold render of the timeline (median of repeated runs) as it opens (its latest
month) and of its heaviest page (the events known only to the latest year), its query count,
the size of the page, and the map's data with its compressed size.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crisis_tracker_bench \\
        .venv/bin/python -m bench.timeline
"""

import datetime
import gzip
import random
import statistics
import time

from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

import bench.production  # noqa: F401  (settings, then the app)
from events.models import Crisis, Event
from places.models import Place
from sources.models import Source

RUNS = 9
SIZES = (18, 5000, 24000)
PRECISIONS = ["day"] * 8 + ["month", "year"]


def build(events: int) -> Crisis:
    rng = random.Random(7)
    slug = f"bench-timeline-{events}"
    Crisis.objects.filter(slug=slug).delete()
    crisis = Crisis.objects.create(slug=slug, title=f"Timeline benchmark ({events})",
                                   state="published", start_date=datetime.date(2024, 1, 1),
                                   lead="Lead.")  # fmt: skip
    sources = [f"bench-tl-{n}" for n in range(200)]
    Source.objects.bulk_create(
        [Source(key=key, title=key, work="Wire") for key in sources], ignore_conflicts=True
    )
    places = [
        Place.objects.get_or_create(slug=f"bench-place-{n}", defaults={
            "name": f"地点{n}", "name_en": f"Place {n}", "country": "AZ",
            "latitude": 38 + n * 0.07, "longitude": 45 + n * 0.11,
            "coordinates_source": "benchmark"})[0]
        for n in range(60)
    ]  # fmt: skip
    kinds = Event.Kind.values
    rows = []
    for n in range(events):
        precision = rng.choice(PRECISIONS)
        day = datetime.date(2024, 1, 1) + datetime.timedelta(days=n % 700)
        if precision == "month":
            day = day.replace(day=1)
        elif precision == "year":
            day = day.replace(month=1, day=1)
        rows.append(Event(crisis=crisis, slug=f"e{n}", title=f"事件{n}", state="published",
                          date=day, date_precision=precision, kind=kinds[n % len(kinds)],
                          location=places[n % len(places)] if n % 4 else None,
                          killed=n % 7 or None,
                          summary=f"发生了什么。[@{rng.choice(sources)}]"))  # fmt: skip
    Event.objects.bulk_create(rows, batch_size=2000)
    return crisis


def timed(client: Client, url: str) -> tuple[float, int, int]:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    return elapsed * 1000, len(queries), len(response.content)


def measure(client: Client, url: str) -> tuple[float, int, int]:
    timed(client, url)
    samples = [timed(client, url) for _ in range(RUNS)]
    return statistics.median(s[0] for s in samples), samples[0][1], samples[0][2]


def main() -> None:
    client = Client()
    print(f"Database: {connection.vendor}; medians of {RUNS} cold runs.\n")
    print(
        "| events | timeline ms | queries | page kB | heaviest page ms | map data ms | map kB "
        "| map kB gzip |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for size in SIZES:
        crisis = build(size)
        base = f"/crises/{crisis.slug}/"
        page_ms, queries, page_bytes = measure(client, base + "timeline/")
        heavy_ms, _q, _size = measure(client, base + "timeline/?page=2025")
        map_ms, _q, _size = measure(client, base + "map.json")
        body = client.get(base + "map.json").content
        print(
            f"| {size:,} | {page_ms:.0f} | {queries} | {page_bytes / 1024:.0f} | {heavy_ms:.0f} "
            f"| {map_ms:.0f} "
            f"| {len(body) / 1024:.0f} | {len(gzip.compress(body)) / 1024:.0f} |"
        )
        crisis.delete()


if __name__ == "__main__":
    main()

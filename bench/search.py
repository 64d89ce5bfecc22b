"""Site search over 100,000 published events: medians of repeated queries, on the database in
DATABASE_URL (PostgreSQL uses the trigram indexes of migration events/0009).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crisis_tracker_bench \\
        .venv/bin/python -m bench.search
"""

import datetime
import random
import statistics
import time

from django.db import connection
from django.test import Client

import bench.production  # noqa: F401  (settings, then the app)
from events.models import Crisis, Event
from events.search import search

EVENTS = 100_000
RUNS = 9
WORDS = (
    "外交部 声明 会谈 逮捕 拘留 突袭 取消 访问 总统 通话 召见 大使 制裁 领事 领事馆 关闭 抗议 调查 "
    "记者 Aliyev Putin"
).split()
QUERIES = ["制裁", "领事", "领事馆", "Aliyev", "阿利耶夫 会谈", "记者 调查 逮捕", "不存在的词"]


def build() -> Crisis:
    rng = random.Random(7)
    Crisis.objects.filter(slug="bench-search").delete()
    crisis = Crisis.objects.create(
        slug="bench-search", title="Search benchmark", lead="Lead.", state="published",
        start_date=datetime.date(2024, 1, 1),
    )  # fmt: skip
    rows = []
    for n in range(EVENTS):
        words = rng.sample(WORDS, 6)
        day = datetime.date(2024, 1, 1) + datetime.timedelta(days=n % 700)
        title = f"{words[0]}{words[1]}事件{n}"
        summary = "，".join(words) + "。" * 20
        rows.append(Event(crisis=crisis, slug=f"s{n}", title=title, summary=summary,
                          state="published", date=day))  # fmt: skip
    Event.objects.bulk_create(rows, batch_size=5000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE events_event")
    return crisis


def median_ms(action) -> float:
    action()
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main() -> None:
    crisis = build()
    client = Client()
    print(f"Database: {connection.vendor}; {EVENTS:,} events; medians of {RUNS} runs.\n")
    print("| query | search ms | page ms | events found (first 20 shown) |")
    print("| --- | ---: | ---: | ---: |")
    for query in QUERIES:
        search_ms = median_ms(lambda q=query: search(q))
        page_ms = median_ms(lambda q=query: client.get("/search/", {"q": q}))
        found = len(search(query)["events"])
        print(f"| {query} | {search_ms:.0f} | {page_ms:.0f} | {found} |")
    crisis.delete()


if __name__ == "__main__":
    main()

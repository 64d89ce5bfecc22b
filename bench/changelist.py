"""The admin's event list and the desk over 100,000 events: medians of repeated requests by a
superuser, with their query counts, on the database in DATABASE_URL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crisis_tracker_bench \\
        .venv/bin/python -m bench.changelist
"""

import datetime
import random
import statistics
import time

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

import bench.production  # noqa: F401  (settings, then the app)
from actors.models import Actor
from events.models import Crisis, Event, EventActor
from places.models import Place

EVENTS = 100_000
RUNS = 9
PAGES = {
    "event list": "/admin/events/event/",
    "event list, one country": "/admin/events/event/?country=KZ",
    "event list, one actor": "/admin/events/event/?actor=bench-actor-3",
    "event list, one month": "/admin/events/event/?date__year=2025&date__month=3",
    "event list, drafts, search": "/admin/events/event/?state__exact=draft&q=Event+42",
    "desk (admin home)": "/admin/",
}


def build() -> Crisis:
    rng = random.Random(7)
    Crisis.objects.filter(slug="bench-changelist").delete()
    crisis = Crisis.objects.create(slug="bench-changelist", title="Changelist benchmark crisis",
                                   state="published", start_date=datetime.date(2024, 1, 1),
                                   lead="Lead.")  # fmt: skip
    places = [
        Place.objects.get_or_create(slug=f"bench-place-{n}", defaults={
            "name": f"Place {n}", "name_en": f"Place {n}", "country": country,
            "latitude": 40 + n, "longitude": 50 + n, "coordinates_source": "bench"})[0]
        for n, country in enumerate(["AZ", "RU", "KZ", "AM"])
    ]  # fmt: skip
    actors = [Actor.objects.get_or_create(slug=f"bench-actor-{n}", defaults={"name": f"A{n}"})[0]
              for n in range(10)]  # fmt: skip
    events = Event.objects.bulk_create(
        (Event(crisis=crisis, slug=f"e{n}", title=f"Event {n}", summary="What happened.",
               state="published" if n % 10 else "draft", location=rng.choice(places),
               date=datetime.date(2024, 1, 1) + datetime.timedelta(days=n % 700))
         for n in range(EVENTS)),
        batch_size=5000,
    )  # fmt: skip
    EventActor.objects.bulk_create(
        (EventActor(event=event, actor=rng.choice(actors), role="participant") for event in events),
        batch_size=5000,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return crisis


def measure(client: Client, url: str) -> tuple[float, int]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    queries = len(captured)  # read now: the next request clears the connection's log
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), queries


def main() -> None:
    crisis = build()
    user, _created = get_user_model().objects.get_or_create(
        username="bench-boss", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    print(f"Database: {connection.vendor}; {EVENTS:,} events; medians of {RUNS} runs.\n")
    print("| page | ms | queries |")
    print("| --- | ---: | ---: |")
    for name, url in PAGES.items():
        ms, queries = measure(client, url)
        print(f"| {name} | {ms:.0f} | {queries} |")
    crisis.delete()


if __name__ == "__main__":
    main()

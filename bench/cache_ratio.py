"""Cached reader pages against views returning the same bytes, side by side.

    .venv/bin/python -m bench.cache_ratio [--seconds 15] [--rounds 3] [--workers 5]

Two gunicorns (sync workers, PostgreSQL + Redis, seed crisis): the project, and a *floor* — the
project's settings with the middleware `startproject` writes and one view returning stored bytes
(``bench.floor_settings``). Each page (article, timeline, history) is measured against the floor
serving its own bytes, and against the bare view behind the project's own middleware; rounds
alternate so machine noise hits all alike. Reports median requests/s and the ratios, and the
CPU time each request cost the server (gunicorn and Redis, read from /proc): wrk and the
workers share two cores, so throughput swings with scheduling by up to a factor of two between
rounds, while the CPU spent per request barely moves.
"""

import argparse
import os
import statistics
import subprocess
import urllib.request
from pathlib import Path

from bench import server
from bench.load import PAGES, wrk

FLOOR_PORT = server.PORT + 1
FLOOR = f"http://127.0.0.1:{FLOOR_PORT}"


def floor_label(name: str) -> str:
    return f"{name}: same bytes, startproject middleware"


def stat_ticks(pid: int, *, children: bool = False) -> int:
    """User and system ticks of ``pid`` (and of its children it has waited for)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0
    return sum(int(field) for field in fields[11 : 15 if children else 13])


def cpu_seconds(master, with_redis: list[int]) -> float:
    """CPU time a gunicorn (its master, its workers, those it has replaced: it restarts each
    worker after ``max_requests``) and Redis have used so far."""
    ticks = stat_ticks(master.pid, children=True)
    ticks += sum(stat_ticks(pid) for pid in [*server.worker_pids(master), *with_redis])
    return ticks / os.sysconf("SC_CLK_TCK")


def redis_pids() -> list[int]:
    found = subprocess.run(["pgrep", "-x", "redis-server"], capture_output=True, text=True)
    return [int(pid) for pid in found.stdout.split()]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--workers", type=int, default=5)
    args = parser.parse_args()
    server.prepare()
    project = server.start(args.workers)
    floor = server.start(args.workers, FLOOR_PORT, "bench.floor_settings")
    try:
        for name, path in PAGES.items():
            server.body_file(name).write_bytes(urllib.request.urlopen(server.BASE + path).read())
        targets = {}
        for name, path in PAGES.items():
            targets[f"{name} (cached)"] = ("", path)
            targets[f"{name}: same bytes, startproject middleware"] = (
                FLOOR,
                f"/bench/bare/{name}/",
            )
        targets["article: same bytes, project middleware"] = ("", "/bench/bare/article/")
        runs = {label: [] for label in targets}
        cpu = {label: [] for label in targets}
        for _ in range(args.rounds):
            for label, (base, path) in targets.items():
                master = floor if base else project
                before = cpu_seconds(master, redis_pids())
                result = wrk(path, args.seconds, args.connections, base)
                runs[label].append(result["rps"])
                spent = cpu_seconds(master, redis_pids()) - before
                cpu[label].append(spent / result["requests"] * 1e6)
        medians = {label: statistics.median(values) for label, values in runs.items()}
        cpu_medians = {label: statistics.median(values) for label, values in cpu.items()}
        print("| view | median requests/s | runs | server CPU µs a request (median) |")
        print("| --- | ---: | --- | ---: |")
        for label, values in runs.items():
            shown = ", ".join(f"{v:.0f}" for v in values)
            print(f"| {label} | {medians[label]:.0f} | {shown} | {cpu_medians[label]:.0f} |")
        print()
        for name in PAGES:
            ratio = medians[f"{name} (cached)"] / medians[floor_label(name)]
            by_cpu = cpu_medians[floor_label(name)] / cpu_medians[f"{name} (cached)"]
            print(f"{name} (cached) / startproject floor: {ratio:.2f} by requests/s, "
                  f"{by_cpu:.2f} by CPU a request")  # fmt: skip
        bare = medians["article: same bytes, project middleware"]
        print(f"article (cached) / bare view behind the project's middleware: "
              f"{medians['article (cached)'] / bare:.2f}")  # fmt: skip
    finally:
        server.stop(floor)
        server.stop(project)


if __name__ == "__main__":
    main()

"""Cached reader pages against views returning the same bytes, side by side.

    .venv/bin/python -m bench.cache_ratio [--seconds 15] [--rounds 3] [--workers 5]

Two gunicorns (sync workers, PostgreSQL + Redis, seed crisis): the project, and a *floor* — the
project's settings with the middleware `startproject` writes and one view returning stored bytes
(``bench.floor_settings``). Each page (article, timeline, history) is measured against the floor
serving its own bytes, and against the bare view behind the project's own middleware; rounds
alternate so machine noise hits all alike. Reports median requests/s and the ratios.
"""

import argparse
import statistics
import urllib.request

from bench import server
from bench.load import PAGES, wrk

FLOOR_PORT = server.PORT + 1
FLOOR = f"http://127.0.0.1:{FLOOR_PORT}"


def floor_label(name: str) -> str:
    return f"{name}: same bytes, startproject middleware"


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
        for _ in range(args.rounds):
            for label, (base, path) in targets.items():
                runs[label].append(wrk(path, args.seconds, args.connections, base)["rps"])
        medians = {label: statistics.median(values) for label, values in runs.items()}
        print("| view | median requests/s | runs |")
        print("| --- | ---: | --- |")
        for label, values in runs.items():
            print(f"| {label} | {medians[label]:.0f} | {', '.join(f'{v:.0f}' for v in values)} |")
        print()
        for name in PAGES:
            ratio = medians[f"{name} (cached)"] / medians[floor_label(name)]
            print(f"{name} (cached) / startproject floor: {ratio:.2f}")
        bare = medians["article: same bytes, project middleware"]
        print(f"article (cached) / bare view behind the project's middleware: "
              f"{medians['article (cached)'] / bare:.2f}")  # fmt: skip
    finally:
        server.stop(floor)
        server.stop(project)


if __name__ == "__main__":
    main()

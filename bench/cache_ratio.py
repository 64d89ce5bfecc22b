"""The cached article against a bare Django view returning the same bytes, side by side.

    .venv/bin/python -m bench.cache_ratio [--seconds 15] [--rounds 3]

Both run in the same gunicorn (PostgreSQL + Redis, seed crisis); rounds alternate so machine
noise hits both alike. Reports median requests/s of each and their ratio.
"""

import argparse
import statistics
import urllib.request

from bench import server
from bench.load import wrk
from bench.server import BARE_BODY

ARTICLE = "/crises/azerbaijan-russia-2025/"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=50)
    args = parser.parse_args()
    server.prepare()
    master = server.start()
    try:
        BARE_BODY.write_bytes(urllib.request.urlopen(server.BASE + ARTICLE).read())
        runs = {"article (cached)": [], "bare view": []}
        for _ in range(args.rounds):
            runs["article (cached)"].append(wrk(ARTICLE, args.seconds, args.connections)["rps"])
            runs["bare view"].append(wrk("/bench/bare/", args.seconds, args.connections)["rps"])
        medians = {name: statistics.median(values) for name, values in runs.items()}
        print("| view | median requests/s | runs |")
        print("| --- | ---: | --- |")
        for name, values in runs.items():
            print(f"| {name} | {medians[name]:.0f} | {', '.join(f'{v:.0f}' for v in values)} |")
        ratio = medians["article (cached)"] / medians["bare view"]
        print(f"\nCached article / bare view: {ratio:.2f}")
    finally:
        server.stop(master)


if __name__ == "__main__":
    main()

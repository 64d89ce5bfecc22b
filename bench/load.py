"""Load and fault runs against gunicorn on loopback (PostgreSQL + Redis, the seed crisis).

    .venv/bin/python -m bench.load [--seconds 60] [--connections 50]

1. wrk for N seconds at C connections against the article, the timeline and the history page;
   requests/s, latency percentiles and non-2xx responses for each.
2. The same load on the article while one worker is killed with SIGKILL.
3. The same load on the history page (not cached, so it needs the database) while PostgreSQL
   restarts. A probe requests the page every 50 ms: errors and the time until it answers again.
Prints a Markdown report. Traffic goes to 127.0.0.1 only; every loop is bounded in time.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request

from bench import server

PAGES = {
    "article": "/crises/azerbaijan-russia-2025/",
    "timeline": "/crises/azerbaijan-russia-2025/timeline/",
    "history": "/crises/azerbaijan-russia-2025/history/",
}


def wrk(path: str, seconds: int, connections: int, base: str = "") -> dict:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s",
         (base or server.BASE) + path],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])}
    for pct in ("50", "90", "99"):
        match = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)", out)
        value, unit = float(match[1]), match[2]
        result[f"p{pct}"] = value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    result["non2xx"] = int(non2xx[1]) if non2xx else 0
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    result["socket_errors"] = sum(map(int, errors.groups())) if errors else 0
    result["requests"] = int(re.search(r"(\d+) requests in", out)[1])
    return result


class Probe(threading.Thread):
    """Requests a page every 50 ms and records (time, ok) until stopped."""

    def __init__(self, path: str):
        super().__init__(daemon=True)
        self.path, self.samples, self.running = path, [], True

    def run(self) -> None:
        while self.running:
            started = time.monotonic()
            try:
                with urllib.request.urlopen(server.BASE + self.path, timeout=5) as response:
                    ok = response.status == 200
            except (urllib.error.URLError, OSError):
                ok = False
            self.samples.append((started, ok))
            time.sleep(max(0.0, 0.05 - (time.monotonic() - started)))

    def outage_after(self, moment: float) -> tuple[int, float]:
        """Failed probes after ``moment``, and seconds until the first success after the last
        failure."""
        after = [(t, ok) for t, ok in self.samples if t >= moment]
        failures = [t for t, ok in after if not ok]
        if not failures:
            return 0, 0.0
        recovered = next((t for t, ok in after if ok and t > failures[-1]), None)
        return len(failures), (recovered - moment) if recovered else float("inf")


def fault_run(path: str, seconds: int, connections: int, fault) -> tuple[dict, int, float]:
    probe = Probe(path)
    probe.start()
    results = {}
    load = threading.Thread(target=lambda: results.update(wrk(path, seconds, connections)))
    load.start()
    time.sleep(seconds / 3)
    moment = time.monotonic()
    fault()
    load.join()
    time.sleep(3)
    probe.running = False
    probe.join()
    failed, recovery = probe.outage_after(moment)
    return results, failed, recovery


def restart_postgres() -> None:
    version = os.listdir("/etc/postgresql")[0]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
                   check=True, capture_output=True)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    server.prepare()
    master = server.start(args.workers)
    try:
        for path in PAGES.values():  # warm the page cache
            urllib.request.urlopen(server.BASE + path).read()
        print(
            f"## Load: {args.seconds} s, {args.connections} connections, "
            f"{args.workers} gunicorn workers, wrk -t2\n"
        )
        print(
            "| page | requests/s | p50 ms | p90 ms | p99 ms | requests | non-2xx | socket errors |"
        )
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for name, path in PAGES.items():
            r = wrk(path, args.seconds, args.connections)
            print(
                f"| {name} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p90']:.1f} | {r['p99']:.1f} "
                f"| {r['requests']} | {r['non2xx']} | {r['socket_errors']} |"
            )

        def kill_worker() -> None:
            os.kill(server.worker_pids(master)[0], signal.SIGKILL)

        print("\n## Faults\n")
        print(
            "| fault | page | requests/s | requests | non-2xx | socket errors | failed probes "
            "| recovery s |"
        )
        print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for label, path, fault in [
            ("kill -9 one worker", PAGES["article"], kill_worker),
            ("restart PostgreSQL", PAGES["history"], restart_postgres),
        ]:
            r, failed, recovery = fault_run(path, args.seconds, args.connections, fault)
            print(
                f"| {label} | {path} | {r['rps']:.0f} | {r['requests']} | {r['non2xx']} "
                f"| {r['socket_errors']} | {failed} | {recovery:.2f} |"
            )
        alive = len(server.worker_pids(master))
        print(f"\nWorkers alive after the runs: {alive} of {args.workers}.")
    finally:
        server.stop(master)


if __name__ == "__main__":
    main()

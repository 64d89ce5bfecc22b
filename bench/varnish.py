"""Readers through Varnish: throughput ratios, and a news spike while an editor publishes.

    .venv/bin/python -m bench.varnish [--seconds 10] [--connections 50] [--spike-seconds 60]

Side by side, in one run, on loopback (PostgreSQL + Redis, the seed crisis, gunicorn with four
workers, deploy/varnish/default.vcl):

1. the article through Varnish, against the same Varnish serving the same bytes from a static
   backend (the cache path's own limit), and against the app's own uncached render;
2. the app alone (Redis page cache) against a bare Django view returning the same bytes;
3. a spike: 200 connections through Varnish while an editor publishes an edit every 5 s; errors,
   latency, and the delay from each save's return to the edit being visible through the cache;
4. with ``--faults``: the same load through Varnish while PostgreSQL restarts, then Redis, then
   one gunicorn worker is killed with SIGKILL; an edit is published just before each fault, so
   Varnish has to fetch the page again while the fault lasts. This restarts the machine's own
   PostgreSQL and Redis: run it on a machine nothing else is using.

Prints a Markdown report. Traffic goes to 127.0.0.1 only; every loop is bounded in time.
"""

from __future__ import annotations

import argparse
import http.server
import os
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from bench import server
from bench.load import fault_run, restart_postgres, wrk

ROOT = Path(__file__).resolve().parent.parent
VCL = ROOT / "deploy" / "varnish" / "default.vcl"
ARTICLE = "/crises/azerbaijan-russia-2025/"
CACHE_PORT, STATIC_CACHE_PORT, STATIC_PORT, UNCACHED_PORT = 8094, 8095, 8096, 8093


def start_varnish(listen: int, backend: int, work: Path) -> subprocess.Popen:
    vcl = work / f"{listen}.vcl"
    vcl.write_text(VCL.read_text().replace('"8001"', f'"{backend}"'))
    process = subprocess.Popen(
        [shutil.which("varnishd") or "/usr/sbin/varnishd", "-F", "-j", "none",
         "-n", str(work / str(listen)), "-a", f"127.0.0.1:{listen}", "-f", str(vcl),
         "-s", "malloc,256m"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{listen}/healthz/", timeout=1)
            return process
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit(f"varnishd on {listen} did not become healthy")


def static_backend(body: bytes, headers) -> http.server.ThreadingHTTPServer:
    class Static(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):  # noqa: N802
            self.send_response(200)
            for name in ("Content-Type", "Cache-Control", "ETag"):
                self.send_header(name, headers[name])
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", STATIC_PORT), Static)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def row(name: str, result: dict, base: float | None = None) -> str:
    ratio = f"{result['rps'] / base:.2f}×" if base else ""
    return (
        f"| {name} | {result['rps']:,.0f} | {result['p50']:.2f} | {result['p99']:.2f} | "
        f"{result['non2xx'] + result['socket_errors']} | {ratio} |"
    )


def throughput(args, cache_url: str, static_url: str, uncached_url: str) -> None:
    targets = {
        "static": (static_url, ARTICLE),
        "varnish": (cache_url, ARTICLE),
        "uncached": (uncached_url, ARTICLE),
        "bare": (server.BASE, "/bench/bare/"),
        "app": (server.BASE, ARTICLE),
    }
    runs: dict[str, list[dict]] = {name: [] for name in targets}
    for _round in range(args.rounds):  # alternating, so drift in the machine hits every row
        for name, (base, path) in targets.items():
            runs[name].append(wrk_at(base, path, args))
    median = {name: median_run(found) for name, found in runs.items()}
    print(
        f"## Throughput: {args.rounds} alternating rounds of {args.seconds} s, "
        f"{args.connections} connections, wrk -t2 (median round)\n"
    )
    print("| request | req/s | p50 ms | p99 ms | errors | ratio |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    print(row("Varnish, static backend (the cache path's limit)", median["static"]))
    print(row("Varnish → app: article", median["varnish"], median["static"]["rps"]) + " of static")
    print(row("app, uncached render (no page cache)", median["uncached"]))
    ratio = median["varnish"]["rps"] / median["uncached"]["rps"]
    print(f"| Varnish → app vs uncached render | | | | | {ratio:.1f}× |")
    print(row("bare Django view, same bytes", median["bare"]))
    print(
        row("app alone (Redis page cache): article", median["app"], median["bare"]["rps"])
        + " of bare"
    )
    for name, found in runs.items():
        print(f"\n{name}: " + ", ".join(f"{run['rps']:,.0f}" for run in found) + " req/s", end="")
    print("\n")


def median_run(runs: list[dict]) -> dict:
    return sorted(runs, key=lambda run: run["rps"])[len(runs) // 2]


def wrk_at(base: str, path: str, args) -> dict:
    saved, server.BASE = server.BASE, base
    try:
        return wrk(path, args.seconds, args.connections)
    finally:
        server.BASE = saved


def spike(args, cache_url: str) -> None:
    from crisis_tracker.history import revision
    from events.models import Section

    section = Section.objects.get(crisis__slug="azerbaijan-russia-2025", key="联合国")
    original = section.body
    results: dict = {}
    load = threading.Thread(
        target=lambda: results.update(
            wrk_at(cache_url, ARTICLE, argparse.Namespace(seconds=args.spike_seconds,
                                                          connections=200))
        )
    )  # fmt: skip
    load.start()
    delays = []
    started = time.monotonic()
    edit = 0
    while time.monotonic() - started < args.spike_seconds - 6:
        time.sleep(5)
        edit += 1
        marker = f"（第{edit}次核对）"
        section.body = original.replace("。", marker + "。", 1)
        with revision(summary=f"Spike edit {edit}"):
            section.save()
        saved = time.monotonic()
        for _ in range(500):  # at most 5 s
            body = urllib.request.urlopen(cache_url + ARTICLE, timeout=5).read().decode()
            if marker in body:
                delays.append(time.monotonic() - saved)
                break
            time.sleep(0.01)
        else:
            delays.append(float("inf"))
    load.join()
    section.body = original
    with revision(summary="Spike over"):
        section.save()
    print(
        f"## Spike: 200 connections for {args.spike_seconds} s through Varnish, an edit every 5 s\n"
    )
    print("| req/s | p50 ms | p99 ms | errors | edits | save → visible, median | worst |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    errors = results["non2xx"] + results["socket_errors"]
    print(
        f"| {results['rps']:,.0f} | {results['p50']:.2f} | {results['p99']:.2f} | {errors} | "
        f"{len(delays)} | {statistics.median(delays) * 1000:.0f} ms | {max(delays) * 1000:.0f} ms |"
    )
    print()


def restart_redis() -> None:
    subprocess.run(["redis-cli", "shutdown", "nosave"], capture_output=True)
    subprocess.run(
        ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379",
         "--save", "", "--appendonly", "no", "--dir", "/var/lib/redis",
         "--logfile", "/var/log/redis/ci.log"],
        check=True, capture_output=True,
    )  # fmt: skip


def kill_a_worker(master) -> None:
    os.kill(server.worker_pids(master)[0], 9)


def faults(args, cache_url: str, master) -> None:
    from crisis_tracker.history import revision
    from events.models import Section

    section = Section.objects.get(crisis__slug="azerbaijan-russia-2025", key="联合国")
    original = section.body
    seconds = args.fault_seconds
    print(f"## Faults through Varnish: {seconds} s of load (50 connections) each\n")
    print("| fault | req/s | requests | non-2xx | socket errors | failed probes |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    kinds = {
        "restart PostgreSQL": restart_postgres,
        "restart Redis": restart_redis,
        "kill -9 one worker": lambda: kill_a_worker(master),
    }
    for number, (name, fault) in enumerate(kinds.items(), 1):

        def edit_then(fault=fault, number=number):
            section.body = original.replace("。", f"（故障{number}）。", 1)
            with revision(summary=f"Edit before fault {number}"):
                section.save()  # purges the article: Varnish must fetch it during the fault
            fault()

        saved, server.BASE = server.BASE, cache_url
        try:
            result, failed, _recovery = fault_run(ARTICLE, seconds, 50, edit_then)
        finally:
            server.BASE = saved
        print(
            f"| {name} | {result['rps']:,.0f} | {result['requests']} | {result['non2xx']} | "
            f"{result['socket_errors']} | {failed} |"
        )
        from django.db import connection

        connection.close()  # the bench's own connection did not survive the restart
    section.body = original
    with revision(summary="Faults over"):
        section.save()
    print()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--spike-seconds", type=int, default=60)
    parser.add_argument("--faults", action="store_true")
    parser.add_argument("--fault-seconds", type=int, default=30)
    args = parser.parse_args()
    cache_url = f"http://127.0.0.1:{CACHE_PORT}"
    server.prepare()
    server.ENV["CACHE_PURGE_URLS"] = cache_url + "/"
    os.environ.update(server.ENV)
    import django

    django.setup()
    work = Path(tempfile.mkdtemp())
    processes = [server.start(4)]
    try:
        article = urllib.request.urlopen(server.BASE + ARTICLE)
        body, headers = article.read(), article.headers
        server.BARE_BODY.write_bytes(body)
        static_backend(body, headers)
        saved_base, saved_port = server.BASE, server.PORT
        server.PORT, server.BASE = UNCACHED_PORT, f"http://127.0.0.1:{UNCACHED_PORT}"
        server.ENV["REDIS_URL"] = "redis://127.0.0.1:9/0"  # no page cache: every request renders
        processes.append(server.start(4))
        server.PORT, server.BASE = saved_port, saved_base
        processes.append(start_varnish(CACHE_PORT, server.PORT, work))
        processes.append(start_varnish(STATIC_CACHE_PORT, STATIC_PORT, work))
        throughput(args, cache_url, f"http://127.0.0.1:{STATIC_CACHE_PORT}",
                   f"http://127.0.0.1:{UNCACHED_PORT}")  # fmt: skip
        spike(args, cache_url)
        if args.faults:
            faults(args, cache_url, processes[0])
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

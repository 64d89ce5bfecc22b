"""Link checks at desk scale: 10,000 cited addresses spread over 20 hosts (web servers on
127.0.0.1 in a separate process, named h0.bench.test … h19.bench.test, which this script's
resolver maps to 127.0.0.1), checked by ``sources.link_health.check_many`` with one request
at a time per host. Prints the time against the politeness budget (the longest host's share of
delays), requests per second and the peak memory of the checking process.

    .venv/bin/python -m bench.link_check [--urls 10000] [--hosts 20] [--delay 0.05]

Runs on a fresh SQLite file unless DATABASE_URL is set.
"""

import argparse
import multiprocessing
import os
import resource
import socket
import tempfile
import time

PAGE = (
    "<html lang='en'><head><title>Statement {n}</title></head><body><article>"
    + "<p>The ministry said in a statement that talks would continue next week. </p>" * 20
    + "</article></body></html>"
)


def serve(ports: "multiprocessing.Queue", hosts: int) -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):  # noqa: N802
            found = self.path.startswith("/page/")
            body = PAGE.format(n=self.path).encode() if found else b"<title>Not found</title>"
            self.send_response(200 if found else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    servers = [ThreadingHTTPServer(("127.0.0.1", 0), Handler) for _ in range(hosts)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    ports.put([server.server_address[1] for server in servers])
    threading.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--urls", type=int, default=10_000)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--delay", type=float, default=0.05)
    args = parser.parse_args()

    ports_queue = multiprocessing.Queue()
    servers = multiprocessing.Process(target=serve, args=(ports_queue, args.hosts), daemon=True)
    servers.start()
    ports = ports_queue.get(timeout=30)

    folder = tempfile.mkdtemp(prefix="link-check-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{folder}/bench.sqlite3")
    os.environ.update(
        {
            "DJANGO_DEBUG": "1",
            "FETCH_ALLOW_LOOPBACK": "1",
            "SOURCE_CAPTURE_ON_SAVE": "0",
            "LINK_CHECK_DELAY": str(args.delay),
        }
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crisis_tracker.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from sources import fetching
    from sources.link_health import check_many
    from sources.models import LinkCheck, Source

    def bench_names(host, port, *rest, **kwargs):
        return socket.getaddrinfo("127.0.0.1" if host.endswith(".bench.test") else host, port,
                                  *rest, **kwargs)  # fmt: skip

    fetching.resolver = bench_names

    call_command("migrate", verbosity=0)
    Source.objects.filter(key__startswith="bench-link-").delete()
    Source.objects.bulk_create(
        Source(key=f"bench-link-{n}", title=f"Statement {n}",
               url=f"http://h{n % len(ports)}.bench.test:{ports[n % len(ports)]}/page/{n}")
        for n in range(args.urls)
    )  # fmt: skip
    sources = list(Source.objects.filter(key__startswith="bench-link-"))
    per_host = -(-args.urls // args.hosts)
    budget = (per_host - 1) * args.delay
    started = time.monotonic()
    counts = check_many(sources, hosts=args.hosts)
    elapsed = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    over = elapsed - budget
    print("| addresses | hosts | delay per host | politeness budget | time | over the budget "
          "| checks/s | peak RSS |")  # fmt: skip
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(f"| {args.urls:,} | {args.hosts} | {args.delay} s | {budget:.1f} s | {elapsed:.1f} s "
          f"| {over:.2f} s ({100 * over / budget:.2f} %) | {args.urls / elapsed:.0f} "
          f"| {peak:.0f} MB |")  # fmt: skip
    print(f"outcomes: {counts}; rows recorded: {LinkCheck.objects.count():,}")
    servers.terminate()


if __name__ == "__main__":
    main()

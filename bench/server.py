"""Start and stop gunicorn on loopback against a PostgreSQL database with the seed crisis."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PORT = int(os.environ.get("BENCH_PORT", "8099"))
BASE = f"http://127.0.0.1:{PORT}"
DATABASE = os.environ.get("BENCH_DATABASE", "crisis_tracker_bench")
BARE_BODY = Path("/tmp/crisis-tracker-bench-article.html")  # what /bench/bare/ returns


def body_file(name: str) -> Path:
    """What /bench/bare/<name>/ returns: the stored bytes of page ``name``."""
    return Path(f"/tmp/crisis-tracker-bench-{name}.html")


LOG = Path(os.environ.get("BENCH_LOG", "/tmp/crisis-tracker-bench-gunicorn.log"))

ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "DJANGO_SECURE_SSL_REDIRECT": "0",
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
    "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7"),
    "GUNICORN_ACCESS_LOG": "/dev/null",
}


def manage(*args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=ENV, check=True)


def prepare() -> None:
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DATABASE],
                   check=True)  # fmt: skip
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DATABASE], check=True)
    manage("migrate", "--no-input", "-v0")
    manage("import_fixture", "fixtures/azerbaijan-russia-2025.json", "--system")
    manage("collectstatic", "--no-input", "-v0")
    subprocess.run(["redis-cli", "-n", ENV["REDIS_URL"].rsplit("/", 1)[1], "flushdb"],
                   check=True, capture_output=True)  # fmt: skip


def start(workers: int = 4, port: int = PORT, settings: str = "bench.settings") -> subprocess.Popen:
    process = subprocess.Popen(
        [GUNICORN, "-c", "python:crisis_tracker.gunicorn", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "crisis_tracker.wsgi"],
        cwd=ROOT, env={**ENV, "DJANGO_SETTINGS_MODULE": settings}, stdout=subprocess.DEVNULL,
        stderr=LOG.open("ab"),
    )  # fmt: skip
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
            return process
        except urllib.error.HTTPError:
            return process  # it answers (the floor has no home page)
        except OSError:
            time.sleep(0.2)
    process.kill()
    sys.exit(f"gunicorn did not start; see {LOG}")


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)


def worker_pids(master: subprocess.Popen) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(master.pid)], capture_output=True, text=True)
    return [int(pid) for pid in out.stdout.split()]

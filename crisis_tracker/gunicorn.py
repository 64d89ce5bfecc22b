"""gunicorn settings: ``gunicorn -c python:crisis_tracker.gunicorn crisis_tracker.wsgi``.

Each value can be overridden from the environment (GUNICORN_BIND, GUNICORN_WORKERS, ...).
"""

import multiprocessing
import os

from crisis_tracker import collector

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 20
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = 200
# The application is loaded once, in the master, and each worker forked from it: starting
# Django costs about 1.6 s of CPU, which a worker replaced every ``max_requests`` would
# otherwise spend again (at 2,000 requests that was more than serving a cached page).
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") != "0"
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")


def pre_fork(server, worker):
    """What the master loaded is shared with the workers, out of their collector's sight."""
    collector.freeze()

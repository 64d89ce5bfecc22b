"""Reads past one database server: anonymous readers' requests read from PostgreSQL streaming
replicas, everything else from the primary.

With ``DATABASE_REPLICA_URLS`` set, each replica is a database alias (``replica_0``, …).
``ReplicaReadsMiddleware`` (after authentication) lets an anonymous reader's GET or HEAD read
from a healthy replica; writes, signed-in editors (who must read their own writes), commands
and tasks use the primary. A replica is healthy when it answers and has replayed the primary's
changes of at most ``REPLICA_MAX_LAG`` seconds ago; each process asks each replica at most every
``CHECK_EVERY`` seconds. A replica that fails while a page is being read is marked down and the
page is read again from the primary, so a replica stopping mid-run costs no reader an error.
"""

from __future__ import annotations

import contextvars
import itertools
import logging
import threading
import time

from django.conf import settings
from django.db import DatabaseError, connections

log = logging.getLogger(__name__)

CHECK_EVERY = 5.0  # seconds between two health checks of one replica, per process
# Seconds since the replica last replayed a change; 0 when it has replayed all it received
# (an idle primary sends nothing, and an idle replica is not behind).
LAG_SQL = """
    SELECT CASE
        WHEN NOT pg_is_in_recovery() THEN NULL
        WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
        ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())
    END
"""

_reading: contextvars.ContextVar[str | None] = contextvars.ContextVar("replica", default=None)
_health: dict[str, tuple[float, bool]] = {}  # alias → (checked at, healthy)
_lock = threading.Lock()
_turn = itertools.count()
reads: dict[str, int] = {}  # alias → requests read from it in this process (for operators, tests)


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica_")]


class ReplicaRouter:
    """Reads go where the request's middleware says (None: the primary); writes and
    migrations to the primary."""

    def db_for_read(self, model, **hints):
        return _reading.get()

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # every alias holds the same data

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


def lag_of(alias: str) -> float | None:
    """Seconds the replica is behind, or None if it does not answer or is not a replica."""
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute(LAG_SQL)
            (lag,) = cursor.fetchone()
    except DatabaseError as error:
        log.warning("Replica %s unavailable: %s", alias, error)
        connections[alias].close()
        return None
    return None if lag is None else float(lag)


def healthy(alias: str) -> bool:
    now = time.monotonic()
    with _lock:
        checked_at, ok = _health.get(alias, (-CHECK_EVERY, True))
    if now - checked_at < CHECK_EVERY:
        return ok
    lag = lag_of(alias)
    ok = lag is not None and lag <= settings.REPLICA_MAX_LAG
    if not ok and lag is not None:
        log.warning("Replica %s skipped: %.1f s behind the primary", alias, lag)
    with _lock:
        _health[alias] = (now, ok)
    return ok


def mark_down(alias: str) -> None:
    connections[alias].close()
    with _lock:
        _health[alias] = (time.monotonic(), False)


def choose() -> str | None:
    """A healthy replica, taking turns; None when there is none."""
    aliases = replica_aliases()
    if not aliases:
        return None
    start = next(_turn) % len(aliases)
    for alias in aliases[start:] + aliases[:start]:
        if healthy(alias):
            return alias
    return None


def forget_health() -> None:
    with _lock:
        _health.clear()


def read_from_replica(call):
    """``call()`` (a view) reading from a healthy replica; if none is, or the replica fails
    while the page is read, from the primary (a reader's GET changes nothing: reading it again
    is safe)."""
    alias = choose()
    if alias is None:
        return call()
    token = _reading.set(alias)
    try:
        response = call()
        if callable(getattr(response, "render", None)):
            response = response.render()  # DRF and template responses read as they render
        reads[alias] = reads.get(alias, 0) + 1
        return response
    except DatabaseError as error:
        log.warning("Replica %s failed mid-request, read again from the primary: %s",
                    alias, error)  # fmt: skip
        mark_down(alias)
    finally:
        _reading.reset(token)
    return call()


class ReplicaReadsMiddleware:
    """Anonymous readers' GET and HEAD requests read from a healthy replica. Last in the
    middleware: it runs the view itself (``process_view``), after everyone else's look at it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not may_read_replica(request):
            return None
        return read_from_replica(lambda: view_func(request, *view_args, **view_kwargs))


def may_read_replica(request) -> bool:
    if request.method not in ("GET", "HEAD") or not replica_aliases():
        return False
    if request.path_info.startswith("/admin/"):
        return False  # the desk reads what it writes
    return not request.user.is_authenticated  # editors read their own writes

"""Rendered public pages of a crisis, cached until its content changes.

Each crisis has a content version in the cache, and all crises share a generation that changes
whenever a source or an actor does. A page part is cached under both, so a reader's request in
steady state costs no database query, and on Redis no round trip either (the versions are
watched: ``_current_versions``); any save bumps a version instead of hunting down stale keys.
"""

from __future__ import annotations

import contextvars
import hashlib
import logging
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from redis.exceptions import RedisError

from .models import Crisis

log = logging.getLogger(__name__)
CACHE_ERRORS = (RedisError, OSError)
GENERATION_KEY = "pages:generation"
# Bumped whenever the shape of cached values changes, so a deploy never reads old entries.
FORMAT = 5
ALL = ("all", None)
_pending: contextvars.ContextVar[set | None] = contextvars.ContextVar("page_bumps", default=None)


VERSION_PREFIXES = (GENERATION_KEY, "pages:crisis:")


def _version_key(slug: str) -> str:
    return VERSION_PREFIXES[1] + hashlib.sha1(slug.encode()).hexdigest()


def _current_versions(keys: list[str]) -> dict:
    """The versions under ``keys`` now: from the shared cache, which a Redis cache answers from
    this process's memory while Redis has announced no change of them
    (``crisis_tracker.cache.Watch``: a save on any server is still seen on the next request)."""
    if hasattr(cache, "get_many_watched"):
        return cache.get_many_watched(keys, VERSION_PREFIXES)
    return cache.get_many(keys)


def _new_version(key: str) -> None:
    _set_version(key)
    # Again once the transaction commits: a reader who rendered the old rows in between must
    # not have cached them under the version that is current afterwards.
    transaction.on_commit(lambda: _set_version(key))


def _set_version(key: str) -> None:
    try:
        cache.set(key, uuid.uuid4().hex, None)
    except CACHE_ERRORS as error:  # nothing is cached while the cache is down, so nothing is stale
        log.warning("Page cache unavailable, version %s not bumped: %s", key, error)


def _bump(kind: str, values) -> None:
    pending = _pending.get()
    if pending is not None:
        if ALL not in pending:  # a new generation renews every crisis: nothing else to keep
            pending.update((kind, value) for value in values)
        return
    if kind == "all":
        _new_version(GENERATION_KEY)
        return
    for slug in _slugs(kind, values) if values else []:
        _new_version(_version_key(slug))


def _slugs(kind: str, values) -> list[str]:
    if kind == "slug":
        return list(values)
    lookup = {"crisis": "pk__in", "event": "events__pk__in"}[kind]
    return list(Crisis.objects.filter(**{lookup: list(values)}).values_list("slug", flat=True))


def bump_crisis(slug: str) -> None:
    _bump("slug", [slug])


def bump_crisis_ids(crisis_ids) -> None:
    """One query for all of them (the slugs name the cache versions)."""
    _bump("crisis", list(crisis_ids))


def bump_event_id(event_id: int) -> None:
    _bump("event", [event_id])


def bump_all() -> None:
    _bump("all", [None])


@contextmanager
def bumps_deferred() -> Iterator[None]:
    """Collect page-cache bumps (e.g. during a large import) and make each once at the end."""
    pending: set = set()
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
        _bump_pending(pending)


def _bump_pending(pending: set) -> None:
    if ALL in pending:
        _new_version(GENERATION_KEY)
        return
    slugs = set()
    for kind in ("slug", "crisis", "event"):
        values = {value for k, value in pending if k == kind}
        slugs.update(_slugs(kind, values) if values else [])
    for slug in sorted(slugs):
        _new_version(_version_key(slug))


def cached_part(slug: str, name: str, build: Callable[[], Any]) -> Any:
    """Return the cached value of a page part of a crisis, building it on a miss (or, while
    the shared cache is unreachable, on every request: pages then come from the database).

    ``name`` must say everything the value depends on besides content (language, audience,
    filters). Values are stored with the versions they were built for. Each request reads the
    current versions from the shared cache (one small round trip); a value this process already
    holds for those versions is used without fetching it again. ``build`` returning None (no
    such crisis) is not cached.
    """
    try:
        return _cached_part(slug, name, build)
    except CACHE_ERRORS as error:
        log.warning("Page cache unavailable, rendering from the database: %s", error)
        return build()


def _cached_part(slug: str, name: str, build: Callable[[], Any]) -> Any:
    version_key = _version_key(slug)
    key = f"pages:part:{FORMAT}:" + hashlib.sha1(f"{slug}|{name}".encode()).hexdigest()
    found = _current_versions([GENERATION_KEY, version_key])
    versions = (found.get(GENERATION_KEY), found.get(version_key))
    if None not in versions:
        entry = _held.get(key)
        if entry is None or entry[0] != versions:
            entry = cache.get(key)
        if entry is not None and entry[0] == versions:
            _hold(key, entry)
            return entry[1]
    versions = (_ensure(GENERATION_KEY, versions[0]), _ensure(version_key, versions[1]))
    value = build()
    if value is not None:
        cache.set(key, (versions, value), settings.PAGE_CACHE_SECONDS)
        _hold(key, (versions, value))
    return value


# Values this process has fetched or built, with their versions; checked against the shared
# versions on every use, so a save on any server is seen on the next request.
_held: OrderedDict[str, tuple] = OrderedDict()
HELD_LIMIT = 200


def _hold(key: str, entry: tuple) -> None:
    _held[key] = entry
    _held.move_to_end(key)
    while len(_held) > HELD_LIMIT:
        _held.popitem(last=False)


def _ensure(key: str, value: str | None) -> str:
    """The version under ``key``, starting one if the cache has none (first use, eviction)."""
    if value is None:
        cache.add(key, uuid.uuid4().hex, None)
        value = cache.get(key)
    return value

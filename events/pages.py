"""Rendered public pages of a crisis, cached until its content changes.

Each crisis has a content version in the cache, and all crises share a generation that changes
whenever a source or an actor does. A page part is cached under both, so a reader's request in
steady state costs two cache reads and no database query; any save bumps a version instead of
hunting down stale keys.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache

GENERATION_KEY = "pages:generation"


def _version_key(slug: str) -> str:
    return "pages:crisis:" + hashlib.sha1(slug.encode()).hexdigest()


def bump_crisis(slug: str) -> None:
    cache.set(_version_key(slug), uuid.uuid4().hex, None)


def bump_all() -> None:
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)


def _current_versions(slug: str) -> tuple[str, str]:
    key = _version_key(slug)
    found = cache.get_many([GENERATION_KEY, key])
    generation = found.get(GENERATION_KEY)
    version = found.get(key)
    if generation is None:
        generation = uuid.uuid4().hex
        cache.add(GENERATION_KEY, generation, None)
        generation = cache.get(GENERATION_KEY, generation)
    if version is None:
        version = uuid.uuid4().hex
        cache.add(key, version, None)
        version = cache.get(key, version)
    return generation, version


def cached_part(slug: str, name: str, build: Callable[[], Any]) -> Any:
    """Return the cached value of a page part of a crisis, building it on a miss.

    ``name`` must say everything the value depends on besides content (language, audience,
    filters). ``build`` returning None (no such crisis) is not cached.
    """
    generation, version = _current_versions(slug)
    digest = hashlib.sha1(f"{slug}|{name}".encode()).hexdigest()
    key = f"pages:part:{digest}:{generation}:{version}"
    value = cache.get(key)
    if value is None:
        value = build()
        if value is not None:
            cache.set(key, value, settings.PAGE_CACHE_SECONDS)
    return value

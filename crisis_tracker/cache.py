"""Django's Redis cache backend, keeping one Redis client per connection pool, and reading keys
that rarely change (the page cache's versions) from memory until Redis says they changed.

The stock client builds a new ``redis.Redis`` for every operation, and building one copies a
table of response callbacks; on a cached page that was most of the request's time. Clients are
thread-safe and share the pool, so one per pool is enough.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError, ResponseError

log = logging.getLogger(__name__)
INVALIDATIONS = "__redis__:invalidate"


class ReusingClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class Watch:
    """Values of keys under some prefixes, answered from this process's memory until Redis
    announces a change.

    Redis's client-side caching in broadcast mode (``CLIENT TRACKING ON BCAST PREFIX …``,
    redirected to a connection of the watch's own subscribed to ``__redis__:invalidate``)
    announces every change of a key under the prefixes — a write from any process, an expiry,
    an eviction, a flush. Each read first takes in what has arrived on that connection (a poll,
    no round trip), so a value comes from memory only while no change of it has reached this
    process; anything else is read from Redis. When the connection fails, memory is dropped and
    reads go to Redis until it is set up again (retried every ``RETRY_SECONDS``); a Redis that
    refuses tracking (before 6.0, or a command not allowed) turns the watch off for good.
    """

    RETRY_SECONDS = 5.0

    def __init__(self, connect: Callable, prefixes: Iterable[str]):
        self._connect_to_redis = connect
        self._prefixes = tuple(prefixes)
        self._lock = threading.Lock()
        self._connection = None
        self._pid = 0
        self._known: dict[str, object] = {}
        self._changes = 0  # announcements taken in: a read that overlapped one is not kept
        self._next_try = 0.0
        self.client_id = None  # the watch's connection, as Redis's CLIENT LIST names it

    def get_many(self, keys: list[str], read: Callable[[list[str]], dict]) -> dict:
        """The values of ``keys`` (all under the prefixes) that exist, as ``read`` would give."""
        with self._lock:
            live = self._take_in()
            if live and all(key in self._known for key in keys):
                return {key: self._known[key] for key in keys}
            changes = self._changes
        found = read(keys)
        with self._lock:
            # Kept only if no change was taken in meanwhile (by another thread): it could have
            # been a change of these keys made after the read, which must not be forgotten.
            if live and self._connection is not None and self._changes == changes:
                self._known.update(found)
        return found

    def forget(self, keys: Iterable[str] | None = None) -> None:
        """Drop ``keys`` (all if None): this process changed them, and its own announcement
        may reach it a moment after its write returned."""
        if keys is not None:
            keys = [key for key in keys if key.startswith(self._prefixes)]
            if not keys:
                return  # not a watched key: nothing to drop, no read to discard
        with self._lock:
            self._changes += 1
            if keys is None:
                self._known.clear()
            for key in keys or ():
                self._known.pop(key, None)

    def _take_in(self) -> bool:
        """Take in the announcements that have arrived; whether the watch is live."""
        if self._pid != os.getpid():  # a forked process: the parent's connection is not ours
            self._connection, self._pid = None, os.getpid()
        if self._connection is None and not self._set_up():
            return False
        try:
            # Never let redis-py reconnect on its own: a new connection tracks nothing.
            while self._connection.is_connected and self._connection.can_read(timeout=0):
                self._take(self._connection.read_response())
            if not self._connection.is_connected:
                raise ConnectionError("closed")
        except (RedisError, OSError) as error:
            log.warning("Page cache watch lost its Redis connection: %s", error)
            self._drop()
            return False
        return True

    def _take(self, message) -> None:
        if not (isinstance(message, list) and len(message) == 3 and message[0] == b"message"):
            return
        self._changes += 1
        if message[2] is None:  # the database was flushed
            self._known.clear()
            return
        for key in message[2]:
            self._known.pop(key.decode(), None)

    def _set_up(self) -> bool:
        if time.monotonic() < self._next_try:
            return False
        self._next_try = time.monotonic() + self.RETRY_SECONDS
        self._known.clear()
        try:
            connection = self._connect_to_redis()
            connection.connect()
            client_id = self._command(connection, "CLIENT", "ID")
            prefixes = [part for prefix in self._prefixes for part in ("PREFIX", prefix)]
            self._command(connection, "CLIENT", "TRACKING", "ON", "REDIRECT", client_id,
                          "BCAST", *prefixes)  # fmt: skip
            self._command(connection, "SUBSCRIBE", INVALIDATIONS)
        except ResponseError as error:
            log.warning("Page cache watch off: Redis refused tracking (%s)", error)
            self._next_try = float("inf")
            return False
        except (RedisError, OSError) as error:
            log.warning("Page cache watch not set up, reading from Redis: %s", error)
            return False
        self._connection, self.client_id = connection, client_id
        return True

    @staticmethod
    def _command(connection, *args):
        connection.send_command(*args)
        return connection.read_response()

    def _drop(self) -> None:
        connection, self._connection = self._connection, None
        self._known.clear()
        self._changes += 1
        if connection is not None:
            connection.disconnect()


def _forgetting(method: Callable, keys_of: Callable) -> Callable:
    """``method`` (a write), then its keys (all if ``keys_of`` gives None) dropped from memory."""

    @functools.wraps(method)
    def write(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        finally:
            self._forget(keys_of(*args, **kwargs))

    return write


class SharedRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingClient
        self._watches: dict[tuple[str, ...], Watch] = {}

    def get_many_watched(self, keys: list[str], prefixes: tuple[str, ...]) -> dict:
        """``get_many`` for keys under ``prefixes`` that are read far more often than written:
        answered from memory while Redis has announced no change of them (see ``Watch``)."""
        watch = self._watches.get(prefixes)
        if watch is None:
            made = [self.make_and_validate_key(prefix) for prefix in prefixes]
            watch = self._watches[prefixes] = Watch(self._watch_connection, made)
        if not all(key.startswith(prefixes) for key in keys):
            raise ValueError(f"Watched keys must start with one of {prefixes}: {keys}")
        # Made without the memcached-style key checks, which cost more than the read itself.
        made = {self.make_key(key): key for key in keys}
        found = watch.get_many(list(made), self._read_from_primary)
        return {made[key]: value for key, value in found.items()}

    def _read_from_primary(self, keys: list[str]) -> dict:
        """Watched keys are read where they are written (the announcements come from there): a
        replica's value could be older than an announcement already taken in."""
        values = self._cache.get_client(write=True).mget(keys)
        loads = self._cache._serializer.loads
        pairs = zip(keys, values, strict=True)
        return {key: loads(value) for key, value in pairs if value is not None}

    def _watch_connection(self):
        """A connection of its own to the primary, speaking RESP2 (where tracking announcements
        come as messages on a subscribed connection)."""
        pool = self._cache._get_connection_pool(write=True)
        options = {k: v for k, v in pool.connection_kwargs.items() if not k.startswith("maint_")}
        return pool.connection_class(**{**options, "protocol": 2})

    def _forget(self, keys: Iterable[str] | None) -> None:
        made = None if keys is None else [self.make_key(key) for key in keys]  # the write checks
        for watch in self._watches.values():
            watch.forget(made)

    # This process's own writes are forgotten once made (their announcements follow).
    set = _forgetting(RedisCache.set, lambda key, *rest, **options: [key])
    add = _forgetting(RedisCache.add, lambda key, *rest, **options: [key])
    incr = _forgetting(RedisCache.incr, lambda key, *rest, **options: [key])
    delete = _forgetting(RedisCache.delete, lambda key, *rest, **options: [key])
    set_many = _forgetting(RedisCache.set_many, lambda data, *rest, **options: list(data))
    clear = _forgetting(RedisCache.clear, lambda: None)

    def delete_many(self, keys, version=None):
        keys = list(keys)
        try:
            return super().delete_many(keys, version)
        finally:
            self._forget(keys)

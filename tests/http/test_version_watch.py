"""Watched keys (the page cache's versions) are answered from memory only while Redis has
announced no change of them: a write from another process, a flush, a lost connection or a
read that overlapped a change each send the next read to Redis."""

import uuid
from unittest import mock

import pytest
import redis
from django.test import Client
from redis.exceptions import ResponseError

from crisis_tracker.cache import SharedRedisCache, Watch

REDIS = "redis://127.0.0.1:6379/14"
PREFIXES = ("versions:",)
KEYS = ["versions:a", "versions:b"]


def backend(prefix: str) -> SharedRedisCache:
    return SharedRedisCache(REDIS, {"KEY_PREFIX": prefix})


@pytest.fixture
def caches():
    """Two app servers' caches on one Redis (a key prefix of this test's own)."""
    prefix = f"watch-test-{uuid.uuid4().hex}"
    ours, theirs = backend(prefix), backend(prefix)
    theirs.set_many({"versions:a": "1", "versions:b": "1"})
    yield ours, theirs
    theirs.delete_many(KEYS)


def counting_reads(cache: SharedRedisCache):
    return mock.patch.object(cache, "_read_from_primary", wraps=cache._read_from_primary)


def watch_of(cache: SharedRedisCache) -> Watch:
    return cache._watches[PREFIXES]


def wait_for_announcement(cache: SharedRedisCache) -> None:
    """Until something has arrived on the watch's connection (Redis sends announcements as the
    write is answered; this only keeps the test from racing them)."""
    try:
        assert watch_of(cache)._connection.can_read(timeout=5)
    except redis.ConnectionError:
        pass  # what arrived is the connection's end


def test_a_read_is_answered_from_memory_until_another_process_writes(caches):
    ours, theirs = caches
    with counting_reads(ours) as reads:
        assert ours.get_many_watched(KEYS, PREFIXES) == {"versions:a": "1", "versions:b": "1"}
        assert ours.get_many_watched(KEYS, PREFIXES) == {"versions:a": "1", "versions:b": "1"}
        assert reads.call_count == 1
        theirs.set("versions:b", "2")
        wait_for_announcement(ours)
        assert ours.get_many_watched(KEYS, PREFIXES) == {"versions:a": "1", "versions:b": "2"}
        assert reads.call_count == 2


def test_writes_outside_the_prefixes_announce_nothing(caches):
    ours, theirs = caches
    ours.get_many_watched(KEYS, PREFIXES)
    theirs.set("pages:part:x", "a page")
    assert not watch_of(ours)._connection.can_read(timeout=0.2)
    theirs.delete("pages:part:x")


def test_this_process_sees_its_own_write_at_once(caches):
    ours, _ = caches
    ours.get_many_watched(KEYS, PREFIXES)
    # Its own announcement may come a moment after the write returns: as if it had not yet.
    with mock.patch.object(watch_of(ours)._connection, "can_read", return_value=False):
        ours.set("versions:a", "3")
        assert ours.get_many_watched(KEYS, PREFIXES)["versions:a"] == "3"
        ours.delete("versions:a")
        assert ours.get_many_watched(KEYS, PREFIXES) == {"versions:b": "1"}
        ours.set_many({"versions:a": "6", "versions:b": "6"})
        assert ours.get_many_watched(KEYS, PREFIXES) == {"versions:a": "6", "versions:b": "6"}


def test_a_flush_forgets_everything(caches):
    ours, _ = caches
    ours.get_many_watched(KEYS, PREFIXES)
    redis.Redis.from_url(REDIS).flushdb()
    wait_for_announcement(ours)
    assert ours.get_many_watched(KEYS, PREFIXES) == {}


def test_a_lost_connection_sends_reads_to_redis(caches):
    ours, theirs = caches
    ours.get_many_watched(KEYS, PREFIXES)
    other = redis.Redis.from_url(REDIS)
    assert other.client_kill_filter(_id=watch_of(ours).client_id) == 1
    theirs.set("versions:a", "4")  # announced to nobody: the watch's connection is gone
    wait_for_announcement(ours)  # the connection's end
    with counting_reads(ours) as reads:
        assert ours.get_many_watched(KEYS, PREFIXES)["versions:a"] == "4"
        assert reads.call_count == 1
    assert ours.get_many_watched(KEYS, PREFIXES)["versions:a"] == "4"


def test_a_read_that_overlapped_a_change_is_not_kept(caches):
    """Another thread took in a change while this read was under way: the value read may be
    older than that change, so it is not kept."""
    ours, theirs = caches
    watch = Watch(ours._watch_connection, [ours.make_key(PREFIXES[0])])
    keys = [ours.make_key(key) for key in KEYS]

    def read_then_change(keys):
        found = ours._read_from_primary(keys)
        theirs.set("versions:a", "5")
        assert watch._connection.can_read(timeout=5)
        with watch._lock:
            watch._take_in()  # as another thread's request would
        return found

    assert watch.get_many(keys, read_then_change)[keys[0]] == "1"
    assert watch.get_many(keys, ours._read_from_primary)[keys[0]] == "5"


class RefusingConnection:
    """A Redis that does not allow CLIENT TRACKING."""

    def __init__(self):
        self.commands = []

    def connect(self):
        pass

    def send_command(self, *args):
        self.commands.append(args[:2])

    def read_response(self):
        if self.commands[-1] == ("CLIENT", "TRACKING"):
            raise ResponseError("NOPERM this user has no permissions to run 'client|tracking'")
        return 7


def test_a_redis_that_refuses_tracking_is_read_every_time_and_not_asked_again(caplog):
    connections = []

    def connect():
        connections.append(RefusingConnection())
        return connections[-1]

    watch = Watch(connect, ["versions:"])
    reads = mock.Mock(return_value={"versions:a": "1"})
    for _ in range(3):
        assert watch.get_many(["versions:a"], reads) == {"versions:a": "1"}
    assert reads.call_count == 3
    assert len(connections) == 1
    assert "Redis refused tracking" in caplog.text


def test_an_unreachable_redis_is_retried_only_now_and_then():
    connect = mock.Mock(side_effect=OSError("connection refused"))
    watch = Watch(connect, ["versions:"])
    reads = mock.Mock(return_value={})
    for _ in range(3):
        assert watch.get_many(["versions:a"], reads) == {}
    assert reads.call_count == 3
    assert connect.call_count == 1  # the next try after Watch.RETRY_SECONDS


def test_watched_keys_are_read_where_they_are_written():
    """With a Redis replica in LOCATION, reads may go to either; watched keys go to the
    primary, whose announcements they follow (here the "replica" is another database, which
    never receives the writes: reading it would find nothing)."""
    prefix = f"watch-test-{uuid.uuid4().hex}"
    cache = SharedRedisCache(f"{REDIS},redis://127.0.0.1:6379/15", {"KEY_PREFIX": prefix})
    cache.set_many({"versions:a": "1", "versions:b": "1"})
    try:
        for _ in range(20):
            cache._forget(None)  # each read goes to Redis
            assert cache.get_many_watched(KEYS, PREFIXES) == {"versions:a": "1", "versions:b": "1"}
    finally:
        cache.delete_many(KEYS)


def test_only_keys_under_the_prefixes_are_watched(caches):
    ours, _ = caches
    with pytest.raises(ValueError, match="must start with"):
        ours.get_many_watched(["pages:part:x"], PREFIXES)


@pytest.mark.django_db
def test_a_cached_reader_page_asks_redis_nothing(shared_cache, seed):
    client = Client()
    first = client.get(f"/crises/{seed.slug}/")  # built, its versions written
    assert first.status_code == 200
    client.get(f"/crises/{seed.slug}/")  # the versions read (this process wrote them)
    reads = mock.patch.object(redis.Redis, "execute_command", side_effect=AssertionError)
    with reads:
        again = client.get(f"/crises/{seed.slug}/")
    assert again.content == first.content

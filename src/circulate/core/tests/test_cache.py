"""The Redis cache fails soft: with Redis unreachable every call answers as a miss, and ping says why."""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings
from redis.exceptions import ConnectionError as RedisConnectionError

from circulate.core.asgi_server import free_loopback_port
from circulate.core.cache import ResilientRedisCache


def _unreachable_cache() -> ResilientRedisCache:
    # A port nothing listens on: every connection is refused at once.
    return ResilientRedisCache(
        f"redis://127.0.0.1:{free_loopback_port()}/0", {"OPTIONS": {"socket_connect_timeout": 1}}
    )


def test_every_call_answers_as_a_miss_while_redis_is_unreachable(caplog: pytest.LogCaptureFixture) -> None:
    # given
    cache = _unreachable_cache()
    # then reads miss, writes report nothing stored, counters start again
    assert cache.get("k") is None
    assert cache.get("k", "fallback") == "fallback"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.has_key("k") is False
    assert cache.add("k", 1) is False
    assert cache.set("k", 1) is None
    assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert cache.touch("k") is False
    assert cache.delete("k") is False
    assert cache.delete_many(["a"]) is None
    assert cache.incr("k", 5) == 5
    assert cache.get_or_set("k", "computed") == "computed"
    assert cache.clear() is None
    # and the outage is logged once, not once per call
    warnings = [record for record in caplog.records if "cache unreachable" in record.getMessage()]
    assert len(warnings) == 1


def test_ping_raises_the_real_error_for_the_readiness_probe() -> None:
    with pytest.raises(RedisConnectionError):
        _unreachable_cache().ping()


def test_one_redis_client_per_pool_serves_every_call() -> None:
    # given a cache (nothing needs to listen: building a client connects to nothing)
    cache = _unreachable_cache()
    client = cache._cache
    # then reads share one client and writes one (the same pool here: one server)
    assert client.get_client("a") is client.get_client("b")
    assert client.get_client("a", write=True) is client.get_client("c", write=True)


@pytest.mark.redis
def test_clear_with_a_key_prefix_forgets_only_the_keys_under_it() -> None:
    # given two caches sharing one Redis database, with prefixes that glob patterns would confuse
    run = uuid.uuid4().hex
    ours = ResilientRedisCache(settings.REDIS_URL, {"KEY_PREFIX": f"{run}-a*"})
    theirs = ResilientRedisCache(settings.REDIS_URL, {"KEY_PREFIX": f"{run}-ab"})
    ours.set_many({f"k{i}": i for i in range(2500)})  # more than one batch of deletes
    theirs.set_many({"k1": "kept", "k2": "kept"})
    try:
        # when
        ours.clear()
        # then
        assert ours.get_many(["k0", "k1", "k2499"]) == {}
        assert theirs.get_many(["k1", "k2"]) == {"k1": "kept", "k2": "kept"}
    finally:
        ours.clear()
        theirs.clear()

"""The Redis cache, failing soft: when Redis is unreachable the cache behaves as empty.

What Circulate keeps in the cache can be lost without harm: throttle counters and the
readiness probe's scratch key. With Django's own backend an unreachable Redis raised from
every throttled request, so logging in answered 500 while Redis was down. Here a connection
error or timeout is logged (once per outage) and the call answers as a cache miss: throttles
let requests through (django-axes keeps its login lockouts in the database, so repeated
failed logins are still refused), and once Redis answers again everything works as before,
without a restart. ``/health/ready/`` still reports the outage (503 naming the cache).
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
F = TypeVar("F", bound=Callable[..., Any])


def _soft(default: Callable[..., Any]) -> Callable[[F], F]:
    """Run the cache call; when Redis cannot be reached, log and answer ``default(*args, **kwargs)``."""

    def wrap(method: F) -> F:
        @functools.wraps(method)
        def call(self: ResilientRedisCache, *args: Any, **kwargs: Any) -> Any:
            try:
                result = method(self, *args, **kwargs)
            except UNREACHABLE as exc:
                self._went_down(method.__name__, exc)
                return default(*args, **kwargs)
            self._came_back()
            return result

        return call  # type: ignore[return-value]

    return wrap


def _second_argument_or(fallback: Any) -> Callable[..., Any]:
    def pick(*args: Any, **kwargs: Any) -> Any:
        return args[1] if len(args) > 1 else kwargs.get("default", kwargs.get("delta", fallback))

    return pick


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's Redis cache client, with one ``redis.Redis`` per connection pool instead of one per call.

    Django builds a new ``redis.Redis`` for every cache operation, and redis-py's constructor
    copies its table of some 170 response callbacks each time: about a third of a millisecond
    of CPU per ``get``, several times per request (throttles, the shared read caches). A
    ``redis.Redis`` is safe to share between threads (each command borrows a connection from
    the pool), so one per pool serves every call.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]  # untyped in the stubs
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients.setdefault(id(pool), self._client(connection_pool=pool))  # type: ignore[attr-defined]
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
        self._down = False
        self._lock = threading.Lock()

    def _went_down(self, operation: str, exc: Exception) -> None:
        with self._lock:
            first, self._down = not self._down, True
        if first:
            logger.warning("cache unreachable (%s: %s); answering as a miss until it is back", operation, exc)

    def _came_back(self) -> None:
        if self._down:
            with self._lock:
                was_down, self._down = self._down, False
            if was_down:
                logger.warning("cache reachable again")

    def ping(self) -> None:
        """Raise when Redis cannot be reached (the readiness probe wants the real error, not a miss)."""
        self._cache.get_client().ping()  # type: ignore[attr-defined]  # RedisCache's client, untyped in the stubs

    get = _soft(_second_argument_or(None))(RedisCache.get)
    get_many = _soft(lambda *args, **kwargs: {})(RedisCache.get_many)
    has_key = _soft(lambda *args, **kwargs: False)(RedisCache.has_key)
    add = _soft(lambda *args, **kwargs: False)(RedisCache.add)
    set = _soft(lambda *args, **kwargs: None)(RedisCache.set)
    set_many = _soft(lambda keys, *args, **kwargs: list(keys))(RedisCache.set_many)
    touch = _soft(lambda *args, **kwargs: False)(RedisCache.touch)
    delete = _soft(lambda *args, **kwargs: False)(RedisCache.delete)
    delete_many = _soft(lambda *args, **kwargs: None)(RedisCache.delete_many)
    incr = _soft(_second_argument_or(1))(RedisCache.incr)

    @_soft(lambda *args, **kwargs: None)
    def clear(self) -> None:
        """Forget every key of this cache: with a ``KEY_PREFIX`` (``REDIS_KEY_PREFIX``) only the keys under it.

        Django's backend empties the whole Redis database (``FLUSHDB``), which would also take the
        keys of whoever shares it: another deployment, another test worker.
        """
        if not self.key_prefix:
            RedisCache.clear(self)
            return
        client = self._cache.get_client(write=True)  # type: ignore[attr-defined]  # untyped in the stubs
        pattern = re.sub(r"([*?\[\]\\])", r"\\\1", self.key_prefix) + ":*"  # the prefix taken literally
        keys: list[bytes] = []
        for key in client.scan_iter(match=pattern, count=1000):
            keys.append(key)
            if len(keys) == 1000:
                client.unlink(*keys)
                keys.clear()
        if keys:
            client.unlink(*keys)

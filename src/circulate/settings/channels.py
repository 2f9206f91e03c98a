"""Channels: an in-memory layer on one machine, Redis when REDIS_URL is set."""

from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff

from .base import REDIS_URL
from .env import env

_channels_redis_url = env.str("CHANNELS_REDIS_URL", default=REDIS_URL)

CHANNEL_LAYERS = {
    "default": (
        {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # redis-py 8 defaults clash with channels-redis: a 5 s read timeout races with the layer's
                # 5 s blocking pop and kills idle sockets, and a pool of 100 connections that raises when
                # exhausted breaks bursts of connects and disconnects. Restore room for both.
                # A pooled connection that a Redis restart left broken fails its next command; a pooled
                # connection does not retry by default, so that failure used to drop the socket being
                # opened. Reconnect and retry instead (up to 3 times, 50 ms to 1 s apart).
                "hosts": [
                    {
                        "address": _channels_redis_url,
                        "socket_timeout": 15,
                        "max_connections": 1000,
                        "retry": Retry(ExponentialBackoff(cap=1.0, base=0.05), 3),
                    }
                ],
                "capacity": 1500,
                "expiry": 30,
            },
        }
        if _channels_redis_url
        else {"BACKEND": "channels.layers.InMemoryChannelLayer"}
    )
}

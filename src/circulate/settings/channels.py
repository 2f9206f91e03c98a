"""Channels: an in-memory layer on one machine, Redis when REDIS_URL is set."""

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
                "hosts": [{"address": _channels_redis_url, "socket_timeout": 15, "max_connections": 1000}],
                "capacity": 1500,
                "expiry": 30,
            },
        }
        if _channels_redis_url
        else {"BACKEND": "channels.layers.InMemoryChannelLayer"}
    )
}

"""Channels: an in-memory layer on one machine, Redis when REDIS_URL is set."""

from .base import REDIS_URL
from .env import env

_channels_redis_url = env.str("CHANNELS_REDIS_URL", default=REDIS_URL)

CHANNEL_LAYERS = {
    "default": (
        {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [_channels_redis_url], "capacity": 1500, "expiry": 30},
        }
        if _channels_redis_url
        else {"BACKEND": "channels.layers.InMemoryChannelLayer"}
    )
}

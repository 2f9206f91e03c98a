"""Channels: an in-memory layer on one machine, Redis when REDIS_URL is set."""

from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff

from .base import REDIS_KEY_PREFIX, REDIS_URL
from .env import env

_channels_redis_url = env.str("CHANNELS_REDIS_URL", default=REDIS_URL)

CHANNEL_LAYERS = {
    "default": (
        {
            # The pub/sub layer: a group message is published once and each process receives it once,
            # then hands it to its own sockets. The core layer (channels_redis.core.RedisChannelLayer)
            # writes one copy per socket into Redis and each process pops them one by one; with 2,000
            # sockets that put the fan-out's p99 at 320-370 ms against 220-250 ms here (README, "Live
            # notifications fan-out"). What this layer does not have: per-channel capacity and expiry
            # (a message is delivered to who is subscribed now, or to no one; a socket that was away
            # replays what it missed with ?after=). A socket whose waiting messages pile up is closed
            # by the consumer instead (4408, realtime/consumers.py MAX_EVENT_DELAY_SECONDS).
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                "prefix": f"{REDIS_KEY_PREFIX}.asgi" if REDIS_KEY_PREFIX else "asgi",
                # redis-py 8 defaults to a 5 s read timeout and to a pool of 100 connections that raises
                # when exhausted; with the core layer the first killed idle connections and the second
                # broke bursts of connects and disconnects. Room for both is kept with this layer.
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
            },
        }
        if _channels_redis_url
        else {"BACKEND": "channels.layers.InMemoryChannelLayer"}
    )
}

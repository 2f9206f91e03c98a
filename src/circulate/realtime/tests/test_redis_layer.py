"""The same fan-out through a real Redis (channels-redis), as in production. Runs where REDIS_URL is set."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.conf import settings
from django.db import transaction

from circulate.accounts.tests.factories import UserFactory
from circulate.realtime import audience
from circulate.realtime.services import EVENT_MESSAGE, publish
from circulate.realtime.tests.conftest import Connect, token_for

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

TIMEOUT = 5


@database_sync_to_async
def make_user() -> Any:
    return UserFactory()


@database_sync_to_async
def publish_as(actor: Any, data: dict[str, Any]) -> None:
    with transaction.atomic():
        publish("book.created", data, audience=audience.everyone(), actor=actor)


class TestRedisChannelLayer:
    def test_the_layer_is_redis(self) -> None:
        assert isinstance(get_channel_layer(), RedisPubSubChannelLayer)

    async def test_an_event_reaches_the_other_user_and_not_the_actor(self, ws: Connect) -> None:
        # given
        author, reader = await make_user(), await make_user()
        author_socket = await ws(f"token={token_for(author)}")
        reader_socket = await ws(f"token={token_for(reader)}")
        await author_socket.receive_json_from(TIMEOUT)
        await reader_socket.receive_json_from(TIMEOUT)
        # when
        await publish_as(author, {"title": "Dune"})
        # then
        event = await reader_socket.receive_json_from(TIMEOUT)
        assert (event["type"], event["data"], event["unread_count"]) == ("book.created", {"title": "Dune"}, 1)
        assert await author_socket.receive_nothing(0.3)

    async def test_an_idle_socket_outlives_the_redis_read_timeout(self, ws: Connect) -> None:
        # given a socket whose subscription has been silent longer than redis-py's default read timeout (5 s)
        author, reader = await make_user(), await make_user()
        socket = await ws(f"token={token_for(reader)}")
        await socket.receive_json_from(TIMEOUT)
        await asyncio.sleep(6)
        # when
        await publish_as(author, {"title": "Late"})
        # then it is still there to receive the event
        assert (await socket.receive_json_from(TIMEOUT))["data"] == {"title": "Late"}

    async def test_a_message_from_another_process_reaches_the_socket(self, ws: Connect) -> None:
        # given a socket, and a second layer instance standing for another web or worker process
        reader = await make_user()
        socket = await ws(f"token={token_for(reader)}")
        await socket.receive_json_from(TIMEOUT)
        other_process = RedisPubSubChannelLayer(**settings.CHANNEL_LAYERS["default"]["CONFIG"])
        event = {"type": "book.created", "seq": 1, "at": "2026-01-01T00:00:00Z", "data": {"title": "Emma"}}
        # when
        await other_process.group_send("notify.everyone", {"type": EVENT_MESSAGE, "event": event, "actor_id": None})
        # then
        assert await socket.receive_json_from(TIMEOUT) == {**event, "unread_count": 1}
        await other_process.flush()

    async def test_reconnect_with_after_replays_missed_events(self, ws: Connect) -> None:
        # given an event the reader missed while offline
        author, reader = await make_user(), await make_user()
        await publish_as(author, {"n": 1})
        # when
        socket = await ws(f"token={token_for(reader)}&after=0")
        # then
        assert (await socket.receive_json_from(TIMEOUT))["data"] == {"n": 1}
        assert await socket.receive_json_from(TIMEOUT) == {"type": "unread", "count": 1}

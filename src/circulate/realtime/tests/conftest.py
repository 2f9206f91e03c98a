"""Fixtures for the realtime tests: a clean channel layer and WebSocket clients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer, get_channel_layer
from channels.testing import WebsocketCommunicator
from django.db import connections
from rest_framework_simplejwt.tokens import AccessToken

from circulate.asgi import application

ORIGIN = (b"origin", b"http://testserver")

Connect = Callable[..., Awaitable[WebsocketCommunicator]]


def token_for(user: Any) -> str:
    return str(AccessToken.for_user(user))


@pytest.fixture(autouse=True)
def _clean_channel_layer() -> Iterator[None]:
    """The in-memory layer lives as long as the process; start and end every test with it empty."""
    layer = get_channel_layer()
    if isinstance(layer, InMemoryChannelLayer):
        async_to_sync(layer.flush)()
    yield
    if isinstance(layer, InMemoryChannelLayer):
        async_to_sync(layer.flush)()


@pytest.fixture
async def ws() -> AsyncIterator[Connect]:
    """``await ws(query="token=...", headers=[...], subprotocols=[...])`` opens /ws/notifications/.

    Returns the communicator after the handshake (which the server always accepts; an
    unauthenticated socket is then closed with 4401). Every socket is closed after the test.
    """
    opened: list[WebsocketCommunicator] = []

    async def connect(
        query: str = "", headers: list[tuple[bytes, bytes]] | None = None, subprotocols: list[str] | None = None
    ) -> WebsocketCommunicator:
        path = "/ws/notifications/" + (f"?{query}" if query else "")
        communicator = WebsocketCommunicator(
            application, path, headers=[ORIGIN, *(headers or [])], subprotocols=subprotocols
        )
        opened.append(communicator)
        connected, _ = await communicator.connect(timeout=5)
        assert connected
        return communicator

    yield connect
    for communicator in opened:
        if not communicator.future.done():
            await communicator.disconnect()
    # The consumer's queries ran in asgiref's worker thread: close its connection, or the test
    # database cannot be dropped at the end of the session.
    await database_sync_to_async(connections.close_all)()

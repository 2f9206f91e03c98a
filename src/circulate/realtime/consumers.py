"""The notifications WebSocket at /ws/notifications/.

On connect the socket joins the groups of its user (everyone, each role held,
the user's own group), replays what was missed when ``?after=<seq>`` is given,
then sends ``{"type": "unread", "count": N}``. Every event fanned out to one of
those groups (except the user's own actions) is sent as
``{"type", "seq", "at", "data", "unread_count"}``: the event with the unread count
after it, in one frame (a frame costs each socket a write; two per event were half
the fan-out's time). Database work runs in a worker thread, never on the event loop.

The count is read from the database on connect and whenever the user marks events
as seen; in between, each new event adds one without a query, so an event costs
no database work per open socket. That is exact because the count is read before
the newest visible sequence number (``counted_through``): an event after it cannot
have been counted, and an event at or before it (committed around the time of the
read) makes the socket read the count again.
"""

from __future__ import annotations

import asyncio
import functools
import math
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

import orjson
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer

from circulate.accounts.models import User
from circulate.ops.metrics import WEBSOCKETS_OPEN
from circulate.realtime import selectors
from circulate.realtime.audience import EVERYONE_GROUP, role_group, user_group
from circulate.realtime.auth import TOKEN_SUBPROTOCOL
from circulate.realtime.services import EVENT_MESSAGE, UNREAD_MESSAGE, serialize_event

# WebSocket close codes (4000-4999 are the application's): the HTTP status they stand for, plus 4000.
CLOSE_BAD_REQUEST = 4400
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FELL_BEHIND = 4408

# An event handled this much later than events usually reach the socket means it has fallen behind: its
# client does not read (every send waits for it) or its process cannot keep up. The channel layer
# keeps each socket's waiting events in the process's memory, without a limit of its own (the
# pub/sub layer), so such a socket is closed with 4408 and its queue goes with it; the client
# reconnects with ?after=<last seq> and replays what it missed from the database. A client that
# reads nothing at all is dropped by the server's ping timeout (uvicorn: 20 s + 20 s).
MAX_EVENT_DELAY_SECONDS = 15.0

FAN_OUT_MESSAGES = frozenset({EVENT_MESSAGE, UNREAD_MESSAGE})


@database_sync_to_async
def _roles(user: User) -> frozenset[str]:
    return selectors.notification_roles(user=user)


@database_sync_to_async
def _missed(user: User, roles: frozenset[str], after: int) -> list[dict[str, Any]]:
    return [serialize_event(event) for event in selectors.missed_events(user=user, roles=roles, after=after)]


@database_sync_to_async
def _unread_state(user: User, roles: frozenset[str]) -> tuple[int, int, int]:
    """The unread count, then the newest visible event and the read cursor (in this order: see above)."""
    count = selectors.unread_count(user=user, roles=roles)
    counted_through = selectors.latest_visible_seq(user=user, roles=roles)
    return count, counted_through, selectors.last_seen_seq(user=user)


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    user: User
    roles: frozenset[str]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.open = False
        # Counted in the open-connections gauge (from joining until the socket is gone).
        self.counted = False
        # Events sent by the replay; the same event may also arrive through a group right after it.
        self.replayed: set[int] = set()
        self.expiry: asyncio.TimerHandle | None = None
        self.closing: set[asyncio.Task[None]] = set()
        self.unread = 0
        self.counted_through = 0
        self.last_seen_seq = 0
        # The shortest delay from an event's "sent" to its handling seen on this socket (fell_behind).
        self.shortest_delay = math.inf

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Channels' ``AsyncConsumer.__call__``, with one long-lived reader per source of messages.

        Channels waits on the socket and the channel layer with ``asyncio.wait`` and starts a new
        task for every message it takes; on a fan-out every open socket paid that, three task
        steps per event instead of one. Here each source is read by its own loop, and the two take
        turns (a lock) so that messages are still handled one at a time, as Channels handles them.
        """
        self.scope = scope
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        self.channel_name = await self.channel_layer.new_channel()
        self.channel_receive = functools.partial(self.channel_layer.receive, self.channel_name)
        self.base_send = send
        turn = asyncio.Lock()

        async def read(source: Callable[[], Awaitable[dict[str, Any]]]) -> None:
            while True:
                message = await source()
                async with turn:
                    await self.dispatch(message)
                # Let the other sockets' handlers run before asking for more: on a fan-out every socket
                # sends first, and only then does each go back to its source (the in-memory layer sweeps
                # all of its channels on every receive; inline, those sweeps delayed the later sockets).
                await asyncio.sleep(0)

        readers = [asyncio.ensure_future(read(receive)), asyncio.ensure_future(read(self.channel_receive))]
        try:
            done, _ = await asyncio.wait(readers, return_when=asyncio.FIRST_EXCEPTION)
            for reader in done:
                error = reader.exception()
                if error is not None and not isinstance(error, StopConsumer):
                    raise error
        finally:
            for reader in readers:
                reader.cancel()
            await asyncio.gather(*readers, return_exceptions=True)

    async def connect(self) -> None:
        # Accept first so that the client sees the close code (a refusal before accepting is a bare HTTP 403).
        await self.accept(TOKEN_SUBPROTOCOL if self.scope.get("token_subprotocol") else None)
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or self.token_expired():
            await self.close(code=CLOSE_UNAUTHENTICATED, reason="Authentication required.")
            return
        try:
            after = self.replay_after()
        except ValueError:
            await self.close(code=CLOSE_BAD_REQUEST, reason="after must be a sequence number.")
            return
        self.user = user
        self.roles = await _roles(user)
        # Join before reading the replay, so that nothing committed in between is lost.
        self.groups = [EVERYONE_GROUP, *(role_group(name) for name in sorted(self.roles)), user_group(user.pk)]
        for group in self.groups:
            await self.channel_layer.group_add(group, self.channel_name)
        self.open = True
        self.counted = True
        WEBSOCKETS_OPEN.inc()
        self.schedule_expiry()
        if after is not None:
            for event in await _missed(user, self.roles, after):
                self.replayed.add(event["seq"])
                await self.send_json(event)
        await self.recount()
        await self.send_unread()

    async def disconnect(self, code: int) -> None:
        if self.counted:
            self.counted = False
            WEBSOCKETS_OPEN.dec()
        self.open = False
        if self.expiry is not None:
            self.expiry.cancel()

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels first closes stale database connections before every handler, a hop to the one
        # database thread. The fan-out handlers touch the database only through database_sync_to_async,
        # which does that itself; skipping the hop keeps one event from queueing a hop per open socket.
        if message["type"] in FAN_OUT_MESSAGES:
            await getattr(self, get_handler_name(message))(message)
        else:
            await super().dispatch(message)

    @classmethod
    async def encode_json(cls, content: Any) -> str:
        # orjson: every event is encoded once per open socket, and the stdlib encoder was a visible share of that.
        return orjson.dumps(content).decode()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any) -> None:
        """The socket only pushes; marking as seen goes through the REST API."""

    async def notify_event(self, message: dict[str, Any]) -> None:
        if not await self.still_signed_in():
            return
        if self.fell_behind(message.get("sent")):
            self.open = False
            await self.close(code=CLOSE_FELL_BEHIND, reason="Fell behind: reconnect with ?after=<last seq>.")
            return
        event = message["event"]
        if message.get("actor_id") == self.user.pk or event["seq"] in self.replayed:
            return
        seq = event["seq"]
        if seq <= self.counted_through:
            await self.recount()
        elif seq > self.last_seen_seq:
            self.unread = min(self.unread + 1, selectors.UNREAD_COUNT_LIMIT)
        await self.send_json({**event, "unread_count": self.unread})

    def fell_behind(self, sent: float | None) -> bool:
        """Whether an event sent at ``sent`` (the sender's clock) reached this socket too late.

        The delay counts from the shortest one this socket has seen, not from zero: the sender's
        clock (another process, perhaps another host) may be off from this one's by any constant.
        """
        if sent is None:
            return False
        delay = time.time() - sent
        self.shortest_delay = min(self.shortest_delay, delay)
        return delay - self.shortest_delay > MAX_EVENT_DELAY_SECONDS

    async def notify_unread(self, message: dict[str, Any]) -> None:
        """The user marked events as seen (perhaps in another tab): send the new count."""
        if not await self.still_signed_in():
            return
        await self.recount()
        await self.send_unread()

    async def still_signed_in(self) -> bool:
        """False when the socket is closed or closing; closes it with 4401 when its token has expired."""
        if self.open and self.token_expired():
            await self.close_expired()
        return self.open

    async def recount(self) -> None:
        self.unread, self.counted_through, self.last_seen_seq = await _unread_state(self.user, self.roles)

    async def send_unread(self) -> None:
        await self.send_json({"type": "unread", "count": self.unread})

    def replay_after(self) -> int | None:
        values = parse_qs(self.scope.get("query_string", b"").decode()).get("after")
        if not values:
            return None
        after = int(values[0])
        if after < 0:
            raise ValueError(after)
        return after

    def token_expired(self) -> bool:
        expires_at: int | None = self.scope.get("token_expires_at")
        return expires_at is not None and expires_at <= time.time()

    def schedule_expiry(self) -> None:
        expires_at: int | None = self.scope.get("token_expires_at")
        if expires_at is None:
            return
        loop = asyncio.get_running_loop()
        self.expiry = loop.call_later(max(expires_at - time.time(), 0), self.expire_now)

    def expire_now(self) -> None:
        task = asyncio.ensure_future(self.close_expired())
        self.closing.add(task)
        task.add_done_callback(self.closing.discard)

    async def close_expired(self) -> None:
        if self.open:
            self.open = False
            await self.close(code=CLOSE_UNAUTHENTICATED, reason="The token has expired.")

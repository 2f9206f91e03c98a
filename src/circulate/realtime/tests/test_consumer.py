"""The notifications WebSocket: authentication, fan-out, unread counts, replay."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.db import connections, transaction
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from circulate.accounts.roles import LIBRARIAN
from circulate.accounts.tests.factories import UserFactory
from circulate.asgi import application
from circulate.realtime import audience, consumers, selectors
from circulate.realtime.audience import EVERYONE_GROUP, Audience
from circulate.realtime.models import Event
from circulate.realtime.services import EVENT_MESSAGE, publish, serialize_event
from circulate.realtime.tests.conftest import ORIGIN, Connect, token_for

pytestmark = pytest.mark.django_db(transaction=True)

TIMEOUT = 5


@database_sync_to_async
def make_user(**kwargs: Any) -> Any:
    return UserFactory(**kwargs)


@database_sync_to_async
def publish_as(
    actor: Any, event_type: str = "book.created", data: dict[str, Any] | None = None, to: Audience | None = None
) -> None:
    with transaction.atomic():
        publish(event_type, data or {"title": "Dune"}, audience=to or audience.everyone(), actor=actor)


@database_sync_to_async
def mark_seen_over_api(user: Any, body: dict[str, Any] | None = None) -> dict[str, Any]:
    client = APIClient()
    client.force_authenticate(user)
    response = client.post("/api/notifications/mark-seen/", body or {}, format="json")
    assert response.status_code == 200, response.content
    return dict(response.json())


@database_sync_to_async
def unread_over_api(user: Any) -> int:
    client = APIClient()
    client.force_authenticate(user)
    return int(client.get("/api/notifications/unread-count/").json()["count"])


async def assert_closed_with(communicator: WebsocketCommunicator, code: int) -> None:
    message = await communicator.receive_output(TIMEOUT)
    assert message["type"] == "websocket.close"
    assert message["code"] == code


async def receive(communicator: WebsocketCommunicator) -> dict[str, Any]:
    return dict(await communicator.receive_json_from(TIMEOUT))


class TestAuthentication:
    async def test_token_in_the_query_string_connects(self, ws: Connect) -> None:
        # given
        user = await make_user()
        # when
        socket = await ws(f"token={token_for(user)}")
        # then
        assert await receive(socket) == {"type": "unread", "count": 0}

    async def test_token_as_subprotocol_connects_and_the_server_picks_bearer(self) -> None:
        # given
        user = await make_user()
        socket = WebsocketCommunicator(
            application, "/ws/notifications/", headers=[ORIGIN], subprotocols=["bearer", token_for(user)]
        )
        # when
        connected, subprotocol = await socket.connect(TIMEOUT)
        # then
        assert connected
        assert subprotocol == "bearer"
        assert await receive(socket) == {"type": "unread", "count": 0}
        await socket.disconnect()

    async def test_session_cookie_connects(self, ws: Connect) -> None:
        # given a user signed in to the console
        user = await make_user()
        client = Client()
        await database_sync_to_async(client.force_login)(user)
        cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
        # when
        socket = await ws(headers=[(b"cookie", cookie)])
        # then
        assert await receive(socket) == {"type": "unread", "count": 0}

    async def test_without_credentials_closes_with_4401(self, ws: Connect) -> None:
        socket = await ws()
        await assert_closed_with(socket, 4401)

    async def test_a_bad_token_closes_with_4401_even_with_a_session(self, ws: Connect) -> None:
        # given a valid session but a forged token
        user = await make_user()
        client = Client()
        await database_sync_to_async(client.force_login)(user)
        cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
        # when
        socket = await ws("token=not-a-jwt", headers=[(b"cookie", cookie)])
        # then
        await assert_closed_with(socket, 4401)

    async def test_an_expired_token_closes_with_4401(self, ws: Connect) -> None:
        # given a token issued 31 minutes ago (it lives 30)
        user = await make_user()
        token = token_for(user)
        with time_machine.travel(timezone.now() + timedelta(minutes=31)):
            # when
            socket = await ws(f"token={token}")
            # then
            await assert_closed_with(socket, 4401)

    async def test_a_token_issued_before_a_password_change_closes_with_4401(self, ws: Connect) -> None:
        # given a token, then a new password
        user = await make_user()
        token = token_for(user)

        @database_sync_to_async
        def change_password() -> None:
            user.set_password("a-brand-new-passphrase")
            user.save(update_fields=["password"])

        await change_password()
        # when
        socket = await ws(f"token={token}")
        # then
        await assert_closed_with(socket, 4401)

    async def test_a_token_of_a_deactivated_user_closes_with_4401(self, ws: Connect) -> None:
        user = await make_user(is_active=False)
        socket = await ws(f"token={token_for(user)}")
        await assert_closed_with(socket, 4401)

    async def test_an_open_socket_is_closed_with_4401_once_its_token_expires(self, ws: Connect) -> None:
        # given a connected reader and, later, an event after the token's expiry
        reader, author = await make_user(), await make_user()
        socket = await ws(f"token={token_for(reader)}")
        await receive(socket)
        expires_at = AccessToken(token_for(reader))["exp"]
        with time_machine.travel(expires_at + 1):
            # when
            await publish_as(author)
            # then the event is not delivered: the socket closes so the client can re-authenticate
            await assert_closed_with(socket, 4401)

    async def test_a_malformed_after_closes_with_4400(self, ws: Connect) -> None:
        user = await make_user()
        socket = await ws(f"token={token_for(user)}&after=yesterday")
        await assert_closed_with(socket, 4400)


class TestOrigin:
    """The Origin check guards the session cookie only; a token is no ambient credential."""

    @pytest.fixture(autouse=True)
    async def _close_sockets(self) -> AsyncIterator[None]:
        """Close what each test opened, refused sockets too (as the ``ws`` fixture does).

        A socket left open keeps its consumer waiting on the channel layer; cancelling that at
        the end of the test's event loop once hung the suite on the Redis layer.
        """
        self.opened: list[WebsocketCommunicator] = []
        yield
        for socket in self.opened:
            if not socket.future.done():
                await socket.disconnect()
        await database_sync_to_async(connections.close_all)()

    async def _open(self, query: str = "", headers: list[tuple[bytes, bytes]] | None = None, **kw: Any) -> Any:
        path = "/ws/notifications/" + (f"?{query}" if query else "")
        socket = WebsocketCommunicator(application, path, headers=headers or [], **kw)
        self.opened.append(socket)
        connected, _ = await socket.connect(TIMEOUT)
        return socket, connected

    async def test_a_token_in_the_query_string_connects_without_an_origin(self) -> None:
        # given a client that is not a browser: no Origin header
        user = await make_user()
        # when
        socket, connected = await self._open(f"token={token_for(user)}")
        # then
        assert connected
        assert await receive(socket) == {"type": "unread", "count": 0}
        await socket.disconnect()

    async def test_a_token_as_subprotocol_connects_without_an_origin(self) -> None:
        # given
        user = await make_user()
        # when
        socket, connected = await self._open(subprotocols=["bearer", token_for(user)])
        # then
        assert connected
        assert await receive(socket) == {"type": "unread", "count": 0}
        await socket.disconnect()

    async def test_a_token_from_a_foreign_origin_connects(self) -> None:
        # given a page elsewhere that holds a token (it cannot get one from the browser on its own)
        user = await make_user()
        # when
        socket, connected = await self._open(f"token={token_for(user)}", [(b"origin", b"https://evil.example")])
        # then
        assert connected
        assert await receive(socket) == {"type": "unread", "count": 0}
        await socket.disconnect()

    async def test_a_forged_token_without_an_origin_closes_with_4401_even_with_a_session(self) -> None:
        # given a valid session cookie but a forged token and no Origin
        user = await make_user()
        client = Client()
        await database_sync_to_async(client.force_login)(user)
        cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
        # when
        socket, connected = await self._open("token=not-a-jwt", [(b"cookie", cookie)])
        # then the session is not used
        assert connected
        await assert_closed_with(socket, 4401)

    async def test_a_session_cookie_without_an_origin_is_refused(self) -> None:
        # given
        user = await make_user()
        client = Client()
        await database_sync_to_async(client.force_login)(user)
        cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
        # when
        _, connected = await self._open(headers=[(b"cookie", cookie)])
        # then
        assert not connected

    async def test_a_session_cookie_from_a_foreign_origin_is_refused(self) -> None:
        # given a hostile page whose browser sends the victim's cookie along (cross-site WebSocket hijacking)
        user = await make_user()
        client = Client()
        await database_sync_to_async(client.force_login)(user)
        cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
        # when
        _, connected = await self._open(headers=[(b"cookie", cookie), (b"origin", b"https://evil.example")])
        # then
        assert not connected


class TestFanOut:
    async def test_the_other_user_receives_the_event_and_the_actor_nothing(self, ws: Connect) -> None:
        # given two signed-in people
        author, reader = await make_user(), await make_user()
        author_socket = await ws(f"token={token_for(author)}")
        reader_socket = await ws(f"token={token_for(reader)}")
        await receive(author_socket)
        await receive(reader_socket)
        # when the author acts
        await publish_as(author, "book.created", {"id": 1, "title": "Dune"})
        # then the reader gets the event, with the new count in the same frame
        event = await receive(reader_socket)
        assert event["type"] == "book.created"
        assert event["data"] == {"id": 1, "title": "Dune"}
        assert set(event) == {"type", "seq", "at", "data", "unread_count"}
        assert event["unread_count"] == 1
        assert await reader_socket.receive_nothing(0.3)
        # and the author nothing at all
        assert await author_socket.receive_nothing(0.3)

    async def test_the_socket_and_the_rest_list_show_the_same_event(self, ws: Connect) -> None:
        # given
        author, reader = await make_user(), await make_user()
        socket = await ws(f"token={token_for(reader)}")
        await receive(socket)
        # when
        await publish_as(author, data={"id": 3, "price": "9.50"})
        pushed = await receive(socket)
        # then the socket's event is the list's item, with the count instead of the item's unread flag
        listed = await database_sync_to_async(self._first_listed)(reader)
        assert pushed.pop("unread_count") == 1
        assert listed == {**pushed, "unread": True}

    @staticmethod
    def _first_listed(user: Any) -> dict[str, Any]:
        client = APIClient()
        client.force_authenticate(user)
        return dict(client.get("/api/notifications/").json()["results"][0])

    async def test_a_role_event_reaches_holders_of_the_role_and_superusers_only(self, ws: Connect) -> None:
        # given a librarian, a superuser and a member connected
        author = await make_user()
        librarian = await make_user(roles=[LIBRARIAN])
        admin = await make_user(is_superuser=True)
        member = await make_user()
        sockets = {}
        for name, user in (("librarian", librarian), ("admin", admin), ("member", member)):
            sockets[name] = await ws(f"token={token_for(user)}")
            await receive(sockets[name])
        # when
        await publish_as(author, "loan.issued", {"loan": 1}, to=audience.role(LIBRARIAN))
        # then
        for name in ("librarian", "admin"):
            event = await receive(sockets[name])
            assert (event["type"], event["unread_count"]) == ("loan.issued", 1)
        assert await sockets["member"].receive_nothing(0.3)

    async def test_an_event_to_given_users_reaches_only_them(self, ws: Connect) -> None:
        # given
        librarian, reader, bystander = await make_user(), await make_user(), await make_user()
        reader_socket = await ws(f"token={token_for(reader)}")
        bystander_socket = await ws(f"token={token_for(bystander)}")
        await receive(reader_socket)
        await receive(bystander_socket)
        # when
        await publish_as(librarian, "reservation.ready", {"book": 5}, to=audience.users([reader.pk]))
        # then
        event = await receive(reader_socket)
        assert (event["type"], event["unread_count"]) == ("reservation.ready", 1)
        assert await bystander_socket.receive_nothing(0.3)

    async def test_a_rolled_back_transaction_sends_and_stores_nothing(self, ws: Connect) -> None:
        # given
        author, reader = await make_user(), await make_user()
        socket = await ws(f"token={token_for(reader)}")
        await receive(socket)

        @database_sync_to_async
        def publish_then_fail() -> None:
            with transaction.atomic():
                publish("book.created", {"title": "Never"}, audience=audience.everyone(), actor=author)
                transaction.set_rollback(True)

        # when
        await publish_then_fail()
        # then
        assert await socket.receive_nothing(0.3)
        assert await database_sync_to_async(Event.objects.count)() == 0

    async def test_two_tabs_of_one_user_both_get_the_event(self, ws: Connect) -> None:
        author, reader = await make_user(), await make_user()
        tabs = [await ws(f"token={token_for(reader)}") for _ in range(2)]
        for tab in tabs:
            await receive(tab)
        await publish_as(author)
        for tab in tabs:
            event = await receive(tab)
            assert (event["type"], event["unread_count"]) == ("book.created", 1)


class TestUnreadAndReplay:
    async def test_mark_seen_resets_the_count_on_every_open_tab_and_in_rest(self, ws: Connect) -> None:
        # given a reader with two tabs and two unread events
        author, reader = await make_user(), await make_user()
        tabs = [await ws(f"token={token_for(reader)}") for _ in range(2)]
        for tab in tabs:
            await receive(tab)
        for title in ("One", "Two"):
            await publish_as(author, data={"title": title})
        for tab in tabs:
            for _ in range(2):
                await receive(tab)
        assert await unread_over_api(reader) == 2
        # when one tab marks everything as seen
        body = await mark_seen_over_api(reader)
        # then both tabs and the API agree on zero
        assert body["count"] == 0
        for tab in tabs:
            assert await receive(tab) == {"type": "unread", "count": 0}
        assert await unread_over_api(reader) == 0

    async def test_an_event_counted_on_connect_is_not_counted_again_when_its_message_arrives(self, ws: Connect) -> None:
        # given an event committed just before the reader's socket read its count, whose message comes after
        author, reader = await make_user(), await make_user()
        await publish_as(author, data={"n": 1})
        socket = await ws(f"token={token_for(reader)}")
        assert await receive(socket) == {"type": "unread", "count": 1}
        event = await database_sync_to_async(lambda: serialize_event(Event.objects.get()))()
        # when
        await get_channel_layer().group_send(
            EVERYONE_GROUP, {"type": EVENT_MESSAGE, "event": event, "actor_id": author.pk}
        )
        # then
        assert await receive(socket) == {**event, "unread_count": 1}

    async def test_new_events_add_up_without_drifting_from_the_api(self, ws: Connect) -> None:
        # given
        author, reader = await make_user(), await make_user()
        await publish_as(author, data={"n": 0})
        socket = await ws(f"token={token_for(reader)}")
        await receive(socket)
        # when
        for n in range(1, 4):
            await publish_as(author, data={"n": n})
        counts = []
        for _ in range(3):
            counts.append((await receive(socket))["unread_count"])
        # then
        assert counts == [2, 3, 4]
        assert await unread_over_api(reader) == 4

    async def test_reconnecting_with_after_replays_what_was_missed_in_order(self, ws: Connect) -> None:
        # given a reader who saw event 1 and then went offline while two more happened
        author, reader = await make_user(), await make_user()
        socket = await ws(f"token={token_for(reader)}")
        await receive(socket)
        await publish_as(author, data={"n": 1})
        last_seen = (await receive(socket))["seq"]
        await socket.disconnect()
        await publish_as(author, data={"n": 2})
        await publish_as(author, data={"n": 3})
        await publish_as(reader, data={"n": "own"})
        # when
        socket = await ws(f"token={token_for(reader)}&after={last_seen}")
        # then the missed events come first, oldest first, then the count
        replayed = [await receive(socket), await receive(socket)]
        assert [event["data"] for event in replayed] == [{"n": 2}, {"n": 3}]
        assert replayed[0]["seq"] < replayed[1]["seq"]
        assert await receive(socket) == {"type": "unread", "count": 3}
        assert await socket.receive_nothing(0.2)

    async def test_replay_is_bounded_to_the_newest_events(self, ws: Connect, monkeypatch: pytest.MonkeyPatch) -> None:
        # given five missed events and a replay limit of three
        monkeypatch.setattr(selectors, "REPLAY_LIMIT", 3)
        author, reader = await make_user(), await make_user()
        for n in range(5):
            await publish_as(author, data={"n": n})
        # when
        socket = await ws(f"token={token_for(reader)}&after=0")
        # then
        replayed = [(await receive(socket))["data"]["n"] for _ in range(3)]
        assert replayed == [2, 3, 4]
        assert await receive(socket) == {"type": "unread", "count": 5}


class TestLibraryEvents:
    async def test_a_book_added_through_the_api_reaches_the_other_reader_only(self, ws: Connect) -> None:
        # given two people signed in, each with their own token
        author, reader = await make_user(), await make_user()
        author_socket = await ws(f"token={token_for(author)}")
        reader_socket = await ws(f"token={token_for(reader)}")
        await receive(author_socket)
        await receive(reader_socket)

        @database_sync_to_async
        def add_book() -> dict[str, Any]:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(author)}")
            response = client.post("/api/library/books/", {"title": "Dune", "isbn": "9780441013593"}, format="json")
            assert response.status_code == 201, response.content
            return dict(response.json())

        # when the author adds a book through the API
        book = await add_book()
        # then the reader sees it live, with the counter going up
        event = await receive(reader_socket)
        assert event["type"] == "book.created"
        assert event["data"]["book_id"] == book["id"]
        assert event["data"]["title"] == "Dune"
        assert event["unread_count"] == 1
        assert await unread_over_api(reader) == 1
        # and the author, who did it, receives nothing
        assert await author_socket.receive_nothing(0.3)


class TestLifecycle:
    """The consumer reads the socket and the channel layer in two loops of its own (consumers.py)."""

    async def test_a_closed_socket_ends_its_consumer_and_no_longer_receives(self, ws: Connect) -> None:
        # given two readers connected, one of whom closes the socket
        author, leaving, staying = await make_user(), await make_user(), await make_user()
        gone = await ws(f"token={token_for(leaving)}")
        kept = await ws(f"token={token_for(staying)}")
        await receive(gone)
        await receive(kept)
        await gone.disconnect()
        # when an event is published afterwards
        await publish_as(author, data={"n": 1})
        # then the consumer of the closed socket has ended without error, and the other one delivers
        assert gone.future.done()
        assert gone.future.exception() is None
        assert (await receive(kept))["data"] == {"n": 1}

    async def test_a_failing_handler_ends_the_consumer_with_its_error(self, ws: Connect) -> None:
        # given a connected reader
        reader = await make_user()
        socket = await ws(f"token={token_for(reader)}")
        await receive(socket)
        # when a message arrives that the consumer has no handler for
        await get_channel_layer().group_send(EVERYONE_GROUP, {"type": "no.such.message"})
        # then the error ends the application instance, as Channels' own loop would
        with pytest.raises(ValueError, match=r"No handler for message type no\.such\.message"):
            await socket.wait(5)

    async def test_a_socket_whose_events_arrive_late_is_closed_with_4408(self, ws: Connect) -> None:
        # given a reader whose socket has received an event on time
        reader = await make_user()
        socket = await ws(f"token={token_for(reader)}")
        await receive(socket)
        await get_channel_layer().group_send(EVERYONE_GROUP, late_event(seq=10**6, seconds_ago=0))
        assert (await receive(socket))["seq"] == 10**6
        # when an event reaches it much later after being sent than that one did (a backlog)
        await get_channel_layer().group_send(
            EVERYONE_GROUP, late_event(seq=10**6 + 1, seconds_ago=consumers.MAX_EVENT_DELAY_SECONDS + 5)
        )
        # then the socket is closed, to reconnect with ?after= and replay from the database
        await assert_closed_with(socket, consumers.CLOSE_FELL_BEHIND)

    async def test_a_sender_clock_off_from_the_servers_is_not_a_delay(self, ws: Connect) -> None:
        # given a sender whose clock is an hour behind this process's
        reader = await make_user()
        socket = await ws(f"token={token_for(reader)}")
        await receive(socket)
        # when its events arrive, each as promptly as the last
        for seq in (10**6, 10**6 + 1, 10**6 + 2):
            await get_channel_layer().group_send(EVERYONE_GROUP, late_event(seq=seq, seconds_ago=3600))
            # then each is delivered
            assert (await receive(socket))["seq"] == seq


def late_event(seq: int, seconds_ago: float) -> dict[str, Any]:
    """A fan-out message as services._store_and_send sends it, stamped ``seconds_ago`` on the sender's clock."""
    event = {"type": "book.created", "seq": seq, "at": "2026-12-07T12:00:00Z", "data": {"title": "Late"}}
    return {"type": EVENT_MESSAGE, "event": event, "actor_id": None, "sent": time.time() - seconds_ago}

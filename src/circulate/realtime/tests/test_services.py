"""Publishing after commit, and the read cursor that only moves forward."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from channels.layers import get_channel_layer
from django.db import connection, transaction

from circulate.accounts.roles import LIBRARIAN
from circulate.accounts.tests.factories import UserFactory
from circulate.core.errors import InvalidInputError
from circulate.realtime import audience, services
from circulate.realtime.models import Event, EventRecipient, ReadCursor
from circulate.realtime.tests.factories import EventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def group_sends() -> Iterator[mock.AsyncMock]:
    """What the services hand to the channel layer, group by group (delivery itself is the consumer tests')."""
    with mock.patch.object(get_channel_layer(), "group_send", new_callable=mock.AsyncMock) as group_send:
        yield group_send


class TestPublish:
    def test_stores_one_event_after_commit(self, django_capture_on_commit_callbacks: Callable[..., Any]) -> None:
        # given
        actor = UserFactory()
        # when
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            services.publish("book.created", {"id": 1}, audience=audience.everyone(), actor=actor)
            assert Event.objects.count() == 0
        # then
        event = Event.objects.get()
        assert (event.type, event.payload, event.audience, event.role, event.actor) == (
            "book.created",
            {"id": 1},
            "everyone",
            "",
            actor,
        )

    def test_a_rolled_back_transaction_stores_and_sends_nothing(
        self, django_capture_on_commit_callbacks: Callable[..., Any], group_sends: mock.AsyncMock
    ) -> None:
        # when
        with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
            services.publish("book.created", {"id": 1}, audience=audience.everyone())
            transaction.set_rollback(True)
        # then
        assert callbacks == []
        assert Event.objects.count() == 0
        group_sends.assert_not_awaited()

    def test_sends_the_stored_event_to_the_audience_group(
        self, django_capture_on_commit_callbacks: Callable[..., Any], group_sends: mock.AsyncMock
    ) -> None:
        # given
        actor = UserFactory()
        # when
        with django_capture_on_commit_callbacks(execute=True):
            services.publish("loan.issued", {"loan": 3}, audience=audience.role(LIBRARIAN), actor=actor)
        # then
        event = Event.objects.get()
        sent = time.time()
        group_sends.assert_awaited_once_with(
            "notify.role.librarian",
            {"type": "notify.event", "event": services.serialize_event(event), "actor_id": actor.pk, "sent": mock.ANY},
        )
        message = group_sends.await_args.args[1]
        assert message["event"]["at"].endswith("Z")
        assert sent - 5 < message["sent"] <= sent  # when it left, for the sockets to tell a backlog

    def test_named_recipients_never_include_the_actor(
        self, django_capture_on_commit_callbacks: Callable[..., Any]
    ) -> None:
        actor, reader = UserFactory(), UserFactory()
        with django_capture_on_commit_callbacks(execute=True):
            services.publish("reservation.ready", {}, audience=audience.users([actor.pk, reader.pk]), actor=actor)
        assert list(EventRecipient.objects.values_list("user_id", flat=True)) == [reader.pk]

    def test_the_payload_is_stored_as_json(self, django_capture_on_commit_callbacks: Callable[..., Any]) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            services.publish(
                "loan.issued",
                {"fee": Decimal("1.50"), "due": datetime(2026, 5, 1, 12, tzinfo=UTC)},
                audience=audience.everyone(),
            )
        assert Event.objects.get().payload == {"fee": "1.50", "due": "2026-05-01T12:00:00Z"}

    def test_a_payload_that_is_not_json_fails_in_the_caller(self) -> None:
        with pytest.raises(TypeError):
            services.publish("book.created", {"file": object()}, audience=audience.everyone())

    def test_an_unknown_role_is_refused(self) -> None:
        with pytest.raises(ValueError, match="Unknown role"):
            audience.role("janitor")

    def test_a_channel_layer_failure_keeps_the_event(
        self, django_capture_on_commit_callbacks: Callable[..., Any]
    ) -> None:
        # given a channel layer that is down
        layer = get_channel_layer()
        with (
            mock.patch.object(layer, "group_send", side_effect=ConnectionError("down")),
            django_capture_on_commit_callbacks(execute=True),
        ):
            # when
            services.publish("book.created", {"id": 1}, audience=audience.everyone())
        # then the event waits for the client's replay
        assert Event.objects.count() == 1


class TestMarkSeen:
    def test_defaults_to_the_newest_visible_event(self) -> None:
        # given
        reader = UserFactory()
        EventFactory()
        newest = EventFactory()
        EventFactory(audience="role", role=LIBRARIAN)
        # when
        seen = services.mark_seen(user=reader)
        # then
        assert seen == newest.seq
        assert ReadCursor.objects.get(user=reader).last_seen_seq == newest.seq

    def test_never_moves_back(self) -> None:
        reader = UserFactory()
        first, second = EventFactory.create_batch(2)
        services.mark_seen(user=reader, seq=second.seq)
        assert services.mark_seen(user=reader, seq=first.seq) == second.seq

    def test_a_future_seq_is_refused(self) -> None:
        reader = UserFactory()
        event = EventFactory()
        with pytest.raises(InvalidInputError, match="no event"):
            services.mark_seen(user=reader, seq=event.seq + 1)

    def test_tells_the_users_sockets_after_commit(
        self, django_capture_on_commit_callbacks: Callable[..., Any], group_sends: mock.AsyncMock
    ) -> None:
        # given
        reader = UserFactory()
        event = EventFactory()
        # when
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            services.mark_seen(user=reader)
            group_sends.assert_not_awaited()
        # then
        assert len(callbacks) == 1
        group_sends.assert_awaited_once_with(
            f"notify.user.{reader.pk}", {"type": "notify.unread", "last_seen_seq": event.seq}
        )


@pytest.mark.locking
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(5))
def test_concurrent_mark_seen_keeps_the_largest_seq(attempt: int) -> None:
    # given a reader without a cursor yet and eight tabs marking different events as seen at once
    reader = UserFactory()
    events = EventFactory.create_batch(8)
    barrier = threading.Barrier(len(events))
    errors: list[BaseException] = []

    def mark(seq: int) -> None:
        try:
            barrier.wait()
            services.mark_seen(user=reader, seq=seq)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    # when, the largest first so that a plain overwrite would lose it
    threads = [threading.Thread(target=mark, args=(event.seq,)) for event in reversed(events)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    assert errors == []
    assert ReadCursor.objects.get(user=reader).last_seen_seq == events[-1].seq

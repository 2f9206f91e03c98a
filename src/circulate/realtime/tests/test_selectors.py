"""Who sees which event, and the unread count."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from circulate.accounts.roles import DEALER_STAFF, FLEET_MANAGER, LIBRARIAN
from circulate.accounts.tests.factories import UserFactory
from circulate.realtime import selectors
from circulate.realtime.audience import ROLE, USERS
from circulate.realtime.models import Event, ReadCursor
from circulate.realtime.tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def seqs(events: Any) -> list[int]:
    return [event.seq for event in events]


class TestVisibleEvents:
    def test_everyone_role_and_named_events_are_visible_newest_first(self) -> None:
        # given
        librarian = UserFactory(roles=[LIBRARIAN])
        other = UserFactory()
        to_everyone = EventFactory()
        to_librarians = EventFactory(audience=ROLE, role=LIBRARIAN)
        to_fleet = EventFactory(audience=ROLE, role=FLEET_MANAGER)
        to_librarian = EventFactory(audience=USERS, recipients=[librarian])
        to_other = EventFactory(audience=USERS, recipients=[other])
        by_librarian = EventFactory(actor=librarian)
        # when
        visible = selectors.visible_events(user=librarian)
        # then
        assert seqs(visible) == [to_librarian.seq, to_librarians.seq, to_everyone.seq]
        assert to_fleet.seq not in seqs(visible)
        assert to_other.seq not in seqs(visible)
        assert by_librarian.seq not in seqs(visible)

    def test_a_superuser_sees_every_role_event(self) -> None:
        admin = UserFactory(is_superuser=True)
        events = [EventFactory(audience=ROLE, role=name) for name in (LIBRARIAN, FLEET_MANAGER, DEALER_STAFF)]
        assert sorted(seqs(selectors.visible_events(user=admin))) == seqs(events)

    def test_a_group_that_is_not_a_role_gives_nothing_extra(self) -> None:
        member = UserFactory(roles=["book-club"])
        assert selectors.notification_roles(user=member) == frozenset()


class TestUnreadCount:
    def test_counts_visible_events_after_the_cursor(self) -> None:
        # given four visible events, one own action, one for another role; the reader saw the first
        reader = UserFactory(roles=[DEALER_STAFF])
        first = EventFactory()
        EventFactory(audience=ROLE, role=DEALER_STAFF)
        EventFactory(audience=USERS, recipients=[reader])
        EventFactory()
        EventFactory(actor=reader)
        EventFactory(audience=ROLE, role=LIBRARIAN)
        ReadCursor.objects.create(user=reader, last_seen_seq=first.seq)
        # when / then
        assert selectors.unread_count(user=reader) == 3

    def test_without_a_cursor_everything_visible_is_unread(self) -> None:
        reader = UserFactory()
        EventFactory.create_batch(3)
        assert selectors.unread_count(user=reader) == 3

    def test_the_count_stops_at_the_limit(self, monkeypatch: pytest.MonkeyPatch) -> None:
        # given
        monkeypatch.setattr(selectors, "UNREAD_COUNT_LIMIT", 4)
        reader = UserFactory(roles=[LIBRARIAN])
        EventFactory.create_batch(3)
        EventFactory.create_batch(3, audience=ROLE, role=LIBRARIAN)
        # when / then
        assert selectors.unread_count(user=reader) == 4

    def test_is_one_query_when_the_roles_are_known(self, django_assert_num_queries: Any) -> None:
        reader = UserFactory(roles=[LIBRARIAN])
        roles = selectors.notification_roles(user=reader)
        EventFactory.create_batch(5)
        with django_assert_num_queries(1):
            assert selectors.unread_count(user=reader, roles=roles) == 5

    def test_reads_indexes_not_the_whole_table(self) -> None:
        # given many events, most of them seen
        reader = UserFactory(roles=[LIBRARIAN])
        Event.objects.bulk_create(
            Event(type="book.created", audience=ROLE if n % 2 else "everyone", role=LIBRARIAN if n % 2 else "")
            for n in range(20_000)
        )
        latest = selectors.latest_seq()
        ReadCursor.objects.create(user=reader, last_seen_seq=latest - 50)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        with CaptureQueriesContext(connection) as captured:
            assert selectors.unread_count(user=reader) == 50
        # when
        plan = explain(captured.captured_queries[-1]["sql"])
        # then no step reads every row of the events table
        assert "realtime_event" in plan
        assert "Seq Scan on realtime_event " not in plan
        assert "SCAN realtime_event\n" not in plan + "\n"


def explain(sql: str) -> str:
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


class TestMissedEvents:
    def test_returns_the_newest_visible_events_after_a_seq_oldest_first(self, monkeypatch: pytest.MonkeyPatch) -> None:
        # given
        monkeypatch.setattr(selectors, "REPLAY_LIMIT", 2)
        reader = UserFactory()
        first, _, third, fourth = EventFactory.create_batch(4)
        EventFactory(actor=reader)
        # when
        missed = selectors.missed_events(user=reader, after=first.seq)
        # then
        assert seqs(missed) == [third.seq, fourth.seq]

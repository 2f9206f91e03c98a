"""Who sees which event, and the unread count."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from circulate.accounts.roles import DEALER_STAFF, FLEET_MANAGER, LIBRARIAN
from circulate.accounts.tests.factories import UserFactory
from circulate.core.db import analyze
from circulate.realtime import selectors
from circulate.realtime.audience import ROLE, USERS
from circulate.realtime.models import Event, EventRecipient, ReadCursor
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
        analyze([Event, EventRecipient, ReadCursor])  # (left out on MariaDB inside the test's transaction)
        with CaptureQueriesContext(connection) as captured:
            assert selectors.unread_count(user=reader) == 50
        # when
        scans = table_scans(captured.captured_queries[-1]["sql"])
        # then no step reads every row of the events table
        assert "realtime_event" in scans
        assert scans["realtime_event"] == {"index"}


def table_scans(sql: str) -> dict[str, set[str]]:
    """How the plan reads each table: "index" (a search or range scan of an index) or "full" (every row)."""
    vendor = connection.vendor
    prefix = {"sqlite": "EXPLAIN QUERY PLAN ", "postgresql": "EXPLAIN (FORMAT JSON) "}.get(vendor, "EXPLAIN ")
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql)
        columns = [column[0] for column in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    scans: dict[str, set[str]] = {}
    if vendor == "postgresql":
        plan = rows[0]["QUERY PLAN"]
        nodes = [plan[0]["Plan"]] if isinstance(plan, list) else [json.loads(plan)[0]["Plan"]]
        while nodes:
            node = nodes.pop()
            nodes.extend(node.get("Plans", []))
            if "Relation Name" in node:
                full = node["Node Type"] == "Seq Scan"
                scans.setdefault(node["Relation Name"], set()).add("full" if full else "index")
    elif vendor == "sqlite":  # "SCAN realtime_event" reads every row; "SEARCH ... USING INDEX" does not
        for row in rows:
            words = row["detail"].split()
            if words[0] in ("SCAN", "SEARCH") and not words[1].startswith("("):
                full = words[0] == "SCAN" and "INDEX" not in words
                scans.setdefault(words[1], set()).add("full" if full else "index")
    else:  # MariaDB / MySQL: access type ALL reads every row
        for row in rows:
            if row["table"] and not row["table"].startswith("<"):
                scans.setdefault(row["table"], set()).add("full" if row["type"] == "ALL" else "index")
    return scans


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

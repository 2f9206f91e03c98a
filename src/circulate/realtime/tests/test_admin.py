"""The admin shows events and cursors read-only."""

from __future__ import annotations

import pytest
from django.test import Client

from circulate.accounts.tests.factories import UserFactory
from circulate.realtime.models import ReadCursor
from circulate.realtime.tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def test_staff_see_events_and_cursors_but_cannot_add_or_change_events() -> None:
    # given
    admin = UserFactory(is_staff=True, is_superuser=True)
    reader = UserFactory()
    event = EventFactory(type="book.deleted", recipients=[reader])
    ReadCursor.objects.create(user=reader, last_seen_seq=event.seq)
    client = Client()
    client.force_login(admin)
    # when
    listing = client.get("/admin/realtime/event/")
    detail = client.get(f"/admin/realtime/event/{event.seq}/change/")
    adding = client.get("/admin/realtime/event/add/")
    cursors = client.get("/admin/realtime/readcursor/")
    # then
    assert listing.status_code == 200
    assert b"book.deleted" in listing.content
    assert detail.status_code == 200
    assert b'name="_save"' not in detail.content
    assert adding.status_code == 403
    assert cursors.status_code == 200

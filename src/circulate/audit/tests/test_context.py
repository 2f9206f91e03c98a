"""Request ids and the acting task: set at the edge, read by audit entries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone

from circulate.audit.models import AuditEntry
from circulate.celery import task_label
from circulate.core import context
from circulate.core.middleware import client_address
from circulate.library import services, tasks
from circulate.library.models import Reservation
from circulate.library.tests.factories import BookFactory, make_librarian, member_with_card

pytestmark = pytest.mark.django_db


def test_every_answer_carries_a_generated_request_id(api_client) -> None:  # type: ignore[no-untyped-def]
    first = api_client.get("/health/")
    second = api_client.get("/api/library/books/")
    assert context.valid_request_id(first.headers["X-Request-ID"])
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


def test_the_proxys_request_id_is_kept_only_when_proxies_are_trusted(api_client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.TRUST_REQUEST_ID_HEADER = False
    assert api_client.get("/health/", HTTP_X_REQUEST_ID="from-client").headers["X-Request-ID"] != "from-client"
    settings.TRUST_REQUEST_ID_HEADER = True
    assert api_client.get("/health/", HTTP_X_REQUEST_ID="edge-42").headers["X-Request-ID"] == "edge-42"
    # a value that cannot be an id is replaced
    assert api_client.get("/health/", HTTP_X_REQUEST_ID="bad id\n").headers["X-Request-ID"] != "bad id\n"


def test_the_client_address_trusts_exactly_num_proxies_entries(settings) -> None:  # type: ignore[no-untyped-def]
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    settings.NUM_PROXIES = 0
    assert client_address(request) == "10.0.0.1"
    settings.NUM_PROXIES = 1
    assert client_address(request) == "203.0.113.9"
    settings.NUM_PROXIES = 2
    assert client_address(request) == "6.6.6.6"


def test_task_names_read_as_actor_labels() -> None:
    assert task_label("circulate.library.tasks.expire_reservations") == "task:library.expire_reservations"
    assert task_label("circulate.audit.tasks.purge_expired_entries") == "task:audit.purge_expired_entries"


def test_a_task_run_names_itself_as_the_actor_of_its_entries() -> None:
    # given a ready hold past its pickup window
    hold = services.reserve_book(actor=make_librarian(), book_id=BookFactory().pk, member_id=member_with_card().pk)
    Reservation.objects.filter(pk=hold.pk).update(ready_until=timezone.now() - timedelta(minutes=1))
    # when the task runs (in place)
    tasks.expire_reservations.apply()
    # then
    entry = AuditEntry.objects.get(action="library.reservation.expire")
    assert entry.actor_label == "task:library.expire_reservations"
    assert context.current().actor_label == context.SYSTEM

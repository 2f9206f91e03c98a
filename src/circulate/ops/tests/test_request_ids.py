"""A request's id: in the answer's header and error bodies, on its log lines, in its tasks, on audit entries."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import before_task_publish
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from circulate.accounts.tests.factories import UserFactory
from circulate.audit.models import AuditEntry
from circulate.bikes.models import Rental
from circulate.bikes.tests.factories import make_bike, make_fleet_manager, make_plan, make_station
from circulate.celery import REQUEST_ID_HEADER, app
from circulate.core import context
from circulate.ops.logging import RequestContextFilter

REQUEST_ID = "edge-7f3a9c"


@pytest.fixture
def worker() -> Iterator[None]:
    """A Celery worker in a thread of this process, consuming the in-memory broker the tests send to.

    Request it before ``log_output``: the worker's start configures logging again.

    A new thread starts with an empty execution context: what the task knows of the request
    comes only from the message.
    """
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        yield


def wait_until_priced(rental_id: int) -> Rental:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        rental = Rental.objects.get(pk=rental_id)
        if rental.cost_status != Rental.CostStatus.PENDING:
            return rental
        time.sleep(0.1)
    raise AssertionError("the worker never priced the ride")


@pytest.mark.django_db(transaction=True)
def test_the_request_id_goes_from_the_header_to_the_log_line_to_the_task_to_its_audit_entry(
    settings: Any, worker: None, log_output: Any
) -> None:
    # given a proxy we trust, a rider on a ride, and a worker (tasks go through the broker, not in place)
    settings.TRUST_REQUEST_ID_HEADER = True
    published: list[dict[str, Any]] = []

    def keep(headers: dict[str, Any], **kwargs: Any) -> None:
        published.append(dict(headers))

    before_task_publish.connect(keep)
    fleet = make_fleet_manager()
    make_plan(fleet=fleet)
    rider = UserFactory()
    client = APIClient()  # a real commit runs the on-commit hook that enqueues the pricing, inside the request
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(rider).access_token}")
    ride = client.post("/api/bikes/rentals/", {"bike": make_bike(fleet=fleet).pk}, format="json").json()
    # when the rider finishes the ride in a request the proxy named
    finished = client.post(
        f"/api/bikes/rentals/{ride['id']}/finish/",
        {"station": make_station(fleet=fleet).pk},
        format="json",
        HTTP_X_REQUEST_ID=REQUEST_ID,
    )
    # then the answer carries the id
    assert finished.status_code == 202, finished.json()
    assert finished["X-Request-ID"] == REQUEST_ID
    # and the request's log line
    request_lines = [line for line in log_output.lines() if "circulate.request" in line and "/finish/" in line]
    assert len(request_lines) == 1
    assert f"[{REQUEST_ID}]" in request_lines[0]
    # and the worker's pricing task, and the audit entry it writes, carry the same id
    wait_until_priced(ride["id"])
    entry = AuditEntry.objects.get(action="bikes.rental.price", object_id=str(ride["id"]))
    assert (entry.request_id, entry.actor_label) == (REQUEST_ID, "task:bikes.price_rental")
    finish_entry = AuditEntry.objects.get(action="bikes.rental.finish", object_id=str(ride["id"]))
    assert finish_entry.request_id == REQUEST_ID
    before_task_publish.disconnect(keep)
    (task_id,) = [h["id"] for h in published if h.get("task") == "circulate.bikes.tasks.price_rental"]
    # (the worker's "received" line comes before the task runs, so it has none; the worker may also
    # run tasks that earlier tests left in the in-memory broker)
    # (the worker logs the run after the task's commit, which the test may see first)
    deadline = time.monotonic() + 30
    while not any("circulate.task" in line and task_id in line for line in log_output.lines()):
        assert time.monotonic() < deadline, log_output.lines()
        time.sleep(0.05)
    task_lines = [line for line in log_output.lines() if task_id in line and "strategy" not in line]
    assert len(task_lines) >= 2  # Celery's "succeeded" and our task line
    assert all(f"[{REQUEST_ID}]" in line for line in task_lines), task_lines


def test_a_task_enqueued_during_a_request_carries_its_id_in_the_message() -> None:
    # given a message about to be published while a request runs
    headers: dict[str, Any] = {"id": "task-1"}
    # when it is published
    with context.bound(request_id=REQUEST_ID):
        before_task_publish.send(sender="circulate.bikes.tasks.price_rental", headers=headers, body=())
    # then
    assert headers[REQUEST_ID_HEADER] == REQUEST_ID


def test_a_message_without_the_header_gets_no_id() -> None:
    headers: dict[str, Any] = {"id": "task-2"}
    before_task_publish.send(sender="circulate.bikes.tasks.price_rental", headers=headers, body=())
    assert REQUEST_ID_HEADER not in headers


def test_the_filter_puts_the_context_on_every_record() -> None:
    record = logging.LogRecord("any.library", logging.INFO, __file__, 1, "hello", None, None)
    with context.bound(request_id=REQUEST_ID, client_ip="203.0.113.9", actor_label="task:x.y"):
        assert RequestContextFilter().filter(record)
    assert (record.request_id, record.client_ip, record.actor) == (REQUEST_ID, "203.0.113.9", "task:x.y")  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_every_json_error_body_carries_the_request_id(api_client: APIClient) -> None:
    response = api_client.get("/api/library/books/")
    assert response.status_code == 401
    assert response.json()["request_id"] == response["X-Request-ID"]
    # and the length the client is told is the length of the body with the id in it
    assert int(response["Content-Length"]) == len(response.content)

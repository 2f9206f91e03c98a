"""The Celery broker is down when a ride ends: the ride is kept, and it is priced once the broker is back.

A real server (uvicorn) runs on the test database with its broker on a private Redis port
where nothing listens yet. Finishing a ride commits (202, price pending) even though the
pricing task cannot be sent, and the readiness probe names the broker. Then the broker and a
worker start, the ride's five minutes pass (its ``ended_at`` is moved back, as a clock
would), and the beat job that sweeps unpriced rides (``bikes.reprice_overdue``) is sent as
beat sends it: the ride is priced, once.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from celery import Celery
from django.db.models import F
from rest_framework_simplejwt.tokens import AccessToken

from circulate.accounts.tests.factories import UserFactory
from circulate.audit.models import AuditEntry
from circulate.bikes.models import Rental
from circulate.bikes.tests.factories import make_bike, make_fleet_manager, make_plan, make_station
from circulate.core.asgi_server import free_loopback_port, running_asgi_server, running_redis
from circulate.core.testing import CeleryWorker, database_url_of_this_connection

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _call(base: str, method: str, path: str, body: Any = None, token: str = "") -> tuple[int, Any]:
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw or b"null")
        except ValueError:
            raise AssertionError(f"{error.code}: {raw[:2000]!r}") from None


@pytest.fixture
def broker_port() -> int:
    return free_loopback_port()


@pytest.fixture
def server(broker_port: int, tmp_path: Any) -> Iterator[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("EMAIL_", "CELERY_"))}
    for key in ("TEST_DATABASE_NAME", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(key, None)
    env.update(
        CIRCULATE_VAR_DIR=str(tmp_path),
        DATABASE_URL=database_url_of_this_connection(),
        CELERY_BROKER_URL=f"redis://127.0.0.1:{broker_port}/0",
        CELERY_RESULT_BACKEND=f"redis://127.0.0.1:{broker_port}/1",
    )
    with running_asgi_server(env) as base:
        yield base


def test_a_ride_finished_while_the_broker_is_down_is_priced_once_it_is_back(server: str, broker_port: int) -> None:
    # given a rider on a bike, and no broker
    fleet = make_fleet_manager()
    make_plan(fleet=fleet)
    rider = UserFactory()
    token = str(AccessToken.for_user(rider))
    dock = make_station(fleet=fleet)
    status, ride = _call(server, "POST", "/api/bikes/rentals/", {"bike": make_bike(fleet=fleet).pk}, token)
    assert status == 201, ride

    # when the ride ends while the pricing task cannot be sent
    status, finished = _call(server, "POST", f"/api/bikes/rentals/{ride['id']}/finish/", {"station": dock.pk}, token)
    # then the ride is kept, waiting for its price, and the readiness probe names the broker
    assert status == 202, finished
    assert finished["cost_status"] == "pending"
    assert Rental.objects.get(pk=ride["id"]).ended_at is not None
    status, ready = _call(server, "GET", "/health/ready/")
    assert status == 503
    assert ready["checks"]["broker"].startswith("down")

    # when the broker and a worker are back, five minutes on, and beat sends its sweep
    broker = f"redis://127.0.0.1:{broker_port}/0"
    with running_redis(broker_port):
        worker = CeleryWorker(broker, "after-outage")
        try:
            worker.wait_for("ready.")
            six_minutes = timedelta(minutes=6)
            Rental.objects.filter(pk=ride["id"]).update(
                started_at=F("started_at") - six_minutes, ended_at=F("ended_at") - six_minutes
            )
            sender = Celery("beat")
            with sender.connection_for_write(broker) as connection:
                sender.send_task("circulate.bikes.tasks.reprice_overdue", connection=connection)
            # then the ride is priced, once
            deadline = time.monotonic() + 60
            while Rental.objects.get(pk=ride["id"]).cost_status == "pending":
                assert time.monotonic() < deadline, worker.output()
                time.sleep(0.3)
        finally:
            worker.stop()
    priced = Rental.objects.get(pk=ride["id"])
    assert (priced.cost_status, str(priced.cost)) == ("priced", "2.00")
    assert AuditEntry.objects.filter(action="bikes.rental.price", object_id=str(priced.pk)).count() == 1
    assert "reprice_overdue" in worker.final_output

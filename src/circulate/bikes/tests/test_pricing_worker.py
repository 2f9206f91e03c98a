"""A Celery worker killed in the middle of pricing a ride: another worker prices it, exactly once.

Real worker processes consume ``price_rental`` from RabbitMQ on a queue private to the test.
The test holds a lock on the ride's row (or the SQLite write lock), so the first worker is
stuck inside the task, the message received but not acknowledged (``acks_late``); then the
worker is killed with SIGKILL. RabbitMQ hands the message to the next worker, which prices
the ride. The price, its audit entry and its live event exist once.
"""

from __future__ import annotations

import os
import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from celery import Celery
from django.db import connection

from circulate.accounts.tests.factories import UserFactory
from circulate.audit.models import AuditEntry
from circulate.bikes import services
from circulate.bikes.models import Rental
from circulate.bikes.tests.factories import make_bike, make_fleet_manager, make_plan, make_station
from circulate.core.testing import CeleryWorker
from circulate.realtime.models import Event

pytestmark = [pytest.mark.rabbitmq, pytest.mark.django_db(transaction=True)]

AMQP_URL = os.environ.get("CIRCULATE_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")


@contextmanager
def ride_locked(rental_id: int) -> Iterator[None]:
    """Hold the ride's row lock (PostgreSQL, MariaDB) or the database's write lock (SQLite) from another connection."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        blocker = sqlite3.connect(settings["NAME"], isolation_level=None, timeout=20)
        blocker.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        return
    if connection.vendor == "mysql":
        blocker = connection.copy()  # a second connection with the same settings
        blocker.set_autocommit(False)
        try:
            with blocker.cursor() as cursor:
                cursor.execute("SELECT id FROM bikes_rental WHERE id = %s FOR UPDATE", [rental_id])
            yield
        finally:
            blocker.rollback()
            blocker.close()
        return
    with psycopg.connect(
        host=settings["HOST"] or "127.0.0.1", port=settings["PORT"] or 5432, user=settings["USER"] or "postgres",
        password=settings["PASSWORD"] or None, dbname=settings["NAME"],
    ) as blocker:  # fmt: skip
        blocker.execute("SELECT id FROM bikes_rental WHERE id = %s FOR UPDATE", (rental_id,))
        yield
        blocker.rollback()


def wait_until_priced(rental_id: int, timeout: float = 90) -> Rental:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rental = Rental.objects.get(pk=rental_id)
        if rental.cost_status != Rental.CostStatus.PENDING:
            return rental
        time.sleep(0.3)
    raise AssertionError("the ride was never priced")


def test_a_worker_killed_mid_pricing_hands_the_ride_to_another_priced_once() -> None:
    # given a finished ride waiting for its price, and a queue of our own on RabbitMQ
    fleet = make_fleet_manager()
    make_plan(fleet=fleet)
    rider = UserFactory()
    rental = services.start_rental(actor=rider, bike_id=make_bike(fleet=fleet).pk)
    services.finish_rental(actor=rider, rental_id=rental.pk, station_id=make_station(fleet=fleet).pk)
    queue = f"test-pricing-{uuid.uuid4().hex}"
    sender = Celery("sender")
    first = CeleryWorker(AMQP_URL, "first", queue=queue)
    second: CeleryWorker | None = None
    try:
        first.wait_for("ready.")
        with ride_locked(rental.pk):
            # when the first worker takes the task and is killed while it waits inside it
            # An explicit connection: Celery lets a CELERY_BROKER_URL in the environment override the app's broker.
            with sender.connection_for_write(AMQP_URL) as conn:
                sender.send_task("circulate.bikes.tasks.price_rental", args=[rental.pk], queue=queue, connection=conn)
            first.wait_for("circulate.bikes.tasks.price_rental[")
            time.sleep(1.5)
            first.kill()
        assert Rental.objects.get(pk=rental.pk).cost_status == "pending", first.output()
        # and a new worker starts
        second = CeleryWorker(AMQP_URL, "second", queue=queue)
        # then the broker hands it the unacknowledged task, and the ride is priced
        priced = wait_until_priced(rental.pk)
    finally:
        first.stop()
        if second is not None:
            second.stop()
        with sender.connection_for_write(AMQP_URL) as conn:
            conn.default_channel.queue_delete(queue)
    # exactly once: one price, one audit entry, one event per audience
    assert (priced.cost_status, str(priced.cost)) == ("priced", "2.00")
    assert AuditEntry.objects.filter(action="bikes.rental.price", object_id=str(rental.pk)).count() == 1
    assert Event.objects.filter(type="rental.priced").count() == 2
    assert "succeeded" in second.output()

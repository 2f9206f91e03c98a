"""Races on PostgreSQL: many riders at once never get one bike twice, ride two bikes, or overfill a station.

Each test commits its data, then releases threads together (a barrier per wave of at most 25,
each thread with its own database connection) on the same service or endpoint.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from circulate.accounts.tests.factories import UserFactory
from circulate.bikes import services
from circulate.bikes.models import Bike, Rental, Station
from circulate.bikes.tests.factories import make_bike, make_fleet_manager, make_plan, make_station, make_vehicle_type
from circulate.core.errors import DomainError

pytestmark = [pytest.mark.locking, pytest.mark.django_db(transaction=True)]

WAVE = 25


def run_together(count: int, action: Callable[[int], Any]) -> list[Any]:
    """Run ``action(i)`` for ``count`` values of i, each wave of up to 25 threads released at one instant.

    Returns what each call returned, or the refusal's code.
    """
    outcomes: list[Any] = []
    for first in range(0, count, WAVE):
        wave = list(range(first, min(first + WAVE, count)))
        barrier = threading.Barrier(len(wave))

        def attempt(i: int, barrier: threading.Barrier = barrier) -> Any:
            try:
                barrier.wait(timeout=30)
                return action(i)
            except DomainError as exc:
                return exc.code
            finally:
                connection.close()

        with ThreadPoolExecutor(max_workers=len(wave)) as pool:
            outcomes.extend(pool.map(attempt, wave))
    return outcomes


@pytest.fixture
def fleet():  # type: ignore[no-untyped-def]
    fleet = make_fleet_manager()
    make_plan(fleet=fleet)
    return fleet


def test_a_hundred_riders_starting_one_bike_make_one_ride(fleet) -> None:  # type: ignore[no-untyped-def]
    # given one bike and a hundred riders
    station = make_station(fleet=fleet)
    bike = make_bike(station=station, fleet=fleet)
    riders = [UserFactory() for _ in range(100)]
    # when they all try to take it
    outcomes = run_together(100, lambda i: services.start_rental(actor=riders[i], bike_id=bike.pk) and "ok")
    # then exactly one rides it
    assert Counter(outcomes) == {"ok": 1, "bike_unavailable": 99}
    assert Rental.objects.filter(bike=bike).count() == 1
    assert Station.objects.get(pk=station.pk).docked_count == 0
    assert Bike.objects.get(pk=bike.pk).status == "rented"


def test_one_rider_starting_twenty_bikes_rides_one(fleet) -> None:  # type: ignore[no-untyped-def]
    # given twenty bikes and one rider
    station = make_station(capacity=20, fleet=fleet)
    kind = make_vehicle_type(fleet=fleet)
    bikes = [make_bike(station=station, vehicle_type=kind, fleet=fleet) for _ in range(20)]
    rider = UserFactory()
    # when the rider taps all of them at once
    outcomes = run_together(20, lambda i: services.start_rental(actor=rider, bike_id=bikes[i].pk) and "ok")
    # then one ride, and the other nineteen bikes are still in their docks
    assert Counter(outcomes) == {"ok": 1, "rental_active": 19}
    assert Rental.objects.filter(rider=rider).count() == 1
    assert Bike.objects.filter(status="available").count() == 19
    assert Station.objects.get(pk=station.pk).docked_count == 19


def test_thirty_rides_ending_at_a_station_with_one_free_dock(fleet) -> None:  # type: ignore[no-untyped-def]
    # given thirty riders on thirty bikes, and a station with one free dock
    start = make_station(capacity=30, fleet=fleet)
    kind = make_vehicle_type(fleet=fleet)
    riders = [UserFactory() for _ in range(30)]
    rentals = [
        services.start_rental(actor=rider, bike_id=make_bike(station=start, vehicle_type=kind, fleet=fleet).pk)
        for rider in riders
    ]
    tiny = make_station(capacity=1, fleet=fleet)
    # when they all dock there at once
    outcomes = run_together(
        30,
        lambda i: services.finish_rental(actor=riders[i], rental_id=rentals[i].pk, station_id=tiny.pk) and "ok",
    )
    # then one fits; the station is never over capacity; the others are still riding
    assert Counter(outcomes) == {"ok": 1, "station_full": 29}
    assert Station.objects.get(pk=tiny.pk).docked_count == 1
    assert Bike.objects.filter(station=tiny).count() == 1
    assert Rental.objects.filter(ended_at__isnull=True).count() == 29


def test_twenty_retries_with_one_idempotency_key_make_one_ride_and_twenty_identical_answers(fleet) -> None:  # type: ignore[no-untyped-def]
    # given one rider, one bike, and a phone that sends the same start twenty times
    bike = make_bike(fleet=fleet)
    rider = UserFactory()
    token = str(RefreshToken.for_user(rider).access_token)

    def start(_: int) -> tuple[int, Any, str]:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_IDEMPOTENCY_KEY="start-ride-7f3a")
        response = client.post("/api/bikes/rentals/", {"bike": bike.pk}, format="json")
        return response.status_code, response.json(), response.get("Idempotent-Replayed", "")

    # when
    answers = run_together(20, start)
    # then one ride; every answer is the same 201 and body; nineteen of them are replays
    assert Rental.objects.filter(rider=rider).count() == 1
    assert {(status, str(body)) for status, body, _ in answers} == {(201, str(answers[0][1]))}
    assert Counter(replayed for _, _, replayed in answers) == {"true": 19, "": 1}

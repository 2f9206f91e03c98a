"""Rides in the services: start, finish at a station, priced exactly once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from circulate.accounts.tests.factories import UserFactory
from circulate.bikes import services, tasks
from circulate.bikes.errors import (
    BikeUnavailableError,
    NoActiveRentalError,
    RentalActiveError,
    RentalFinishedError,
    StationFullError,
    StationNotReturningError,
)
from circulate.bikes.models import Bike, Rental, Station
from circulate.bikes.storage import bikes_storage
from circulate.bikes.tests.factories import make_bike, make_fleet_manager, make_plan, make_station
from circulate.core.errors import NotFoundError

pytestmark = pytest.mark.django_db


@pytest.fixture
def fleet():  # type: ignore[no-untyped-def]
    return make_fleet_manager()


@pytest.fixture
def plan(fleet):  # type: ignore[no-untyped-def]
    return make_plan(fleet=fleet)


def docked(station: Station) -> int:
    return Station.all_objects.get(pk=station.pk).docked_count


def test_a_ride_takes_the_bike_out_of_its_dock(fleet, plan) -> None:  # type: ignore[no-untyped-def]
    # given a bike in a dock
    station = make_station(fleet=fleet)
    bike = make_bike(station=station, fleet=fleet)
    rider = UserFactory()
    assert docked(station) == 1
    # when
    rental = services.start_rental(actor=rider, bike_id=bike.pk)
    # then
    bike.refresh_from_db()
    assert (bike.status, bike.station_id) == (Bike.Status.RENTED, None)
    assert docked(station) == 0
    assert (rental.plan_id, rental.currency, rental.start_station_id) == (plan.pk, "EUR", station.pk)
    assert rental.plan_terms["per_min_pricing"] == plan.per_min_pricing
    assert rental.ended_at is None


@pytest.mark.parametrize("state", ["rented", "maintenance", "station_not_renting", "station_removed"])
def test_a_bike_that_cannot_be_rented_is_refused(fleet, plan, state) -> None:  # type: ignore[no-untyped-def]
    # given
    station = make_station(fleet=fleet)
    bike = make_bike(station=station, fleet=fleet)
    if state == "rented":
        services.start_rental(actor=UserFactory(), bike_id=bike.pk)
    elif state == "maintenance":
        services.send_to_maintenance(actor=fleet, bike_id=bike.pk)
    elif state == "station_not_renting":
        services.update_station(actor=fleet, station_id=station.pk, is_renting=False)
    else:
        services.update_station(actor=fleet, station_id=station.pk, is_installed=False)
    # when / then
    with pytest.raises(BikeUnavailableError) as refused:
        services.start_rental(actor=UserFactory(), bike_id=bike.pk)
    assert refused.value.code == "bike_unavailable"


def test_one_ride_at_a_time(fleet, plan) -> None:  # type: ignore[no-untyped-def]
    # given a rider on a bike
    station = make_station(fleet=fleet)
    first, second = make_bike(station=station, fleet=fleet), make_bike(station=station, fleet=fleet)
    rider = UserFactory()
    services.start_rental(actor=rider, bike_id=first.pk)
    # when / then
    with pytest.raises(RentalActiveError):
        services.start_rental(actor=rider, bike_id=second.pk)
    assert Bike.objects.get(pk=second.pk).status == Bike.Status.AVAILABLE


def test_unknown_bike_or_plan_is_a_404(fleet, plan) -> None:  # type: ignore[no-untyped-def]
    bike = make_bike(fleet=fleet)
    with pytest.raises(NotFoundError, match="No bike with id 999999"):
        services.start_rental(actor=UserFactory(), bike_id=999_999)
    with pytest.raises(NotFoundError, match="No pricing plan with id 424242"):
        services.start_rental(actor=UserFactory(), bike_id=bike.pk, plan_id=424_242)


def test_finishing_docks_the_bike_rotates_its_public_id_and_enqueues_pricing(  # type: ignore[no-untyped-def]
    fleet, plan, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    # given a ride of 45 minutes
    start, end = make_station(fleet=fleet), make_station(fleet=fleet)
    bike = make_bike(station=start, fleet=fleet)
    public_id = Bike.objects.get(pk=bike.pk).public_id
    rider = UserFactory()
    began = timezone.now() - timedelta(minutes=45)
    rental = services.start_rental(actor=rider, bike_id=bike.pk, now=began)
    enqueued: list[int] = []
    monkeypatch.setattr(tasks.price_rental, "delay", enqueued.append)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.finish_rental(actor=rider, rental_id=rental.pk, station_id=end.pk, now=began + timedelta(minutes=45))
    # then
    rental.refresh_from_db()
    bike.refresh_from_db()
    assert (rental.duration_seconds, rental.end_station_id, rental.cost_status) == (2700, end.pk, "pending")
    assert (bike.status, bike.station_id) == (Bike.Status.AVAILABLE, end.pk)
    assert bike.public_id != public_id
    assert (docked(start), docked(end)) == (0, 1)
    assert enqueued == [rental.pk]


def test_a_full_or_closed_station_refuses_the_bike(fleet, plan) -> None:  # type: ignore[no-untyped-def]
    # given a ride and a station with one dock, taken
    full = make_station(capacity=1, fleet=fleet)
    make_bike(station=full, fleet=fleet)
    closed = make_station(fleet=fleet, is_returning=False)
    rider = UserFactory()
    rental = services.start_rental(actor=rider, bike_id=make_bike(fleet=fleet).pk)
    # when / then
    with pytest.raises(StationFullError):
        services.finish_rental(actor=rider, rental_id=rental.pk, station_id=full.pk)
    with pytest.raises(StationNotReturningError):
        services.finish_rental(actor=rider, rental_id=rental.pk, station_id=closed.pk)
    assert Rental.objects.get(pk=rental.pk).ended_at is None


def test_only_the_rider_or_a_fleet_manager_finishes_a_ride(fleet, plan) -> None:  # type: ignore[no-untyped-def]
    # given bob's ride
    bob, mallory = UserFactory(), UserFactory()
    station = make_station(fleet=fleet)
    rental = services.start_rental(actor=bob, bike_id=make_bike(fleet=fleet).pk)
    # then another rider cannot even see it
    with pytest.raises(NotFoundError):
        services.finish_rental(actor=mallory, rental_id=rental.pk, station_id=station.pk)
    # and a fleet manager ends the abandoned ride
    services.finish_rental(actor=fleet, rental_id=rental.pk, station_id=station.pk)
    rental.refresh_from_db()
    assert rental.finished_by_id == fleet.pk
    with pytest.raises(RentalFinishedError):
        services.finish_rental(actor=bob, rental_id=rental.pk, station_id=station.pk)


def test_rent_end_finishes_the_callers_ride(fleet, plan) -> None:  # type: ignore[no-untyped-def]
    rider = UserFactory()
    station = make_station(fleet=fleet)
    with pytest.raises(NoActiveRentalError):
        services.finish_current_rental(actor=rider, station_id=station.pk)
    rental = services.start_rental(actor=rider, bike_id=make_bike(fleet=fleet).pk)
    assert services.finish_current_rental(actor=rider, station_id=station.pk).pk == rental.pk


def _finished_ride(fleet, minutes: int = 45, seconds: int = 0) -> Rental:  # type: ignore[no-untyped-def]
    rider = UserFactory()
    began = timezone.now() - timedelta(minutes=minutes, seconds=seconds)
    rental = services.start_rental(actor=rider, bike_id=make_bike(fleet=fleet).pk, now=began)
    return services.finish_rental(
        actor=rider, rental_id=rental.pk, station_id=make_station(fleet=fleet).pk, now=timezone.now()
    )


def test_pricing_happens_once_and_writes_the_receipt(fleet, plan) -> None:  # type: ignore[no-untyped-def]
    # given a finished ride of 61 min 30 s under the GBFS example-1 plan
    rental = _finished_ride(fleet, minutes=61, seconds=30)
    # when the task runs twice (a redelivery)
    first = services.price_rental(rental_id=rental.pk)
    second = services.price_rental(rental_id=rental.pk)
    # then the price is the plan's, set once
    rental.refresh_from_db()
    assert (rental.cost, rental.cost_status) == (Decimal("5.20"), "priced")
    assert first.priced_at == second.priced_at == rental.priced_at
    receipt = bikes_storage().open(rental.receipt.name).read().decode()
    assert "Total:       5.20 EUR" in receipt
    assert rental.receipt.name == f"bikes/receipts/ride-{rental.pk}.txt"


def test_a_plan_changed_during_the_ride_does_not_change_its_price(fleet, plan) -> None:  # type: ignore[no-untyped-def]
    # given a ride started under the plan, which then doubles its unlock price
    rider = UserFactory()
    began = timezone.now() - timedelta(minutes=10)
    rental = services.start_rental(actor=rider, bike_id=make_bike(fleet=fleet).pk, now=began)
    services.update_plan(actor=fleet, plan_id=plan.pk, price=Decimal("4.00"))
    services.finish_rental(actor=rider, rental_id=rental.pk, station_id=make_station(fleet=fleet).pk)
    # when
    services.price_rental(rental_id=rental.pk)
    # then the terms of the start apply
    assert Rental.objects.get(pk=rental.pk).cost == Decimal("2.00")


def test_a_ride_still_under_way_is_not_priced(fleet, plan) -> None:  # type: ignore[no-untyped-def]
    rental = services.start_rental(actor=UserFactory(), bike_id=make_bike(fleet=fleet).pk)
    services.price_rental(rental_id=rental.pk)
    assert Rental.objects.get(pk=rental.pk).cost_status == "pending"


def test_a_failed_ride_is_marked_once_and_then_left_alone(fleet, plan) -> None:  # type: ignore[no-untyped-def]
    rental = _finished_ride(fleet)
    services.fail_pricing(rental_id=rental.pk, error="S3 down")
    services.price_rental(rental_id=rental.pk)
    rental.refresh_from_db()
    assert (rental.cost_status, rental.cost, rental.pricing_error) == ("failed", None, "S3 down")


def test_the_task_retries_with_back_off_then_marks_the_ride_failed(fleet, plan, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # given a ride whose pricing fails every time
    rental = _finished_ride(fleet)

    def broken(**kwargs: object) -> Rental:
        raise OSError("storage unreachable")

    monkeypatch.setattr(services, "price_rental", broken)
    # when the task has used every retry
    result = tasks.price_rental.apply(args=[rental.pk], retries=tasks.MAX_PRICING_RETRIES)
    # then it failed, and the ride says so
    assert result.failed()
    rental.refresh_from_db()
    assert rental.cost_status == "failed"
    assert "storage unreachable" in rental.pricing_error
    # and earlier attempts are retried later, not failed
    assert 5 <= tasks.backoff_seconds(0) <= 6
    assert 600 <= tasks.backoff_seconds(10) <= 720


def test_the_beat_job_enqueues_rides_left_unpriced(fleet, plan, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # given a ride that ended 10 minutes ago and is still pending, and one that just ended
    old = _finished_ride(fleet)
    Rental.objects.filter(pk=old.pk).update(ended_at=timezone.now() - timedelta(minutes=10))
    _finished_ride(fleet)
    enqueued: list[int] = []
    monkeypatch.setattr(tasks.price_rental, "delay", enqueued.append)
    # when
    result = tasks.reprice_overdue.apply().get()
    # then only the overdue one goes again
    assert result == {"enqueued": 1}
    assert enqueued == [old.pk]

"""Fleet management in the services: stations, vehicle types, bikes in their docks, pricing plans."""

from __future__ import annotations

from decimal import Decimal

import pytest

from circulate.accounts.tests.factories import UserFactory
from circulate.bikes import services
from circulate.bikes.errors import (
    BikeRentedError,
    CapacityBelowDockedError,
    PlanInUseError,
    SerialTakenError,
    StationFullError,
    StationHasBikesError,
    VehicleTypeInUseError,
)
from circulate.bikes.models import Bike, PricingPlan, Station, VehicleType
from circulate.bikes.tests.factories import make_bike, make_fleet_manager, make_plan, make_station, make_vehicle_type
from circulate.core.errors import InvalidInputError, PermissionDeniedError

pytestmark = pytest.mark.django_db


@pytest.fixture
def fleet():  # type: ignore[no-untyped-def]
    return make_fleet_manager()


def test_only_fleet_managers_change_the_fleet(fleet) -> None:  # type: ignore[no-untyped-def]
    rider = UserFactory()
    station = make_station(fleet=fleet)
    with pytest.raises(PermissionDeniedError, match="Only fleet managers may add stations"):
        services.create_station(actor=rider, name="X", lat=Decimal(0), lon=Decimal(0), capacity=3)
    with pytest.raises(PermissionDeniedError):
        services.update_station(actor=rider, station_id=station.pk, capacity=20)
    with pytest.raises(PermissionDeniedError):
        services.create_plan(actor=rider, name="Free", currency="EUR")
    with pytest.raises(PermissionDeniedError):
        services.send_to_maintenance(actor=rider, bike_id=make_bike(fleet=fleet).pk)


def test_a_station_never_holds_more_bikes_than_docks(fleet) -> None:  # type: ignore[no-untyped-def]
    # given a station with two docks, both taken
    station = make_station(capacity=2, fleet=fleet)
    make_bike(station=station, fleet=fleet)
    make_bike(station=station, fleet=fleet)
    # then a third bike is refused, and the capacity cannot drop below the two
    with pytest.raises(StationFullError):
        make_bike(station=station, fleet=fleet)
    with pytest.raises(CapacityBelowDockedError):
        services.update_station(actor=fleet, station_id=station.pk, capacity=1)
    assert Station.objects.get(pk=station.pk).docked_count == 2
    # and a station with bikes cannot be removed
    with pytest.raises(StationHasBikesError):
        services.delete_station(actor=fleet, station_id=station.pk)


def test_serials_are_unique_among_active_bikes(fleet) -> None:  # type: ignore[no-untyped-def]
    station = make_station(fleet=fleet)
    kind = make_vehicle_type(fleet=fleet)
    bike = services.create_bike(actor=fleet, serial="BK-1", vehicle_type_id=kind.pk, station_id=station.pk)
    with pytest.raises(SerialTakenError):
        services.create_bike(actor=fleet, serial="BK-1", vehicle_type_id=kind.pk, station_id=station.pk)
    # a withdrawn bike frees its serial (and its dock)
    services.delete_bike(actor=fleet, bike_id=bike.pk)
    assert Station.objects.get(pk=station.pk).docked_count == 0
    again = services.create_bike(actor=fleet, serial="BK-1", vehicle_type_id=kind.pk, station_id=station.pk)
    assert again.pk != bike.pk


def test_electric_bikes_carry_a_range_and_ordinary_ones_none(fleet) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInputError, match="max_range_meters"):
        services.create_vehicle_type(actor=fleet, name="E", propulsion=VehicleType.Propulsion.ELECTRIC_ASSIST)
    electric = make_vehicle_type(electric=True, fleet=fleet)
    bike = make_bike(vehicle_type=electric, fleet=fleet)
    assert bike.current_range_meters == 50_000  # a new battery is a full one
    with pytest.raises(InvalidInputError, match="cannot exceed"):
        services.update_bike(actor=fleet, bike_id=bike.pk, current_range_meters=60_000)
    ordinary = make_vehicle_type(fleet=fleet)
    with pytest.raises(InvalidInputError, match="Only electric-assist bikes have a range"):
        services.update_bike(
            actor=fleet, bike_id=make_bike(vehicle_type=ordinary, fleet=fleet).pk, current_range_meters=5
        )
    changed = services.update_bike(actor=fleet, bike_id=bike.pk, vehicle_type_id=ordinary.pk)
    assert changed.current_range_meters is None
    with pytest.raises(VehicleTypeInUseError):
        services.delete_vehicle_type(actor=fleet, vehicle_type_id=ordinary.pk)


def test_maintenance_keeps_the_bike_in_its_dock_and_release_may_move_it(fleet) -> None:  # type: ignore[no-untyped-def]
    # given
    here, there = make_station(fleet=fleet), make_station(fleet=fleet)
    bike = make_bike(station=here, fleet=fleet)
    # when
    services.send_to_maintenance(actor=fleet, bike_id=bike.pk)
    # then it stays docked, disabled
    bike.refresh_from_db()
    assert (bike.status, bike.station_id) == ("maintenance", here.pk)
    assert Station.objects.get(pk=here.pk).docked_count == 1
    # when it is released at another station
    services.release_from_maintenance(actor=fleet, bike_id=bike.pk, station_id=there.pk)
    bike.refresh_from_db()
    assert (bike.status, bike.station_id) == ("available", there.pk)
    assert (Station.objects.get(pk=here.pk).docked_count, Station.objects.get(pk=there.pk).docked_count) == (0, 1)
    with pytest.raises(InvalidInputError, match="not in maintenance"):
        services.release_from_maintenance(actor=fleet, bike_id=bike.pk)


def test_a_bike_on_a_ride_cannot_be_repaired_or_withdrawn(fleet) -> None:  # type: ignore[no-untyped-def]
    make_plan(fleet=fleet)
    bike = make_bike(fleet=fleet)
    services.start_rental(actor=UserFactory(), bike_id=bike.pk)
    with pytest.raises(BikeRentedError):
        services.send_to_maintenance(actor=fleet, bike_id=bike.pk)
    with pytest.raises(BikeRentedError):
        services.delete_bike(actor=fleet, bike_id=bike.pk)
    assert Bike.objects.get(pk=bike.pk).status == "rented"


def test_one_default_plan_at_a_time(fleet) -> None:  # type: ignore[no-untyped-def]
    first = make_plan(fleet=fleet, name="First")
    second = make_plan(fleet=fleet, name="Second")
    assert list(PricingPlan.objects.filter(is_default=True)) == [second]
    with pytest.raises(PlanInUseError, match="default plan"):
        services.delete_plan(actor=fleet, plan_id=second.pk)
    services.update_plan(actor=fleet, plan_id=first.pk, is_default=True)
    services.delete_plan(actor=fleet, plan_id=second.pk)
    assert list(PricingPlan.objects.values_list("name", flat=True)) == ["First"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"currency": "XYZ"}, "currency", "XYZ is not an ISO 4217 currency code"),
        ({"per_min_pricing": [{"start": 0, "rate": "0.5"}]}, "per_min_pricing", "needs start, rate and interval"),
        ({"per_min_pricing": [{"start": 10, "rate": "1", "interval": 1, "end": 5}]}, "per_min_pricing", "end must"),
        ({"per_min_pricing": [{"start": 0, "rate": "0.00001", "interval": 1}]}, "per_min_pricing", "4 decimals"),
        ({"per_min_pricing": [{"start": 0, "rate": "1", "interval": 1, "extra": 2}]}, "per_min_pricing", "unknown"),
        ({"fare_cap_duration": 60}, "fare_cap_duration", "needs both"),
    ],
)
def test_plans_are_checked(fleet, changes, field, message) -> None:  # type: ignore[no-untyped-def]
    plan = make_plan(fleet=fleet)
    with pytest.raises(InvalidInputError, match=message) as refused:
        services.update_plan(actor=fleet, plan_id=plan.pk, **changes)
    assert refused.value.field == field


def test_segments_are_stored_in_one_canonical_form(fleet) -> None:  # type: ignore[no-untyped-def]
    plan = make_plan(fleet=fleet, per_min_pricing=[{"start": "0", "rate": 0.5, "interval": 1}])
    assert plan.per_min_pricing == [{"start": 0, "rate": "0.5", "interval": 1}]

"""Live events of the rental and its audit trail: every service records what it changed, and who did it."""

from __future__ import annotations

from typing import Any

import pytest

from circulate.accounts.roles import FLEET_MANAGER
from circulate.accounts.tests.factories import UserFactory
from circulate.audit.models import AuditEntry
from circulate.bikes import services
from circulate.bikes.tests.factories import make_bike, make_fleet_manager, make_plan, make_station
from circulate.realtime.models import Event

pytestmark = pytest.mark.django_db


def events(kind: str) -> list[tuple[str, str, list[int]]]:
    """(audience, role, recipient user ids) of each stored event of this type, oldest first."""
    return [
        (event.audience, event.role, sorted(event.eventrecipient_set.values_list("user_id", flat=True)))
        for event in Event.objects.filter(type=kind).order_by("seq")
    ]


def test_a_ride_tells_the_rider_and_the_fleet_managers(django_capture_on_commit_callbacks: Any) -> None:
    # given
    fleet = make_fleet_manager()
    make_plan(fleet=fleet)
    station = make_station(fleet=fleet)
    bike = make_bike(station=station, fleet=fleet)
    rider = UserFactory()
    # when the rider rides and the ride is priced
    with django_capture_on_commit_callbacks(execute=True):
        rental = services.start_rental(actor=rider, bike_id=bike.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.finish_rental(actor=rider, rental_id=rental.pk, station_id=station.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.price_rental(rental_id=rental.pk)
    # then the rider hears of what others did (the price, set by the task), never of their own actions
    assert events("rental.started") == [("users", "", []), ("role", FLEET_MANAGER, [])]
    assert events("rental.priced") == [("users", "", [rider.pk]), ("role", FLEET_MANAGER, [])]
    priced = Event.objects.get(type="rental.priced", audience="users")
    assert priced.payload == {"rental_id": rental.pk, "cost": "2.00", "currency": "EUR", "duration_seconds": 0}
    # and the bike's moves went to the fleet managers
    moves = Event.objects.filter(type="bike.updated").order_by("seq")
    assert [event.payload["status"] for event in moves] == ["rented", "available"]
    assert {event.role for event in moves} == {FLEET_MANAGER}


def test_every_service_records_its_audit_entry() -> None:
    # given
    fleet = make_fleet_manager(email="fleet@example.com")
    plan = make_plan(fleet=fleet)
    station = make_station(fleet=fleet, capacity=5)
    bike = make_bike(station=station, fleet=fleet)
    rider = UserFactory(email="rider@example.com")
    # when
    services.update_station(actor=fleet, station_id=station.pk, capacity=6)
    services.send_to_maintenance(actor=fleet, bike_id=bike.pk)
    services.release_from_maintenance(actor=fleet, bike_id=bike.pk)
    rental = services.start_rental(actor=rider, bike_id=bike.pk)
    services.finish_rental(actor=rider, rental_id=rental.pk, station_id=station.pk)
    services.price_rental(rental_id=rental.pk)
    services.update_plan(actor=fleet, plan_id=plan.pk, description="Cheap")
    # then
    entries = {entry.action: entry for entry in AuditEntry.objects.order_by("id")}
    assert {
        "bikes.station.create",
        "bikes.station.update",
        "bikes.vehicle_type.create",
        "bikes.bike.create",
        "bikes.bike.maintenance",
        "bikes.bike.release",
        "bikes.pricing_plan.create",
        "bikes.pricing_plan.update",
        "bikes.rental.start",
        "bikes.rental.finish",
        "bikes.rental.price",
    } <= set(entries)
    assert entries["bikes.station.update"].changes == {"capacity": [5, 6]}
    assert entries["bikes.bike.maintenance"].changes == {"status": ["available", "maintenance"]}
    assert entries["bikes.rental.start"].actor_label == "rider@example.com"
    assert entries["bikes.rental.start"].changes["bike"] == [None, bike.pk]
    assert entries["bikes.rental.finish"].changes["end_station"] == [None, station.pk]
    assert entries["bikes.rental.price"].changes == {"cost": [None, "2.00"], "cost_status": ["pending", "priced"]}
    assert entries["bikes.rental.price"].actor_id is None
    assert entries["bikes.pricing_plan.update"].changes == {"description": ["", "Cheap"]}
    assert entries["bikes.station.create"].actor_label == "fleet@example.com"

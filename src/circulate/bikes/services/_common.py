"""Locks, access checks and events shared by the bike services (package-private).

Lock order, always: rental, then bike, then station (by id when two stations are involved),
so two writers never deadlock. Dock counts move with conditional updates
(``docked_count < capacity``), backed by the check constraint ``docked_count <= capacity``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import F
from django.utils import timezone

from circulate.accounts.roles import FLEET_MANAGER
from circulate.bikes import selectors
from circulate.bikes.errors import StationFullError
from circulate.bikes.models import Bike, PricingPlan, Rental, Station
from circulate.core.errors import NotFoundError, PermissionDeniedError
from circulate.realtime import audience
from circulate.realtime.services import publish


def require_fleet_manager(actor: Any, action: str) -> None:
    if not selectors.is_fleet_manager(actor):
        raise PermissionDeniedError(f"Only fleet managers may {action}.")


def lock_bike(bike_id: int) -> Bike:
    bike = Bike.objects.select_for_update().filter(pk=bike_id).first()
    if bike is None:
        raise NotFoundError(f"No bike with id {bike_id}.", field="bike")
    return bike


def lock_station(station_id: int, *, field: str = "station") -> Station:
    station = Station.objects.select_for_update().filter(pk=station_id).first()
    if station is None:
        raise NotFoundError(f"No station with id {station_id}.", field=field)
    return station


def lock_rental(rental_id: int) -> Rental:
    return Rental.objects.select_for_update().get(pk=rental_id)


def dock(station: Station, *, now: datetime) -> None:
    """One more bike stands in ``station``'s docks; refused when every dock is taken."""
    docked = Station.objects.filter(pk=station.pk, docked_count__lt=F("capacity")).update(
        docked_count=F("docked_count") + 1, status_changed_at=now
    )
    if not docked:
        raise StationFullError(f"Every dock of {station.name} is taken.", field="station")


def undock(station_id: int, *, now: datetime) -> None:
    Station.objects.filter(pk=station_id, docked_count__gt=0).update(
        docked_count=F("docked_count") - 1, status_changed_at=now
    )


def bike_payload(bike: Bike) -> dict[str, Any]:
    return {"bike_id": bike.pk, "serial": bike.serial, "status": bike.status, "station_id": bike.station_id}


def publish_bike_updated(bike: Bike, *, actor: Any) -> None:
    publish("bike.updated", bike_payload(bike), audience=audience.role(FLEET_MANAGER), actor=actor)


def publish_to_rider_and_fleet(event_type: str, payload: dict[str, Any], *, rider_id: int, actor: Any) -> None:
    publish(event_type, payload, audience=audience.users([rider_id]), actor=actor)
    publish(event_type, payload, audience=audience.role(FLEET_MANAGER), actor=actor)


def now_or(now: datetime | None) -> datetime:
    return now or timezone.now()


def plan_terms(plan: PricingPlan) -> dict[str, object]:
    """The plan as a rental keeps it: what the ride will cost, whatever happens to the plan later."""
    cap = (
        {"duration": plan.fare_cap_duration, "price": str(plan.fare_cap_price)}
        if plan.fare_cap_duration is not None
        else None
    )
    return {
        "plan_id": plan.pk,
        "name": plan.name,
        "currency": plan.currency,
        "price": str(plan.price),
        "per_min_pricing": plan.per_min_pricing,
        "fare_cap": cap,
    }

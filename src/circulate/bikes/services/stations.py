"""Stations and vehicle types: what fleet managers set up."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypedDict, Unpack

from django.db import IntegrityError, transaction
from django.utils import timezone

from circulate.audit import services as audit
from circulate.bikes.errors import CapacityBelowDockedError, StationHasBikesError, VehicleTypeInUseError
from circulate.bikes.models import Bike, Station, VehicleType
from circulate.bikes.services._common import lock_station, require_fleet_manager
from circulate.core.errors import InvalidInputError, NotFoundError
from circulate.core.services import soft_delete

STATION_FIELDS = ("name", "lat", "lon", "address", "capacity", "is_installed", "is_renting", "is_returning")
VEHICLE_TYPE_FIELDS = ("name", "form_factor", "propulsion", "max_range_meters")


class StationChanges(TypedDict, total=False):
    name: str
    lat: Decimal
    lon: Decimal
    address: str
    capacity: int
    is_installed: bool
    is_renting: bool
    is_returning: bool


@audit.audited("bikes.station.create")
@transaction.atomic
def create_station(
    *,
    actor: Any,
    name: str,
    lat: Decimal,
    lon: Decimal,
    capacity: int,
    address: str = "",
    is_installed: bool = True,
    is_renting: bool = True,
    is_returning: bool = True,
) -> Station:
    require_fleet_manager(actor, "add stations")
    station = Station.objects.create(
        name=name.strip(),
        lat=lat,
        lon=lon,
        address=address.strip(),
        capacity=capacity,
        is_installed=is_installed,
        is_renting=is_renting,
        is_returning=is_returning,
    )
    audit.record("bikes.station.create", actor=actor, target=station, changes=audit.created(station, STATION_FIELDS))
    return station


@audit.audited("bikes.station.update")
@transaction.atomic
def update_station(*, actor: Any, station_id: int, **changes: Unpack[StationChanges]) -> Station:
    """Edit a station; its capacity cannot drop below the bikes standing in its docks."""
    require_fleet_manager(actor, "edit stations")
    station = lock_station(station_id, field="id")
    before = audit.snapshot(station, STATION_FIELDS)
    if changes.get("capacity", station.capacity) < station.docked_count:
        raise CapacityBelowDockedError(
            f"{station.docked_count} bikes stand in {station.name}'s docks; its capacity cannot go below that.",
            field="capacity",
        )
    for field, value in changes.items():
        setattr(station, field, value.strip() if isinstance(value, str) else value)
    if any(flag in changes for flag in ("is_installed", "is_renting", "is_returning")):
        station.status_changed_at = timezone.now()
    try:
        with transaction.atomic():
            station.save()
    except IntegrityError as exc:  # a bike docked meanwhile: the check constraint keeps capacity >= docked
        raise CapacityBelowDockedError("More bikes stand in the docks than that capacity.", field="capacity") from exc
    audit.record("bikes.station.update", actor=actor, target=station, changes=audit.changes_since(before, station))
    return station


@audit.audited("bikes.station.delete")
@transaction.atomic
def delete_station(*, actor: Any, station_id: int) -> None:
    """Take a station off the map (soft delete); refused while bikes stand in its docks."""
    require_fleet_manager(actor, "remove stations")
    station = lock_station(station_id, field="id")
    if station.docked_count or Bike.objects.filter(station=station).exists():
        raise StationHasBikesError(f"Bikes still stand at {station.name}; move them first.")
    soft_delete(instance=station)
    audit.record("bikes.station.delete", actor=actor, target=station, changes={"is_active": (True, False)})


def _check_range(vehicle_type: VehicleType) -> None:
    # GBFS requires a range for every electric-assist type (and then for each of its vehicles).
    if vehicle_type.propulsion == VehicleType.Propulsion.ELECTRIC_ASSIST and not vehicle_type.max_range_meters:
        raise InvalidInputError("An electric-assist type needs its max_range_meters.", field="max_range_meters")


class VehicleTypeChanges(TypedDict, total=False):
    name: str
    form_factor: str
    propulsion: str
    max_range_meters: int | None


@audit.audited("bikes.vehicle_type.create")
@transaction.atomic
def create_vehicle_type(
    *,
    actor: Any,
    name: str,
    form_factor: str = VehicleType.FormFactor.BICYCLE,
    propulsion: str = VehicleType.Propulsion.HUMAN,
    max_range_meters: int | None = None,
) -> VehicleType:
    require_fleet_manager(actor, "add vehicle types")
    vehicle_type = VehicleType(
        name=name.strip(), form_factor=form_factor, propulsion=propulsion, max_range_meters=max_range_meters
    )
    _check_range(vehicle_type)
    vehicle_type.save()
    changes = audit.created(vehicle_type, VEHICLE_TYPE_FIELDS)
    audit.record("bikes.vehicle_type.create", actor=actor, target=vehicle_type, changes=changes)
    return vehicle_type


@audit.audited("bikes.vehicle_type.update")
@transaction.atomic
def update_vehicle_type(*, actor: Any, vehicle_type_id: int, **changes: Unpack[VehicleTypeChanges]) -> VehicleType:
    require_fleet_manager(actor, "edit vehicle types")
    vehicle_type = VehicleType.objects.select_for_update().filter(pk=vehicle_type_id).first()
    if vehicle_type is None:
        raise NotFoundError(f"No vehicle type with id {vehicle_type_id}.")
    before = audit.snapshot(vehicle_type, VEHICLE_TYPE_FIELDS)
    for field, value in changes.items():
        setattr(vehicle_type, field, value.strip() if isinstance(value, str) else value)
    _check_range(vehicle_type)
    vehicle_type.save()
    changed = audit.changes_since(before, vehicle_type)
    audit.record("bikes.vehicle_type.update", actor=actor, target=vehicle_type, changes=changed)
    return vehicle_type


@audit.audited("bikes.vehicle_type.delete")
@transaction.atomic
def delete_vehicle_type(*, actor: Any, vehicle_type_id: int) -> None:
    require_fleet_manager(actor, "remove vehicle types")
    vehicle_type = VehicleType.objects.select_for_update().filter(pk=vehicle_type_id).first()
    if vehicle_type is None:
        raise NotFoundError(f"No vehicle type with id {vehicle_type_id}.")
    in_use = Bike.objects.filter(vehicle_type=vehicle_type).count()
    if in_use:
        raise VehicleTypeInUseError(f"{in_use} bikes are of this type; remove or change them first.")
    soft_delete(instance=vehicle_type)
    audit.record("bikes.vehicle_type.delete", actor=actor, target=vehicle_type, changes={"is_active": (True, False)})

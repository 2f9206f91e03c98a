"""Bikes: adding them to a station, editing, sending them to repair and back, photos, withdrawing them."""

from __future__ import annotations

import uuid
from typing import Any, TypedDict, Unpack

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction

from circulate.audit import services as audit
from circulate.bikes import fleet_cache
from circulate.bikes.errors import BikeRentedError, SerialTakenError
from circulate.bikes.images import checked_photo
from circulate.bikes.models import Bike, VehicleType
from circulate.bikes.services._common import (
    dock,
    lock_bike,
    lock_station,
    now_or,
    publish_bike_updated,
    require_fleet_manager,
    undock,
)
from circulate.core.errors import InvalidInputError, NotFoundError
from circulate.core.services import soft_delete

BIKE_FIELDS = ("serial", "vehicle_type", "status", "station", "current_range_meters")


def _vehicle_type(vehicle_type_id: int) -> VehicleType:
    vehicle_type = VehicleType.objects.filter(pk=vehicle_type_id).first()
    if vehicle_type is None:
        raise NotFoundError(f"No vehicle type with id {vehicle_type_id}.", field="vehicle_type")
    return vehicle_type


def _check_range(vehicle_type: VehicleType, current_range_meters: int | None) -> None:
    if current_range_meters is not None and not vehicle_type.is_electric:
        raise InvalidInputError("Only electric-assist bikes have a range.", field="current_range_meters")
    limit = vehicle_type.max_range_meters
    if current_range_meters is not None and limit is not None and current_range_meters > limit:
        raise InvalidInputError(f"The range cannot exceed the type's {limit} m.", field="current_range_meters")


def _save_serial(bike: Bike) -> None:
    try:
        with transaction.atomic():
            bike.save()
    except IntegrityError as exc:
        raise SerialTakenError(f"Another bike already has the serial {bike.serial}.", field="serial") from exc


@audit.audited("bikes.bike.create")
@transaction.atomic
def create_bike(
    *, actor: Any, serial: str, vehicle_type_id: int, station_id: int, current_range_meters: int | None = None
) -> Bike:
    """Put a new bike into a dock of ``station_id``, ready to rent."""
    require_fleet_manager(actor, "add bikes")
    now = now_or(None)
    vehicle_type = _vehicle_type(vehicle_type_id)
    if current_range_meters is None and vehicle_type.is_electric:
        current_range_meters = vehicle_type.max_range_meters  # a new battery is a full one
    _check_range(vehicle_type, current_range_meters)
    station = lock_station(station_id)
    dock(station, now=now)
    bike = Bike(
        serial=serial.strip(),
        vehicle_type=vehicle_type,
        station=station,
        status=Bike.Status.AVAILABLE,
        current_range_meters=current_range_meters,
        status_changed_at=now,
    )
    _save_serial(bike)
    audit.record("bikes.bike.create", actor=actor, target=bike, changes=audit.created(bike, BIKE_FIELDS))
    publish_bike_updated(bike, actor=actor)
    return bike


class BikeChanges(TypedDict, total=False):
    serial: str
    vehicle_type_id: int
    current_range_meters: int | None


@audit.audited("bikes.bike.update")
@transaction.atomic
def update_bike(*, actor: Any, bike_id: int, **changes: Unpack[BikeChanges]) -> Bike:
    require_fleet_manager(actor, "edit bikes")
    bike = lock_bike(bike_id)
    before = audit.snapshot(bike, BIKE_FIELDS)
    if "serial" in changes:
        bike.serial = changes["serial"].strip()
    if "vehicle_type_id" in changes:
        bike.vehicle_type = _vehicle_type(changes["vehicle_type_id"])
    if "current_range_meters" in changes:
        bike.current_range_meters = changes["current_range_meters"]
    elif not bike.vehicle_type.is_electric:
        bike.current_range_meters = None  # the bike became a type without a battery
    if bike.vehicle_type.is_electric and bike.current_range_meters is None:
        bike.current_range_meters = bike.vehicle_type.max_range_meters
    _check_range(bike.vehicle_type, bike.current_range_meters)
    _save_serial(bike)
    audit.record("bikes.bike.update", actor=actor, target=bike, changes=audit.changes_since(before, bike))
    return bike


@audit.audited("bikes.bike.maintenance")
@transaction.atomic
def send_to_maintenance(*, actor: Any, bike_id: int) -> Bike:
    """Take a bike out of service; it stays in its dock (GBFS: disabled) until it is released."""
    require_fleet_manager(actor, "send bikes to maintenance")
    bike = lock_bike(bike_id)
    if bike.status == Bike.Status.RENTED:
        raise BikeRentedError(f"Bike {bike.serial} is out on a ride; end the ride first.")
    if bike.status != Bike.Status.MAINTENANCE:
        now = now_or(None)
        Bike.objects.filter(pk=bike.pk).update(status=Bike.Status.MAINTENANCE, status_changed_at=now)
        fleet_cache.changed()
        audit.record(
            "bikes.bike.maintenance", actor=actor, target=bike, changes={"status": (bike.status, "maintenance")}
        )
        bike.status, bike.status_changed_at = Bike.Status.MAINTENANCE, now
        publish_bike_updated(bike, actor=actor)
    return bike


@audit.audited("bikes.bike.release")
@transaction.atomic
def release_from_maintenance(*, actor: Any, bike_id: int, station_id: int | None = None) -> Bike:
    """Put a repaired bike back in service, in its dock or in a dock of ``station_id``."""
    require_fleet_manager(actor, "release bikes from maintenance")
    now = now_or(None)
    bike = lock_bike(bike_id)
    if bike.status != Bike.Status.MAINTENANCE:
        raise InvalidInputError(f"Bike {bike.serial} is not in maintenance.", field="bike")
    before = audit.snapshot(bike, ("status", "station"))
    target_id = station_id or bike.station_id
    if target_id is None:
        raise InvalidInputError("Say which station the bike goes back to.", field="station")
    if target_id != bike.station_id:
        station = lock_station(target_id)
        dock(station, now=now)
        if bike.station_id is not None:
            undock(bike.station_id, now=now)
        bike.station = station
    bike.status = Bike.Status.AVAILABLE
    bike.status_changed_at = now
    bike.save(update_fields=["status", "station", "status_changed_at", "updated_at"])
    audit.record("bikes.bike.release", actor=actor, target=bike, changes=audit.changes_since(before, bike))
    publish_bike_updated(bike, actor=actor)
    return bike


@audit.audited("bikes.bike.photo")
@transaction.atomic
def set_bike_photo(*, actor: Any, bike_id: int, photo: UploadedFile) -> Bike:
    """Store a checked photo of the bike (JPEG, PNG or WebP, within the size limits) in the file storage."""
    require_fleet_manager(actor, "upload bike photos")
    bike = lock_bike(bike_id)
    content, extension = checked_photo(photo)
    previous = bike.photo.name or None
    bike.photo.save(f"bike-{bike.pk}-{uuid.uuid4().hex[:8]}.{extension}", content, save=False)
    bike.save(update_fields=["photo", "updated_at"])
    audit.record("bikes.bike.photo", actor=actor, target=bike, changes={"photo": (previous, bike.photo.name)})
    return bike


@audit.audited("bikes.bike.delete")
@transaction.atomic
def delete_bike(*, actor: Any, bike_id: int) -> None:
    """Withdraw a bike from the fleet (soft delete); refused while it is out on a ride."""
    require_fleet_manager(actor, "remove bikes")
    bike = lock_bike(bike_id)
    if bike.status == Bike.Status.RENTED:
        raise BikeRentedError(f"Bike {bike.serial} is out on a ride; end the ride first.")
    if bike.station_id is not None:
        undock(bike.station_id, now=now_or(None))
    Bike.objects.filter(pk=bike.pk).update(station=None, status=Bike.Status.MAINTENANCE, public_id=uuid.uuid4())
    fleet_cache.changed()
    soft_delete(instance=bike)
    audit.record("bikes.bike.delete", actor=actor, target=bike, changes={"is_active": (True, False)})
    bike.status, bike.station = Bike.Status.MAINTENANCE, None
    publish_bike_updated(bike, actor=actor)

"""Test data for the bike rental, made through the services so dock counts stay true."""

from __future__ import annotations

from decimal import Decimal
from itertools import count
from typing import Any

from circulate.accounts.roles import FLEET_MANAGER
from circulate.accounts.tests.factories import UserFactory
from circulate.bikes import services
from circulate.bikes.models import Bike, PricingPlan, Station, VehicleType

_serials = count(1)

EXAMPLE_1_SEGMENTS = [
    {"start": 30, "rate": "3.00", "interval": 0, "end": 60},
    {"start": 60, "rate": "0.10", "interval": 1},
]


def make_fleet_manager(**kwargs: Any) -> Any:
    return UserFactory(roles=[FLEET_MANAGER], **kwargs)


def make_station(*, capacity: int = 10, fleet: Any = None, **fields: Any) -> Station:
    fields.setdefault("name", f"Station {next(_serials)}")
    fields.setdefault("lat", Decimal("59.437000"))
    fields.setdefault("lon", Decimal("24.745000"))
    return services.create_station(actor=fleet or make_fleet_manager(), capacity=capacity, **fields)


def make_vehicle_type(*, electric: bool = False, fleet: Any = None) -> VehicleType:
    if electric:
        return services.create_vehicle_type(
            actor=fleet or make_fleet_manager(),
            name="E-bike",
            propulsion=VehicleType.Propulsion.ELECTRIC_ASSIST,
            max_range_meters=50_000,
        )
    return services.create_vehicle_type(actor=fleet or make_fleet_manager(), name="City bike")


def make_bike(*, station: Station | None = None, vehicle_type: VehicleType | None = None, fleet: Any = None) -> Bike:
    fleet = fleet or make_fleet_manager()
    return services.create_bike(
        actor=fleet,
        serial=f"BK-{next(_serials):05d}",
        vehicle_type_id=(vehicle_type or make_vehicle_type(fleet=fleet)).pk,
        station_id=(station or make_station(fleet=fleet)).pk,
    )


def make_plan(*, default: bool = True, fleet: Any = None, **fields: Any) -> PricingPlan:
    fields.setdefault("name", "Day pass")
    fields.setdefault("currency", "EUR")
    fields.setdefault("price", Decimal("2.00"))
    fields.setdefault("per_min_pricing", EXAMPLE_1_SEGMENTS)
    return services.create_plan(actor=fleet or make_fleet_manager(), is_default=default, **fields)

"""Every write and rule of the bike rental, one function per use case, in one module per concept.

``stations`` (stations and vehicle types), ``plans`` (GBFS pricing plans), ``bikes`` (the
fleet: adding, repair, photos) and ``rentals`` (start, finish, pricing exactly once). Locks,
dock counting and events shared by them are in ``_common``; the price arithmetic is the
pure function ``bikes.pricing.trip_cost``.
"""

from circulate.bikes.services.bikes import (
    BikeChanges,
    create_bike,
    delete_bike,
    release_from_maintenance,
    send_to_maintenance,
    set_bike_photo,
    update_bike,
)
from circulate.bikes.services.plans import PlanChanges, create_plan, delete_plan, update_plan
from circulate.bikes.services.rentals import (
    fail_pricing,
    finish_current_rental,
    finish_rental,
    price_rental,
    start_rental,
)
from circulate.bikes.services.stations import (
    StationChanges,
    VehicleTypeChanges,
    create_station,
    create_vehicle_type,
    delete_station,
    delete_vehicle_type,
    update_station,
    update_vehicle_type,
)

__all__ = [
    "BikeChanges",
    "PlanChanges",
    "StationChanges",
    "VehicleTypeChanges",
    "create_bike",
    "create_plan",
    "create_station",
    "create_vehicle_type",
    "delete_bike",
    "delete_plan",
    "delete_station",
    "delete_vehicle_type",
    "fail_pricing",
    "finish_current_rental",
    "finish_rental",
    "price_rental",
    "release_from_maintenance",
    "send_to_maintenance",
    "set_bike_photo",
    "start_rental",
    "update_bike",
    "update_plan",
    "update_station",
    "update_vehicle_type",
]

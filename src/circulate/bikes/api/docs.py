"""OpenAPI pieces of the bike rental: its error examples and the example bodies."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse

from circulate.core.schema import error_responses

_ERROR_EXAMPLES: dict[int, tuple[str, dict[str, Any]]] = {
    400: (
        "Invalid input",
        {
            "detail": "Invalid input: check station.",
            "code": "invalid",
            "errors": {"station": ["A valid integer is required."]},
        },
    ),
    401: (
        "Not signed in",
        {"detail": "Authentication credentials were not provided.", "code": "not_authenticated", "errors": {}},
    ),
    403: (
        "Not a fleet manager",
        {"detail": "Only fleet managers may add bikes.", "code": "permission_denied", "errors": {}},
    ),
    404: ("Unknown or not yours", {"detail": "No ride with id 12.", "code": "not_found", "errors": {}}),
    409: (
        "Refused by a rule of the rental",
        {
            "detail": "Bike BK-0042 is rented, not available to rent.",
            "code": "bike_unavailable",
            "errors": {"bike": ["Bike BK-0042 is rented, not available to rent."]},
        },
    ),
}


def errors(*statuses: int, conflict: str | None = None) -> dict[int, OpenApiResponse]:
    return error_responses(
        *statuses,
        examples=_ERROR_EXAMPLES,
        descriptions={409: "Refused by a rule of the bike rental (the code and detail say which)."},
        conflict=conflict,
    )


STATION_EXAMPLE = {
    "id": 3,
    "name": "Harbour Square",
    "lat": "59.437000",
    "lon": "24.753600",
    "address": "Sadama 1",
    "capacity": 12,
    "bikes_available": 7,
    "bikes_disabled": 1,
    "docks_available": 4,
    "is_installed": True,
    "is_renting": True,
    "is_returning": True,
    "created_at": "2026-11-01T08:00:00Z",
    "updated_at": "2026-11-24T09:00:00Z",
}
VEHICLE_TYPE_EXAMPLE = {
    "id": 2,
    "name": "E-bike",
    "form_factor": "bicycle",
    "propulsion": "electric_assist",
    "max_range_meters": 60000,
    "created_at": "2026-11-01T08:00:00Z",
    "updated_at": "2026-11-01T08:00:00Z",
}
BIKE_EXAMPLE = {
    "id": 42,
    "serial": "BK-0042",
    "vehicle_type": VEHICLE_TYPE_EXAMPLE,
    "status": "available",
    "station": {"id": 3, "name": "Harbour Square"},
    "current_range_meters": 41000,
    "photo": None,
    "created_at": "2026-11-01T08:00:00Z",
    "updated_at": "2026-11-24T09:00:00Z",
}
PLAN_EXAMPLE = {
    "id": 1,
    "name": "Day pass",
    "currency": "EUR",
    "price": "2.00",
    "per_min_pricing": [
        {"start": 30, "rate": "3.0000", "interval": 0, "end": 60},
        {"start": 60, "rate": "0.1000", "interval": 1},
    ],
    "fare_cap": None,
    "is_taxable": False,
    "description": "2.00 to unlock, 3.00 once at 30 minutes, then 0.10 a minute from the first hour.",
    "is_default": True,
    "created_at": "2026-11-01T08:00:00Z",
    "updated_at": "2026-11-01T08:00:00Z",
}
RENTAL_EXAMPLE = {
    "id": 12,
    "rider": 5,
    "bike": {"id": 42, "serial": "BK-0042"},
    "plan": {"id": 1, "name": "Day pass"},
    "status": "finished",
    "started_at": "2026-11-24T09:00:00Z",
    "start_station": {"id": 3, "name": "Harbour Square"},
    "ended_at": "2026-11-24T09:45:10Z",
    "end_station": {"id": 5, "name": "Old Town Gate"},
    "duration_seconds": 2710,
    "currency": "EUR",
    "estimate": "5.00",
    "cost": None,
    "cost_status": "pending",
    "receipt": None,
}

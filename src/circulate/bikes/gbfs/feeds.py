"""The GBFS v3.0 feeds of the bike rental, built from the database.

Each builder returns the feed's ``data`` object. Ids are strings; prices are JSON numbers;
times are RFC 3339. Bikes out on a ride are not in ``vehicle_status`` at all, and a bike's
public ``vehicle_id`` changes after every trip (``Bike.public_id``), as GBFS requires for
the riders' privacy. The station feeds cost two queries whatever the number of stations,
``vehicle_status`` one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import CharField, Count
from django.db.models.functions import Cast

from circulate.bikes.models import Bike, PricingPlan, Station, VehicleType

VERSION = "3.0"
LANGUAGE = "en"

# Feeds that change with every ride are refreshed often; the rest rarely change.
REALTIME = {"station_status", "vehicle_status"}


def text(value: str) -> list[dict[str, str]]:
    """A GBFS localized string."""
    return [{"text": value, "language": LANGUAGE}]


def timestamp(moment: datetime) -> datetime:
    """A time as GBFS wants it (RFC 3339, whole seconds); the JSON encoder writes it out."""
    return moment.replace(microsecond=0)


def number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def system_information() -> dict[str, Any]:
    return {
        "system_id": settings.BIKES_SYSTEM_ID,
        "languages": [LANGUAGE],
        "name": text(settings.BIKES_SYSTEM_NAME),
        "opening_hours": settings.BIKES_OPENING_HOURS,
        "feed_contact_email": settings.BIKES_FEED_CONTACT_EMAIL,
        "timezone": settings.BIKES_TIMEZONE,
    }


def _plan_ids() -> tuple[str | None, list[str]]:
    plans = list(PricingPlan.objects.order_by("id").values_list("pk", "is_default"))
    default = next((str(pk) for pk, is_default in plans if is_default), None)
    return default, [str(pk) for pk, _ in plans]


def vehicle_types() -> dict[str, Any]:
    default_plan, plan_ids = _plan_ids()
    types = []
    for vehicle_type in VehicleType.objects.order_by("id"):
        entry: dict[str, Any] = {
            "vehicle_type_id": str(vehicle_type.pk),
            "form_factor": vehicle_type.form_factor,
            "propulsion_type": vehicle_type.propulsion,
            "name": text(vehicle_type.name),
            "return_constraint": "any_station",
        }
        if vehicle_type.max_range_meters is not None:
            entry["max_range_meters"] = vehicle_type.max_range_meters
        if default_plan:
            entry["default_pricing_plan_id"] = default_plan
            entry["pricing_plan_ids"] = plan_ids
        types.append(entry)
    return {"vehicle_types": types}


def station_information() -> dict[str, Any]:
    stations = Station.objects.order_by("id").values("pk", "name", "lat", "lon", "address", "capacity")
    return {
        "stations": [
            {
                "station_id": str(row["pk"]),
                "name": text(row["name"]),
                "lat": number(row["lat"]),
                "lon": number(row["lon"]),
                **({"address": row["address"]} if row["address"] else {}),
                "capacity": row["capacity"],
            }
            for row in stations
        ]
    }


def station_status() -> dict[str, Any]:
    type_ids = [str(pk) for pk in VehicleType.objects.order_by("id").values_list("pk", flat=True)]
    counts: dict[int, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    docked = (
        Bike.objects.filter(station__isnull=False)
        .values("station_id", "vehicle_type_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in docked:
        counts[row["station_id"]][row["status"]][str(row["vehicle_type_id"])] += row["n"]
    stations = Station.objects.order_by("id").values(
        "pk", "capacity", "docked_count", "is_installed", "is_renting", "is_returning", "status_changed_at"
    )
    out = []
    for row in stations:
        here = counts.get(row["pk"], {})
        available = here.get(Bike.Status.AVAILABLE, {})
        out.append(
            {
                "station_id": str(row["pk"]),
                "num_vehicles_available": sum(available.values()),
                "vehicle_types_available": [{"vehicle_type_id": pk, "count": available.get(pk, 0)} for pk in type_ids],
                "num_vehicles_disabled": sum(here.get(Bike.Status.MAINTENANCE, {}).values()),
                "num_docks_available": max(row["capacity"] - row["docked_count"], 0),
                "is_installed": row["is_installed"],
                "is_renting": row["is_renting"],
                "is_returning": row["is_returning"],
                "last_reported": timestamp(row["status_changed_at"]),
            }
        )
    return {"stations": out}


def _dashed(uuid_text: str) -> str:
    """The canonical UUID form: PostgreSQL casts a uuid to it; SQLite and MariaDB store 32 hex digits."""
    if len(uuid_text) == 32:
        return f"{uuid_text[:8]}-{uuid_text[8:12]}-{uuid_text[12:16]}-{uuid_text[16:20]}-{uuid_text[20:]}"
    return uuid_text


def vehicle_status() -> dict[str, Any]:
    """Every bike not out on a ride: in a dock ready to rent, or disabled (in repair).

    The ids come out of the database as text, and the optional per-vehicle ``last_reported`` is
    left out (the station's ``last_reported`` says when a docked bike last moved): parsing
    10,000 UUIDs and timestamps per request cost more than everything else the feed does.
    """
    text_id = Cast("public_id", output_field=CharField())
    bikes = (
        Bike.objects.filter(station__isnull=False)
        .order_by("id")
        .values_list(text_id, "status", "vehicle_type_id", "station_id", "current_range_meters")
    )
    available = Bike.Status.AVAILABLE
    vehicles = []
    for public_id, status, vehicle_type_id, station_id, range_meters in bikes:
        vehicle: dict[str, Any] = {
            "vehicle_id": _dashed(public_id),
            "is_reserved": False,
            "is_disabled": status != available,
            "vehicle_type_id": str(vehicle_type_id),
            "station_id": str(station_id),
        }
        if range_meters is not None:
            vehicle["current_range_meters"] = range_meters
        vehicles.append(vehicle)
    return {"vehicles": vehicles}


def system_pricing_plans() -> dict[str, Any]:
    plans = []
    for plan in PricingPlan.objects.order_by("id"):
        entry: dict[str, Any] = {
            "plan_id": str(plan.pk),
            "name": text(plan.name),
            "currency": plan.currency,
            "price": number(plan.price),
            "is_taxable": plan.is_taxable,
            "description": text(plan.description or plan.name),
        }
        if plan.per_min_pricing:
            entry["per_min_pricing"] = [
                {**segment, "rate": float(Decimal(str(segment["rate"])))} for segment in plan.per_min_pricing
            ]
        if plan.fare_cap_duration is not None:
            # GBFS 3.1's fare_capping; 3.0 consumers ignore what they do not know.
            entry["fare_capping"] = {"duration": plan.fare_cap_duration, "price": number(plan.fare_cap_price)}
        plans.append(entry)
    return {"plans": plans}


FEEDS: dict[str, Callable[[], dict[str, Any]]] = {
    "system_information": system_information,
    "vehicle_types": vehicle_types,
    "station_information": station_information,
    "station_status": station_status,
    "vehicle_status": vehicle_status,
    "system_pricing_plans": system_pricing_plans,
}

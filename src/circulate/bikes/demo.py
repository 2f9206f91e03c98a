"""Demo data for the bike rental (``manage.py seed_demo``). Idempotent.

Eight stations in Tallinn's old town and harbour, 40 bikes (ordinary and electric-assist),
two pricing plans shaped like the GBFS specification's examples, finished and priced rides
for alice@ and bob@, and one ride bob@ is still on; fleet@ manages it all. Everything is
made through the services, as fleet@ and the riders would.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from circulate.accounts.models import User
from circulate.bikes import services
from circulate.bikes.models import Bike, PricingPlan, Rental, Station, VehicleType

STATIONS: list[tuple[str, str, str, str, int]] = [
    ("Town Hall Square", "59.437200", "24.745300", "Raekoja plats 1", 10),
    ("Viru Gate", "59.436300", "24.750800", "Viru 23", 8),
    ("Harbour Terminal", "59.443900", "24.768300", "Sadama 25", 12),
    ("Balti Station", "59.440100", "24.737100", "Toompuiestee 37", 12),
    ("Freedom Square", "59.433800", "24.744700", "Vabaduse väljak 10", 8),
    ("Rotermann Quarter", "59.438800", "24.758900", "Roseni 8", 10),
    ("Kadriorg Park", "59.438700", "24.791200", "Weizenbergi 37", 8),
    ("Telliskivi", "59.440700", "24.728900", "Telliskivi 60a", 10),
]

# GBFS system_pricing_plans examples: "Day pass" is example 1, "Pay as you go" example 2.
PLANS: list[dict[str, object]] = [
    {
        "name": "Day pass",
        "currency": "EUR",
        "price": Decimal("2.00"),
        "per_min_pricing": [
            {"start": 30, "rate": "3.00", "interval": 0, "end": 60},
            {"start": 60, "rate": "0.10", "interval": 1},
        ],
        "description": "2.00 to unlock; 3.00 once the ride reaches 30 minutes; then 0.10 a minute from the first hour.",
        "is_default": True,
    },
    {
        "name": "Pay as you go",
        "currency": "EUR",
        "price": Decimal("3.00"),
        "per_min_pricing": [{"start": 0, "rate": "0.50", "interval": 1}],
        "fare_cap_duration": 720,
        "fare_cap_price": Decimal("15.00"),
        "description": "3.00 to unlock and 0.50 a minute, at most 15.00 for any 12 hours.",
    },
]


def _fleet_manager() -> User:
    return User.objects.get(email="fleet@circulate.local")


def _types(fleet: User) -> tuple[VehicleType, VehicleType]:
    classic = VehicleType.objects.filter(name="City bike").first() or services.create_vehicle_type(
        actor=fleet, name="City bike"
    )
    electric = VehicleType.objects.filter(name="E-bike").first() or services.create_vehicle_type(
        actor=fleet, name="E-bike", propulsion=VehicleType.Propulsion.ELECTRIC_ASSIST, max_range_meters=60_000
    )
    return classic, electric


def _ride(rider: User, bike: Bike, end: Station | None, minutes: int, plan: PricingPlan, days_ago: int) -> None:
    start = timezone.now() - timedelta(days=days_ago, minutes=minutes)
    rental = services.start_rental(actor=rider, bike_id=bike.pk, plan_id=plan.pk, now=start)
    if end is not None:
        services.finish_rental(
            actor=rider, rental_id=rental.pk, station_id=end.pk, now=start + timedelta(minutes=minutes)
        )
        services.price_rental(rental_id=rental.pk)


def seed() -> str:
    if Station.objects.exists():
        return "already there"
    fleet = _fleet_manager()
    classic, electric = _types(fleet)
    stations = [
        services.create_station(
            actor=fleet, name=name, lat=Decimal(lat), lon=Decimal(lon), address=address, capacity=capacity
        )
        for name, lat, lon, address, capacity in STATIONS
    ]
    plans = [services.create_plan(actor=fleet, **plan) for plan in PLANS]  # type: ignore[arg-type]
    bikes = [
        services.create_bike(
            actor=fleet,
            serial=f"TLN-{n:04d}",
            vehicle_type_id=(electric if n % 3 == 0 else classic).pk,
            station_id=stations[n % len(stations)].pk,
        )
        for n in range(1, 41)
    ]
    services.send_to_maintenance(actor=fleet, bike_id=bikes[-1].pk)
    alice = User.objects.get(email="alice@circulate.local")
    bob = User.objects.get(email="bob@circulate.local")
    rides = [
        (alice, 0, 2, 12, 0, 9),
        (alice, 1, 3, 47, 1, 6),
        (alice, 2, 0, 75, 0, 2),
        (bob, 3, 5, 25, 1, 8),
        (bob, 4, 6, 130, 0, 4),
    ]
    for rider, bike_index, end_index, minutes, plan_index, days_ago in rides:
        bike = Bike.objects.get(pk=bikes[bike_index].pk)
        _ride(rider, bike, stations[end_index], minutes, plans[plan_index], days_ago)
    # Bob is on a ride right now.
    _ride(bob, Bike.objects.get(pk=bikes[5].pk), None, 18, plans[0], 0)
    priced = Rental.objects.filter(cost_status=Rental.CostStatus.PRICED).count()
    return f"{len(stations)} stations, {len(bikes)} bikes, {len(plans)} plans, {priced} priced rides, 1 ride under way"

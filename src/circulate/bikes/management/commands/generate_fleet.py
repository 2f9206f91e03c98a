"""Bulk-generate a large bike system for benchmarks: ``manage.py generate_fleet --stations 1000 --bikes 10000``.

Stations on a grid around one city, each with its docks partly filled; bikes of an
ordinary and an electric type; the two GBFS example plans. Rows are inserted with
``bulk_create`` and the dock counts set to match, then the tables are analyzed. Adds to
what is there; run it on an empty database for the benchmark's numbers.
"""

from __future__ import annotations

import random
import time
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.db.models import Count

from circulate.bikes import fleet_cache
from circulate.bikes.models import Bike, PricingPlan, Station, VehicleType
from circulate.core.db import analyze


class Command(BaseCommand):
    help = "Add many stations and bikes (for benchmarks)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--stations", type=int, default=1000)
        parser.add_argument("--bikes", type=int, default=10000)
        parser.add_argument("--seed", type=int, default=2)

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        rng = random.Random(options["seed"])  # noqa: S311 - repeatable benchmark data, not secrets
        count, bike_count = options["stations"], options["bikes"]
        ordinary, _ = VehicleType.objects.get_or_create(name="City bike")
        electric, _ = VehicleType.objects.get_or_create(
            name="E-bike", defaults={"propulsion": VehicleType.Propulsion.ELECTRIC_ASSIST, "max_range_meters": 60_000}
        )
        if not PricingPlan.objects.filter(is_default=True).exists():
            PricingPlan.objects.create(
                name="Day pass",
                currency="EUR",
                price=Decimal("2.00"),
                is_default=True,
                per_min_pricing=[
                    {"start": 30, "rate": "3.00", "interval": 0, "end": 60},
                    {"start": 60, "rate": "0.10", "interval": 1},
                ],
            )
        side = max(int(count**0.5), 1)
        stations = Station.objects.bulk_create(
            [
                Station(
                    name=f"Bench station {n:05d}",
                    lat=Decimal("59.40") + Decimal(n // side) * Decimal("0.002"),
                    lon=Decimal("24.70") + Decimal(n % side) * Decimal("0.003"),
                    capacity=rng.randint(max(bike_count // count, 1) + 2, max(bike_count // count, 1) + 12),
                )
                for n in range(count)
            ],
            batch_size=2000,
        )
        bikes = []
        for n in range(bike_count):
            station = stations[n % len(stations)]
            kind = electric if n % 3 == 0 else ordinary
            status = Bike.Status.MAINTENANCE if n % 50 == 0 else Bike.Status.AVAILABLE
            bikes.append(
                Bike(
                    serial=f"BENCH-{n:07d}-{rng.randrange(10**6):06d}",
                    vehicle_type=kind,
                    station=station,
                    status=status,
                    current_range_meters=rng.randint(5_000, 60_000) if kind is electric else None,
                )
            )
        Bike.objects.bulk_create(bikes, batch_size=5000)
        docked = dict(Bike.objects.filter(station__isnull=False).values_list("station").annotate(n=Count("id")))
        for station in stations:
            station.docked_count = docked.get(station.pk, 0)
        Station.objects.bulk_update(stations, ["docked_count"], batch_size=2000)
        analyze([Station, Bike, VehicleType, PricingPlan])
        fleet_cache.changed()  # bulk_create sends no signals
        self.stdout.write(
            self.style.SUCCESS(f"Added {count} stations and {bike_count} bikes in {time.monotonic() - started:.1f} s.")
        )

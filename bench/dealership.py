"""Dealership market at scale: one match cycle over 10,000 open offers, statistics over 100,000 past sales.

    python -m bench.dealership [--dealerships 100] [--offers 10000] [--sales 100000]
                               [--database circulate_bench_dealership] [--server postgres://postgres@127.0.0.1:5432]

Recreates the PostgreSQL database, migrates it and fills it with bulk inserts: 30 car models,
10 suppliers pricing every model, ``--dealerships`` dealerships with 20 stocked models each,
2,000 buyers, ``--sales`` past sales (and the fulfilled offers behind them) spread over two
years, 20,000 supplier sales, and ``--offers`` open offers. Then, at the database (services
and SQL, no HTTP):

1. one match cycle (``services.match_offers``) over the open offers: seconds, offers per
   second, sales made, and the invariants afterwards (no stock or balance below 0);
2. each statistics function (dealership, buyer, supplier, overview) for the busiest
   dealership, buyer and supplier: median and p90 of 20 runs and the queries each ran,
   against the 50 ms target.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
TARGET_MS = 50.0
BATCH = 5000


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.dealership", description=__doc__.splitlines()[0])
    parser.add_argument("--dealerships", type=int, default=100)
    parser.add_argument("--offers", type=int, default=10_000)
    parser.add_argument("--sales", type=int, default=100_000)
    parser.add_argument("--database", default="circulate_bench_dealership")
    parser.add_argument("--server", default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument(
        "--stats-only", action="store_true", help="Reuse the filled database: measure the statistics only."
    )
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _recreate_database(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def main(argv: list[str]) -> int:
    args = _parse(argv)
    if args.measure:
        return _measure(args)
    try:
        if not args.stats_only:
            _recreate_database(args.server, args.database)
    except Exception as exc:  # no server: say so instead of a traceback
        print(f"bench.dealership needs PostgreSQL at {args.server}: {exc}")
        return 1
    env = dict(
        os.environ,
        DATABASE_URL=f"{args.server}/{args.database}",
        CIRCULATE_VAR_DIR=str(REPO / "var" / "bench-dealership"),
        DJANGO_SETTINGS_MODULE="circulate.settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO / "src"), str(REPO), os.environ.get("PYTHONPATH")])),
    )
    child = [sys.executable, "-m", "bench.dealership", "--measure", *argv]
    return subprocess.run(child, cwd=REPO, env=env, check=False).returncode


# --- Inside the benchmark database ------------------------------------------------------------------


def _fill(args: argparse.Namespace) -> None:
    from django.utils import timezone

    from circulate.accounts.models import User
    from circulate.dealership import rollup
    from circulate.dealership.models import (
        Buyer,
        CarModel,
        Dealership,
        DealershipCar,
        DealershipSale,
        Offer,
        Supplier,
        SupplierCar,
        SupplierSale,
    )

    rng = random.Random(3)
    now = timezone.now()
    bodies, fuels = list(CarModel.BodyType.values), list(CarModel.Fuel.values)
    cars = CarModel.objects.bulk_create(
        [
            CarModel(
                make=f"Make {i % 10}",
                model=f"Model {i}",
                year=2018 + i % 7,
                body_type=bodies[i % len(bodies)],
                fuel=fuels[i % len(fuels)],
                power_hp=100 + i * 5,
                color="white",
            )
            for i in range(30)
        ]
    )
    suppliers = Supplier.objects.bulk_create(
        [Supplier(name=f"Supplier {i}", country="JP", founded_year=1990) for i in range(10)]
    )
    SupplierCar.objects.bulk_create(
        [
            SupplierCar(supplier=s, car_model=c, price=Decimal(rng.randrange(15000, 40000)))
            for s in suppliers
            for c in cars
        ]
    )
    dealerships = Dealership.objects.bulk_create(
        [
            Dealership(
                name=f"Dealership {i}",
                country="DE",
                balance=Decimal(10_000_000),
                markup_percent=Decimal(20),
                preferences={"default_target": 3},
            )
            for i in range(args.dealerships)
        ]
    )
    stock = []
    for d in dealerships:
        for c in rng.sample(cars, 20):
            cost = Decimal(rng.randrange(15000, 40000))
            stock.append(
                DealershipCar(dealership=d, car_model=c, quantity=3, unit_cost=cost, price=cost * Decimal("1.2"))
            )
    DealershipCar.objects.bulk_create(stock, batch_size=BATCH)
    users = User.objects.bulk_create(
        [User(email=f"buyer{n}@bench.local", username=f"buyer{n}", password="!") for n in range(2000)],
        batch_size=BATCH,
    )
    buyers = Buyer.objects.bulk_create([Buyer(user=u, balance=Decimal(100_000)) for u in users], batch_size=BATCH)
    started = time.monotonic()
    for first in range(0, args.sales, BATCH):
        count = min(BATCH, args.sales - first)
        picks = [(rng.choice(buyers), rng.choice(cars), rng.choice(dealerships)) for _ in range(count)]
        offers = Offer.objects.bulk_create(
            [
                Offer(buyer=b, car_model=c, max_price=Decimal(60000), status="fulfilled", fulfilled_at=now)
                for b, c, _ in picks
            ]
        )
        sold = DealershipSale.objects.bulk_create(
            [
                DealershipSale(
                    dealership=d,
                    buyer=b,
                    offer=o,
                    car_model=c,
                    list_price=Decimal(30000),
                    price=Decimal(rng.randrange(20000, 45000)),
                    unit_cost=Decimal(rng.randrange(15000, 35000)),
                    sold_at=now - timedelta(minutes=rng.randrange(0, 2 * 365 * 24 * 60)),
                )
                for o, (b, c, d) in zip(offers, picks, strict=True)
            ]
        )
        rollup.add_sales(sold)  # the monthly rollups the sale transactions keep
    bought = SupplierSale.objects.bulk_create(
        [
            SupplierSale(
                supplier=rng.choice(suppliers),
                dealership=rng.choice(dealerships),
                car_model=rng.choice(cars),
                quantity=3,
                list_price=Decimal(25000),
                unit_price=Decimal(24000),
                discount_total=Decimal(3000),
                total=Decimal(72000),
                sold_at=now - timedelta(minutes=rng.randrange(0, 2 * 365 * 24 * 60)),
            )
            for _ in range(20_000)
        ],
        batch_size=BATCH,
    )
    rollup.add_purchases(bought)
    # Open offers: a quarter ask for cars in stock at a price some dealership meets; the rest are too cheap.
    Offer.objects.bulk_create(
        [
            Offer(
                buyer=rng.choice(buyers),
                car_model=rng.choice(cars),
                max_price=Decimal(60000) if i % 4 == 0 else Decimal(1000),
            )
            for i in range(args.offers)
        ],
        batch_size=BATCH,
    )
    print(
        f"filled {args.dealerships} dealerships, {len(buyers)} buyers, {args.sales} past sales, "
        f"{args.offers} open offers in {time.monotonic() - started:.1f} s"
    )


def _timed(call: Callable[[], Any], runs: int = 20) -> tuple[float, float, int]:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    call()  # warm up
    times = []
    for _ in range(runs):
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            call()
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.9)], len(queries.captured_queries)


def _measure(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from circulate.dealership import services, stats
    from circulate.dealership.models import Buyer, Dealership, DealershipCar, DealershipSale, Offer, Supplier

    call_command("migrate", verbosity=0, interactive=False)
    if not args.stats_only:
        _fill(args)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        active = Offer.objects.filter(status="active").count()
        started = time.perf_counter()
        sales = services.match_offers()
        seconds = time.perf_counter() - started
        print(
            f"\nOne match cycle over {active} open offers: {seconds:.1f} s "
            f"({active / seconds:.0f} offers/s), {len(sales)} sold"
        )
        assert not DealershipCar.objects.filter(quantity__lt=0).exists()
        assert not Buyer.objects.filter(balance__lt=0).exists()

    period = stats.Period()
    today = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    start, end = (today - timedelta(days=365)).replace(day=17, hour=5), (today - timedelta(days=30)).replace(day=2)
    edges = stats.Period(start, end)
    busiest = Dealership.objects.annotate(n=Count("sales")).order_by("-n").first()
    buyer = Buyer.objects.annotate(n=Count("purchases")).order_by("-n").first()
    supplier = Supplier.objects.annotate(n=Count("sales")).order_by("-n").first()
    assert busiest is not None
    assert buyer is not None
    assert supplier is not None
    print(f"\nStatistics at the database over {DealershipSale.objects.count()} sales (20 runs each):")
    print(f"(stats/overview?from=&to= is {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d}: partial months at both edges)")
    print(f"{'endpoint':26} {'median ms':>10} {'p90 ms':>8} {'queries':>8}")
    measured = {
        "stats/dealerships/{id}": lambda: stats.dealership_stats(dealership=busiest, period=period),
        "stats/buyers/{id}": lambda: stats.buyer_stats(buyer=buyer, period=period),
        "stats/suppliers/{id}": lambda: stats.supplier_stats(
            supplier_id=supplier.pk, name=supplier.name, period=period
        ),
        "stats/overview": lambda: stats.overview(period=period),
        # whole months from the rollups, the partial days at both edges from the sales
        "stats/overview?from=&to=": lambda: stats.overview(period=edges),
    }
    for name, call in measured.items():
        median, p90, queries = _timed(call)
        flag = "" if median < TARGET_MS else f"  (over the {TARGET_MS:.0f} ms target)"
        print(f"{name:26} {median:10.1f} {p90:8.1f} {queries:8d}{flag}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Demo data for the dealership market (``manage.py seed_demo``). Idempotent.

Five suppliers in five countries selling 30 car models (with loyalty discounts and a
running promotion), four dealerships with different tastes and balances (dealer@ works
at Berlin Auto Haus), buyers alice@, bob@ and four more with balances, and six months of
trading made by the real restock and match cycles, so every statistic and chart shows
something on first start; a few offers stay open. Made through the services, as admin@
(the market's staff) would.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from circulate.accounts.demo import DEMO_PASSWORD
from circulate.accounts.models import User
from circulate.accounts.roles import DEALER_STAFF
from circulate.accounts.services import grant_role
from circulate.dealership import services
from circulate.dealership.models import Buyer, CarModel, Supplier

SUPPLIERS: list[tuple[str, str, int, str]] = [
    ("Nagoya Motors Export", "JP", 1987, "Japanese cars for export: Toyota, Honda, Mazda."),
    ("Rhein Auto Großhandel", "DE", 1972, "German wholesale: Volkswagen, BMW, Audi."),
    ("Hanil Vehicle Trading", "KR", 1998, "Korean makes: Hyundai and Kia."),
    ("Great Lakes Fleet Supply", "US", 2005, "American pickups, SUVs and electric cars."),
    ("Nordic Car Partners", "SE", 1991, "Volvo and electric cars for the Nordics."),
]

# make, model, body, fuel, transmission, drive, engine, hp
MODELS: list[tuple[str, str, str, str, str, str, str | None, int]] = [
    ("Toyota", "Corolla", "sedan", "hybrid", "automatic", "fwd", "1.8", 140),
    ("Toyota", "RAV4", "suv", "hybrid", "automatic", "awd", "2.5", 222),
    ("Honda", "Civic", "hatchback", "petrol", "manual", "fwd", "1.5", 182),
    ("Mazda", "CX-5", "suv", "petrol", "automatic", "awd", "2.5", 194),
    ("Volkswagen", "Golf", "hatchback", "petrol", "manual", "fwd", "1.5", 150),
    ("Volkswagen", "Passat", "wagon", "diesel", "automatic", "fwd", "2.0", 150),
    ("BMW", "3 Series", "sedan", "petrol", "automatic", "rwd", "2.0", 255),
    ("Audi", "Q5", "suv", "diesel", "automatic", "awd", "2.0", 204),
    ("Hyundai", "Tucson", "suv", "hybrid", "automatic", "fwd", "1.6", 230),
    ("Kia", "EV6", "suv", "electric", "automatic", "awd", None, 325),
    ("Ford", "F-150", "pickup", "petrol", "automatic", "awd", "3.5", 400),
    ("Tesla", "Model 3", "sedan", "electric", "automatic", "rwd", None, 283),
    ("Volvo", "XC60", "suv", "hybrid", "automatic", "awd", "2.0", 455),
    ("Volvo", "V60", "wagon", "diesel", "automatic", "fwd", "2.0", 197),
    ("Polestar", "2", "hatchback", "electric", "automatic", "awd", None, 408),
]
YEARS = (2022, 2024)  # each model in two model years: 30 car models
COLORS = ("white", "black", "silver", "blue", "red", "grey")
BASE_PRICE = {"sedan": 24000, "hatchback": 21000, "wagon": 29000, "suv": 33000, "pickup": 41000}

DEALERSHIPS: list[dict[str, Any]] = [
    {
        "name": "Berlin Auto Haus",
        "country": "DE",
        "city": "Berlin",
        "markup_percent": Decimal(18),
        "balance": Decimal(900000),
        "preferences": {"makes": ["Volkswagen", "BMW", "Audi", "Toyota"], "year_min": 2022, "default_target": 3},
    },
    {
        "name": "Lyon Électrique",
        "country": "FR",
        "city": "Lyon",
        "markup_percent": Decimal(22),
        "balance": Decimal(700000),
        "preferences": {"fuels": ["electric", "hybrid"], "default_target": 2},
    },
    {
        "name": "Texas Truck & SUV",
        "country": "US",
        "city": "Austin",
        "markup_percent": Decimal(15),
        "balance": Decimal(1200000),
        "preferences": {"body_types": ["suv", "pickup"], "default_target": 3, "price_max": "45000.00"},
    },
    {
        "name": "Oslo Family Cars",
        "country": "NO",
        "city": "Oslo",
        "markup_percent": Decimal(25),
        "balance": Decimal(400000),
        "preferences": {"body_types": ["wagon", "hatchback", "suv"], "year_min": 2024, "default_target": 2},
    },
]

# email, username, full name, country, balance
BUYERS: list[tuple[str, str, str, str, int]] = [
    ("alice@circulate.local", "alice", "Alice Reader", "FR", 120000),
    ("bob@circulate.local", "bob", "Bob Reader", "DE", 90000),
    ("carol@circulate.local", "carol", "Carol Driver", "US", 150000),
    ("dave@circulate.local", "dave", "Dave Driver", "NO", 80000),
    ("erin@circulate.local", "erin", "Erin Driver", "DE", 110000),
    ("frank@circulate.local", "frank", "Frank Driver", "US", 60000),
]
MONTHS = 6


def _staff() -> User:
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    if admin is None:
        raise RuntimeError("seed_demo runs the accounts demo first: no superuser found.")
    return admin


def _catalogue(staff: User, rng: random.Random) -> list[CarModel]:
    cars = []
    for make, model, body, fuel, gearbox, drive, engine, hp in MODELS:
        for year in YEARS:
            cars.append(
                services.create_car_model(
                    actor=staff,
                    make=make,
                    model=model,
                    year=year,
                    body_type=body,
                    fuel=fuel,
                    transmission=gearbox,
                    drive=drive,
                    engine_volume_l=Decimal(engine) if engine else None,
                    power_hp=hp,
                    color=rng.choice(COLORS),
                )
            )
    return cars


def _suppliers(staff: User, cars: list[CarModel], rng: random.Random, now: Any) -> None:
    for index, (name, country, founded, description) in enumerate(SUPPLIERS):
        supplier = services.create_supplier(
            actor=staff,
            name=name,
            country=country,
            founded_year=founded,
            description=description,
            email=f"sales@{name.split()[0].lower()}.example",
        )
        for car in cars:
            if rng.random() < 0.55 or (index == 0 and car.make == "Toyota"):
                base = BASE_PRICE[car.body_type] + (3000 if car.fuel == "electric" else 0) + (car.year - 2022) * 1500
                price = Decimal(base + rng.randrange(-2500, 2500, 100))
                services.set_supplier_price(actor=staff, supplier_id=supplier.pk, car_model_id=car.pk, price=price)
        services.create_supplier_discount(
            actor=staff,
            supplier_id=supplier.pk,
            name="Loyal partners",
            kind="loyalty",
            percent=Decimal(4),
            min_units=10,
        )
        if index % 2 == 0:
            services.create_supplier_discount(
                actor=staff,
                supplier_id=supplier.pk,
                name="Season sale",
                kind="promotion",
                percent=Decimal(8),
                starts_at=now - timedelta(days=20 * (index + 1)),
                ends_at=now + timedelta(days=30),
            )


def _buyers(staff: User) -> list[Buyer]:
    buyers = []
    for email, username, full_name, country, balance in BUYERS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email, username, DEMO_PASSWORD, full_name=full_name, email_verified_at=timezone.now()
            )
        buyer = services.update_buyer(actor=user, country=country)
        services.top_up_buyer(actor=staff, buyer_id=buyer.pk, amount=Decimal(balance), note="Demo money")
        buyers.append(buyer)
    return buyers


def seed() -> str:
    if Supplier.all_objects.filter(name=SUPPLIERS[0][0]).exists():
        return "already there"
    rng = random.Random(3)  # noqa: S311 - demo data, the same on every machine (seed 003)
    now = timezone.now()
    staff = _staff()
    cars = _catalogue(staff, rng)
    _suppliers(staff, cars, rng, now)
    dealer = User.objects.filter(email="dealer@circulate.local").first()
    if dealer is not None:
        grant_role(user=dealer, role=DEALER_STAFF)
    dealerships = []
    for spec in DEALERSHIPS:
        dealership = services.create_dealership(
            actor=staff,
            name=spec["name"],
            country=spec["country"],
            city=spec["city"],
            markup_percent=spec["markup_percent"],
            preferences=spec["preferences"],
        )
        services.top_up_dealership(actor=staff, dealership_id=dealership.pk, amount=spec["balance"], note="Demo")
        dealerships.append(dealership)
    if dealer is not None:
        services.set_dealership_staff(actor=staff, dealership_id=dealerships[0].pk, user_ids=[dealer.pk])
    services.create_promotion(
        actor=staff,
        dealership_id=dealerships[1].pk,
        name="Electric week",
        percent=Decimal(6),
        starts_at=now - timedelta(days=3),
        ends_at=now + timedelta(days=4),
        car_models=[car.pk for car in cars if car.fuel == "electric"],
    )
    buyers = _buyers(staff)
    # Six months of trading by the real cycles: restock, then offers, then a match, each month.
    for month in range(MONTHS, 0, -1):
        moment = now - timedelta(days=30 * month)
        services.restock(now=moment)
        for buyer in buyers:
            for _ in range(rng.randrange(0, 2)):
                car = rng.choice(cars)
                services.create_offer(actor=buyer.user, car_model_id=car.pk, max_price=Decimal(60000))
        services.match_offers(now=moment + timedelta(hours=1))
    services.restock(now=now)
    # Open offers: one a market can serve at the next match, and some too cheap for now.
    for buyer in buyers[:4]:
        services.create_offer(actor=buyer.user, criteria={"body_types": ["suv"]}, max_price=Decimal(20000))
    services.create_offer(actor=buyers[0].user, criteria={"fuels": ["electric"]}, max_price=Decimal(55000))
    return (
        f"{len(SUPPLIERS)} suppliers, {len(cars)} car models, {len(dealerships)} dealerships, "
        f"{len(buyers)} buyers with {MONTHS} months of history"
    )

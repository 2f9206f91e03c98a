"""A soak: many simulated people use every domain at once over HTTP, then the invariants are checked.

    python -m bench.soak [--seconds 60] [--people 24] [--database circulate_soak]

Recreates the PostgreSQL database ``circulate_soak``, migrates it and loads the demo data
(``seed_demo``), gives each simulated person an account and a library card, and starts the
HTTP tier as compose runs it (gunicorn with ``deploy/gunicorn.conf.py``, 2 WSGI workers, the
production profile, tasks run in place) on loopback. For ``--seconds``, each person repeats
random operations of their role, valid and invalid: members like, reserve and cancel, ride
bikes and dock them, offer to buy cars and cancel offers, and also try what they may not (a
second ride, another person's ride or offer, a reservation twice, malformed bodies, ids that
do not exist); librarians issue, renew and take back loans; market staff run the trading
cycles. Refusals (4xx) are expected; an answer of 500 or more is a failure.

Afterwards the database must still be consistent, checked directly:

- every book: ``copies_available = copies_total - open loans - holds set aside``;
- at most one active rental per rider and per bike; a bike on a ride has no station and is
  ``rented``, a bike not on a ride is not ``rented``; no station holds more bikes than docks;
- every finished ride has a cost >= 0 and was priced (tasks run in place here);
- no balance and no stock below 0, every fulfilled offer has exactly one sale, and money is
  conserved: dealership and buyer balances plus what suppliers were paid change only by the
  top-ups;
- no answer was a 5xx.

Domains added later extend ``ACTIONS`` and ``check_invariants``. Exit status 1 when an
invariant fails or a 5xx was seen, so CI can run it (``.ci/run`` runs it for 60 seconds).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SECRET = "bench-soak-" + "s" * 50


@dataclass
class Person:
    name: str
    token: str
    member_id: int
    role: str  # "member", "librarian" or "market" (the market's staff)
    ride: int | None = None
    rng: random.Random = field(default_factory=random.Random)


@dataclass
class Tally:
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, action: str, status: int, detail: str = "") -> None:
        with self.lock:
            self.statuses[(action, status)] += 1
            if status >= 500 or status == 0:
                self.server_errors.append(f"{action}: {status} {detail[:300]}")


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--people", type=int, default=24)
    parser.add_argument("--database", default="circulate_soak")
    parser.add_argument("--server", default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _env(args: argparse.Namespace, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CELERY_", "EMAIL_", "REDIS"))}
    env.pop("TEST_DATABASE_NAME", None)
    return dict(
        env,
        DATABASE_URL=f"{args.server}/{args.database}",
        CIRCULATE_VAR_DIR=str(REPO / "var" / "bench-soak"),
        DJANGO_SETTINGS_MODULE="circulate.settings",
        SECRET_KEY=SECRET,
        CELERY_TASK_ALWAYS_EAGER="true",
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO / "src"), str(REPO), os.environ.get("PYTHONPATH")])),
        **extra,
    )


def main(argv: list[str]) -> int:
    args = _parse(argv)
    if args.inside:
        return _soak(args)
    import psycopg

    try:
        with psycopg.connect(f"{args.server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{args.database}"')
    except psycopg.Error as exc:
        print(f"bench.soak needs PostgreSQL at {args.server}: {exc}")
        return 1
    env = _env(args)
    for command in (["migrate", "--noinput", "-v", "0"], ["seed_demo"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=REPO, env=env, check=True, capture_output=True)
    return subprocess.run(
        [sys.executable, "-m", "bench.soak", "--inside", *argv], cwd=REPO, env=env, check=False
    ).returncode


# --- HTTP ------------------------------------------------------------------------------------------------


def _request(
    base: str, method: str, path: str, token: str, body: Any = None, raw: bytes | None = None
) -> tuple[int, Any]:
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        text = error.read()
        try:
            return error.code, json.loads(text or b"null")
        except ValueError:
            return error.code, {"detail": text[:300].decode(errors="replace")}
    except OSError as error:
        return 0, {"detail": str(error)}


# --- What people do --------------------------------------------------------------------------------------

Action = Callable[[str, Person, dict[str, Any], Tally], None]


def _call(base: str, tally: Tally, action: str, method: str, path: str, person: Person, body: Any = None) -> Any:
    status, answer = _request(base, method, path, person.token, body)
    tally.add(action, status, json.dumps(answer))
    return status, answer


def like_or_unlike(base: str, person: Person, world: dict[str, Any], tally: Tally) -> None:
    book = person.rng.choice(world["books"])
    method = person.rng.choice(["POST", "DELETE"])
    _call(base, tally, "library.like", method, f"/api/library/books/{book}/like/", person)


def reserve_and_maybe_cancel(base: str, person: Person, world: dict[str, Any], tally: Tally) -> None:
    book = person.rng.choice(world["books"])
    status, answer = _call(base, tally, "library.reserve", "POST", "/api/library/reservations/", person, {"book": book})
    if status == 201 and person.rng.random() < 0.7:
        _call(base, tally, "library.cancel", "POST", f"/api/library/reservations/{answer['id']}/cancel/", person)


def lend_and_take_back(base: str, person: Person, world: dict[str, Any], tally: Tally) -> None:
    book, member = person.rng.choice(world["books"]), person.rng.choice(world["members"])
    status, loan = _call(
        base, tally, "library.issue", "POST", "/api/library/loans/", person, {"book": book, "member": member}
    )
    if status != 201:
        return
    if person.rng.random() < 0.3:
        _call(base, tally, "library.renew", "POST", f"/api/library/loans/{loan['id']}/renew/", person)
    if person.rng.random() < 0.8:
        _call(base, tally, "library.return", "POST", f"/api/library/loans/{loan['id']}/return/", person)


def ride(base: str, person: Person, world: dict[str, Any], tally: Tally) -> None:
    if person.ride is None:
        status, page = _call(base, tally, "bikes.find", "GET", "/api/bikes/bikes/?available=true&page_size=50", person)
        bikes = [bike["id"] for bike in page.get("results", [])] if status == 200 else []
        if not bikes:
            return
        status, rental = _call(
            base, tally, "bikes.start", "POST", "/api/bikes/rentals/", person, {"bike": person.rng.choice(bikes)}
        )
        if status == 201:
            person.ride = rental["id"]
            with world["lock"]:
                world["rides"].append(rental["id"])
        return
    station = person.rng.choice(world["stations"])
    status, _ = _call(
        base, tally, "bikes.finish", "POST", f"/api/bikes/rentals/{person.ride}/finish/", person, {"station": station}
    )
    if status == 202:
        person.ride = None


def offer_for_a_car(base: str, person: Person, world: dict[str, Any], tally: Tally) -> None:
    rng = person.rng
    body = {"car_model": rng.choice(world["car_models"]), "max_price": str(rng.choice([9000, 20000, 35000, 60000]))}
    status, offer = _call(base, tally, "cars.offer", "POST", "/api/dealership/offers/", person, body)
    if status == 201 and rng.random() < 0.3:
        _call(base, tally, "cars.cancel", "POST", f"/api/dealership/offers/{offer['id']}/cancel/", person)


def run_trading(base: str, person: Person, world: dict[str, Any], tally: Tally) -> None:
    _call(base, tally, "cars.trading", "POST", "/api/dealership/trading/run/", person, {})


def something_not_allowed(base: str, person: Person, world: dict[str, Any], tally: Tally) -> None:
    """What a careless or hostile client sends: every answer must be a 4xx, never a 5xx."""
    rng = person.rng
    choice = rng.randrange(11)
    if choice == 0 and world["rides"]:  # finish a ride that may be someone else's, or already over
        with world["lock"]:
            rental = rng.choice(world["rides"])
        _call(base, tally, "bad.finish", "POST", f"/api/bikes/rentals/{rental}/finish/", person, {"station": 1})
    elif choice == 1:  # a second ride, or a bike that does not exist
        _call(base, tally, "bad.start", "POST", "/api/bikes/rentals/", person, {"bike": rng.choice([0, -1, 10**12])})
    elif choice == 2:
        status, answer = _request(base, "POST", "/api/library/reservations/", person.token, raw=b'{"book": ')
        tally.add("bad.json", status, json.dumps(answer))
    elif choice == 3:
        _call(base, tally, "bad.reserve", "POST", "/api/library/reservations/", person, {"book": "many"})
    elif choice == 4:
        _call(base, tally, "bad.page", "GET", f"/api/library/books/?page={rng.choice([0, -3, 10**9, 'x'])}", person)
    elif choice == 5:
        _call(base, tally, "bad.loan", "POST", "/api/library/loans/", person, {"book": 10**12, "member": 10**12})
    elif choice == 6:
        _call(base, tally, "bad.object", "GET", f"/api/library/members/{rng.choice(world['members'])}/loans/", person)
    elif choice == 7:
        _call(base, tally, "bad.filter", "GET", "/api/bikes/rentals/?status=sideways&rider=abc", person)
    elif choice == 8:  # an offer below zero, or for a car that does not exist
        body = rng.choice([{"car_model": 1, "max_price": "-5"}, {"car_model": 10**12, "max_price": "100"}])
        _call(base, tally, "bad.offer", "POST", "/api/dealership/offers/", person, body)
    elif choice == 9:  # cancel an offer that may be someone else's
        _call(base, tally, "bad.cancel", "POST", f"/api/dealership/offers/{rng.randrange(1, 500)}/cancel/", person)
    else:  # balances are read-only: only trading and staff top-ups change them
        _call(base, tally, "bad.balance", "PATCH", "/api/dealership/buyers/me/", person, {"balance": "1000000"})


ACTIONS: dict[str, list[tuple[float, Action]]] = {
    "member": [
        (3, like_or_unlike),
        (3, reserve_and_maybe_cancel),
        (4, ride),
        (3, offer_for_a_car),
        (3, something_not_allowed),
    ],
    "librarian": [(6, lend_and_take_back), (1, like_or_unlike), (1, something_not_allowed)],
    "market": [(1, run_trading), (3, offer_for_a_car), (1, something_not_allowed)],
}


# --- Inside the soak database --------------------------------------------------------------------------------


def _prepare(args: argparse.Namespace) -> tuple[list[Person], dict[str, Any]]:
    from django.utils import timezone
    from rest_framework_simplejwt.tokens import AccessToken

    from circulate.accounts.models import User
    from circulate.accounts.roles import LIBRARIAN
    from circulate.accounts.services import grant_role
    from circulate.bikes.models import Station
    from circulate.dealership import services as dealership
    from circulate.dealership.models import CarModel
    from circulate.library import services as library
    from circulate.library.models import Book, Member

    rng = random.Random(args.seed)
    librarian = User.objects.get(email="librarian@circulate.local")
    admin = User.objects.get(email="admin@circulate.local")
    people = []
    for n in range(args.people):
        role = "librarian" if n % 6 == 0 else "market" if n % 12 == 1 else "member"
        user = User.objects.create_user(
            email=f"soak{n}@soak.invalid",
            username=f"soak{n}",
            password=None,
            email_verified_at=timezone.now(),
            is_staff=role == "market",
        )
        if role == "librarian":
            grant_role(user=user, role=LIBRARIAN)
        buyer = dealership.get_or_create_buyer(actor=user)
        dealership.top_up_buyer(actor=admin, buyer_id=buyer.pk, amount=Decimal(rng.choice([20000, 40000, 80000])))
        member = Member.objects.create(name=f"Soak member {n}", user=user)
        library.issue_or_renew_card(actor=librarian, member_id=member.pk)
        people.append(
            Person(user.email, str(AccessToken.for_user(user)), member.pk, role, rng=random.Random(rng.random()))
        )
    world: dict[str, Any] = {
        "books": list(Book.objects.values_list("pk", flat=True)),
        "members": [person.member_id for person in people],
        "stations": list(Station.objects.filter(is_returning=True).values_list("pk", flat=True)),
        "car_models": list(CarModel.objects.values_list("pk", flat=True)),
        "rides": [],
        "lock": threading.Lock(),
    }
    return people, world


def _person_loop(base: str, person: Person, world: dict[str, Any], tally: Tally, deadline: float) -> None:
    weights, actions = zip(*ACTIONS[person.role], strict=True)
    while time.monotonic() < deadline:
        person.rng.choices(actions, weights)[0](base, person, world, tally)
    if person.ride is not None:  # dock before the checks, as riders do
        for station in world["stations"]:
            status, _ = _request(
                base, "POST", f"/api/bikes/rentals/{person.ride}/finish/", person.token, {"station": station}
            )
            tally.add("bikes.finish", status)
            if status == 202:
                break


def market_money() -> Decimal:
    """Dealership and buyer balances plus what suppliers were paid, less every top-up.

    Trading moves money between these; it never makes or loses any.
    """
    from django.db.models import Sum

    from circulate.dealership.models import BalanceTopUp, Buyer, Dealership, SupplierSale

    def total(queryset: Any, column: str) -> Decimal:
        return queryset.aggregate(total=Sum(column))["total"] or Decimal(0)

    return (
        total(Dealership.all_objects, "balance")
        + total(Buyer.all_objects, "balance")
        + total(SupplierSale.all_objects, "total")
        - total(BalanceTopUp.all_objects, "amount")
    )


def check_invariants(money_before: Decimal) -> list[str]:
    from django.db.models import Count, F, Q

    from circulate.bikes.models import Bike, Rental, Station
    from circulate.library.models import Book, Reservation

    broken = []
    books = Book.all_objects.annotate(
        open_loans=Count("loans", filter=Q(loans__returned_at__isnull=True), distinct=True),
        set_aside=Count("reservations", filter=Q(reservations__status=Reservation.Status.READY), distinct=True),
    ).exclude(copies_available=F("copies_total") - F("open_loans") - F("set_aside"))
    for book in books[:10]:
        broken.append(
            f"book {book.pk}: {book.copies_available} available of {book.copies_total}, "
            f"{book.open_loans} on loan, {book.set_aside} set aside"
        )
    active = Rental.objects.filter(ended_at__isnull=True)
    for column in ("rider", "bike"):
        for row in active.values(column).annotate(n=Count("id")).filter(n__gt=1):
            broken.append(f"{row['n']} active rentals for {column} {row[column]}")
    riding = set(active.values_list("bike_id", flat=True))
    for bike in Bike.all_objects.filter(Q(pk__in=riding) & (Q(station__isnull=False) | ~Q(status="rented"))):
        broken.append(f"bike {bike.pk} is on a ride but {bike.status} at station {bike.station_id}")
    for bike in Bike.all_objects.filter(status="rented").exclude(pk__in=riding):
        broken.append(f"bike {bike.pk} is rented without a ride")
    for station in Station.all_objects.annotate(docked=Count("bikes")).filter(docked__gt=F("capacity")):
        broken.append(f"station {station.pk} holds {station.docked} bikes in {station.capacity} docks")
    finished = Rental.objects.filter(ended_at__isnull=False)
    for rental in finished.exclude(cost_status="priced")[:10]:
        broken.append(f"ride {rental.pk} finished but {rental.cost_status}")
    for rental in finished.filter(cost__lt=0):
        broken.append(f"ride {rental.pk} costs {rental.cost}")

    from circulate.dealership.models import Buyer, Dealership, DealershipCar, DealershipSale, Offer

    for model in (Dealership, Buyer):
        for account in model.all_objects.filter(balance__lt=0):
            broken.append(f"{model.__name__} {account.pk} has balance {account.balance}")
    for stock in DealershipCar.all_objects.filter(quantity__lt=0):
        broken.append(f"stock {stock.pk} holds {stock.quantity} cars")
    fulfilled = Offer.all_objects.filter(status="fulfilled").count()
    sold = DealershipSale.all_objects.count()
    if fulfilled != sold:
        broken.append(f"{fulfilled} offers fulfilled but {sold} sales")
    money_after = market_money()
    if money_after != money_before:
        broken.append(f"money not conserved: {money_before} before, {money_after} after (top-ups aside)")
    return broken


def _soak(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.db import connection

    from circulate.core.asgi_server import running_gunicorn

    people, world = _prepare(args)
    money_before = market_money()
    connection.close()
    tally = Tally()
    env = _env(
        args,
        DJANGO_ENV="production",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        WEB_CONCURRENCY="2",
        THROTTLE_USER="100000000/minute",
        THROTTLE_ANON="100000000/minute",
    )
    with running_gunicorn("circulate.wsgi:application", "deploy/gunicorn.conf.py", env) as base:
        print(f"{len(people)} people for {args.seconds:.0f} s against {base} (gunicorn, 2 WSGI workers)", flush=True)
        began = time.monotonic()
        deadline = began + args.seconds
        threads = [
            threading.Thread(target=_person_loop, args=(base, person, world, tally, deadline)) for person in people
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - began
    total = sum(tally.statuses.values())
    print(f"\n{total:,} requests in {elapsed:.0f} s ({total / elapsed:.0f}/s)\n")
    print("| action | answers |")
    print("| --- | --- |")
    for action in sorted({action for action, _ in tally.statuses}):
        answers = ", ".join(f"{status}: {n}" for (a, status), n in sorted(tally.statuses.items()) if a == action)
        print(f"| {action} | {answers} |")
    broken = check_invariants(money_before)
    for problem in tally.server_errors[:20]:
        print(f"5xx: {problem}")
    for problem in broken:
        print(f"invariant broken: {problem}")
    ok = not broken and not tally.server_errors
    print("\nsoak: every invariant holds, no 5xx" if ok else "\nsoak: FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The callers and objects every cell of the permission matrix runs against, made fresh for each cell.

Callers (the matrix's columns):

| caller | who |
| --- | --- |
| ``anonymous`` | no credentials |
| ``unconfirmed`` | signed in, e-mail never confirmed, no role |
| ``member`` | the owner: a library member with a card, a rider with a ride, a buyer with an offer and a car bought |
| ``other_member`` | another member with a card (and a buyer) of their own: everything of ``member``'s is 404 to them |
| ``librarian`` / ``fleet_manager`` | a user holding that one role |
| ``dealer`` | a user with the dealer_staff role working at ``dealership`` (the one the dealership objects belong to) |
| ``other_dealer`` | a user with the dealer_staff role working at ``other_dealership`` |
| ``staff`` | a superuser (every role, the admin) |

A branch that adds a role adds its caller here (and its column to every row, or a ``"*"``
default in the row). Objects are named; a row's ``object`` fills the ``{id}`` of its path and
``$name`` in its body or query is replaced with that object's id.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from circulate.accounts.roles import DEALER_STAFF, FLEET_MANAGER, LIBRARIAN
from circulate.accounts.tests.factories import UserFactory
from circulate.bikes import services as bikes
from circulate.bikes.tests.factories import make_bike, make_plan, make_station, make_vehicle_type
from circulate.dealership import services as dealership
from circulate.dealership.models import DealershipCar, DealershipSale, SupplierDiscount, SupplierSale
from circulate.dealership.tests.factories import (
    make_buyer,
    make_car_model,
    make_dealership,
    make_offer,
    make_price,
    make_supplier,
    stocked,
)
from circulate.library import services as library
from circulate.library.selectors import member_of
from circulate.library.tests.factories import AuthorFactory, BookFactory, member_with_card
from circulate.partners.models import PartnerAvailability, PartnerBranch, PartnerReservation

CALLERS: tuple[str, ...] = (
    "anonymous",
    "unconfirmed",
    "member",
    "other_member",
    "librarian",
    "fleet_manager",
    "dealer",
    "other_dealer",
    "staff",
)


@dataclass
class World:
    users: dict[str, Any] = field(default_factory=dict)
    objects: dict[str, int] = field(default_factory=dict)


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile("bike.png", buffer.getvalue(), content_type="image/png")


def _users() -> dict[str, Any]:
    return {
        "unconfirmed": UserFactory(email_verified_at=None),
        "member": UserFactory(),
        "other_member": UserFactory(),
        "librarian": UserFactory(roles=[LIBRARIAN]),
        "fleet_manager": UserFactory(roles=[FLEET_MANAGER]),
        "dealer": UserFactory(roles=[DEALER_STAFF]),
        "other_dealer": UserFactory(roles=[DEALER_STAFF]),
        "staff": UserFactory(is_staff=True, is_superuser=True),
    }


def _library(users: dict[str, Any]) -> dict[str, int]:
    librarian = users["librarian"]
    member = member_with_card(users["member"])
    other = member_with_card(users["other_member"])
    walk_in = member_with_card()
    author = AuthorFactory()
    book = BookFactory(copies_total=3, authors=[author])
    held = BookFactory(copies_total=1)
    spare = BookFactory(copies_total=2)
    loan = library.issue_loan(actor=librarian, book_id=book.pk, member_id=member.pk)
    other_loan = library.issue_loan(actor=librarian, book_id=book.pk, member_id=other.pk)
    reservation = library.reserve_book(actor=users["member"], book_id=held.pk)
    return {
        "author": author.pk,
        "book": book.pk,
        "held_book": held.pk,
        "spare_book": spare.pk,
        "tier": member.card.tier_id,
        "member_record": member.pk,
        "other_member_record": other.pk,
        "walk_in": walk_in.pk,
        "loan": loan.pk,
        "other_loan": other_loan.pk,
        "reservation": reservation.pk,
    }


def _bikes(users: dict[str, Any]) -> dict[str, int]:
    fleet = users["fleet_manager"]
    station = make_station(fleet=fleet)
    vehicle_type = make_vehicle_type(fleet=fleet)
    plan = make_plan(fleet=fleet)
    bike = make_bike(station=station, vehicle_type=vehicle_type, fleet=fleet)
    spare = make_bike(station=station, vehicle_type=vehicle_type, fleet=fleet)
    ridden = make_bike(station=station, vehicle_type=vehicle_type, fleet=fleet)
    in_repair = bikes.send_to_maintenance(
        actor=fleet, bike_id=make_bike(station=station, vehicle_type=vehicle_type, fleet=fleet).pk
    )
    finished = bikes.start_rental(actor=users["member"], bike_id=ridden.pk, plan_id=plan.pk)
    bikes.finish_rental(actor=users["member"], rental_id=finished.pk, station_id=station.pk)
    bikes.price_rental(rental_id=finished.pk)
    rental = bikes.start_rental(actor=users["member"], bike_id=ridden.pk, plan_id=plan.pk)
    return {
        "station": station.pk,
        "empty_station": make_station(fleet=fleet).pk,
        "vehicle_type": vehicle_type.pk,
        "unused_vehicle_type": make_vehicle_type(fleet=fleet).pk,
        "plan": plan.pk,
        "unused_plan": make_plan(default=False, fleet=fleet, name="Unused").pk,
        "bike": bike.pk,
        "spare_bike": spare.pk,
        "bike_in_repair": in_repair.pk,
        "rental": rental.pk,
        "finished_rental": finished.pk,
    }


def _dealership(users: dict[str, Any]) -> dict[str, int]:
    """The market: ``dealer`` works at ``dealership`` (a car in stock, a sold-out one, a promotion, a purchase, a
    sale), ``other_dealer`` at ``other_dealership``; ``member`` is a buyer who bought the last sold-out car (``sale``)
    and asks for another (``offer``)."""
    staff = users["staff"]
    car = make_car_model(staff=staff)
    sold_out_car = make_car_model(staff=staff)
    unused_car = make_car_model(staff=staff)
    supplier = make_supplier(staff=staff)
    price = make_price(supplier=supplier, car_model=car, price="9000", staff=staff)
    spare_price = make_price(supplier=supplier, car_model=unused_car, price="9500", staff=staff)
    discount = dealership.create_supplier_discount(
        actor=staff, supplier_id=supplier.pk, kind=SupplierDiscount.Kind.LOYALTY, percent=Decimal(5), min_units=10
    )
    mine = make_dealership(balance="100000", staff=staff, people=[users["dealer"]])
    theirs = make_dealership(balance="100000", staff=staff, people=[users["other_dealer"]])
    stocked(mine, car, 3, staff=staff)
    stocked(mine, sold_out_car, 1, staff=staff)
    now = timezone.now()
    month = now + timedelta(days=30)
    promotion = dealership.create_promotion(
        actor=users["dealer"], dealership_id=mine.pk, percent=Decimal(5), starts_at=now, ends_at=month
    )
    buyer = make_buyer(balance="50000", user=users["member"], staff=staff)
    other_buyer = make_buyer(balance="50000", user=users["other_member"], staff=staff)
    bought = make_offer(buyer=buyer, max_price="20000", car_model=sold_out_car)
    dealership.match_offers()
    offer = make_offer(buyer=buyer, max_price="1000", car_model=car)
    return {
        "car_model": car.pk,
        "unused_car_model": unused_car.pk,
        "supplier": supplier.pk,
        "unused_supplier": make_supplier(staff=staff).pk,
        "supplier_price": price.pk,
        "spare_supplier_price": spare_price.pk,
        "supplier_discount": discount.pk,
        "dealership": mine.pk,
        "other_dealership": theirs.pk,
        "empty_dealership": make_dealership(staff=staff).pk,
        "stock": DealershipCar.objects.get(dealership=mine, car_model=car, quantity__gt=0).pk,
        "sold_out_stock": DealershipCar.objects.get(dealership=mine, car_model=sold_out_car, quantity=0).pk,
        "promotion": promotion.pk,
        "buyer": buyer.pk,
        "other_buyer": other_buyer.pk,
        "offer": offer.pk,
        "sale": DealershipSale.objects.get(offer=bought).pk,
        "supplier_sale": SupplierSale.objects.filter(dealership=mine).earliest("pk").pk,
        "dealer_user": users["dealer"].pk,
    }


def _partners(users: dict[str, Any]) -> dict[str, int]:
    """A partner branch that is never reached: its address is a closed loopback port and its circuit breaker is
    open, so every live call answers 503 ``partner_unavailable`` at once, without a request leaving the process.
    ``member`` has a confirmed (pending) reservation of ``partner_book`` there; its availability is freshly stored."""
    now = timezone.now()
    branch = PartnerBranch.objects.create(
        name="Closed branch",
        code="closed",
        base_url="http://127.0.0.1:9",
        token="matrix",
        max_attempts=1,
        connect_timeout=0.1,
        read_timeout=0.1,
        breaker_open_until=now + timedelta(days=1),
    )
    book, spare = BookFactory(), BookFactory()
    PartnerAvailability.objects.create(
        branch=branch,
        isbn=book.isbn,
        copies_available=1,
        copies_total=2,
        holds=1,
        checked_at=now,
        outcome=PartnerAvailability.Outcome.OK,
    )
    reservation = PartnerReservation.objects.create(
        branch=branch,
        book=book,
        member=member_of(users["member"]),
        requested_by=users["member"],
        remote_id=41,
        status=PartnerReservation.Status.PENDING,
    )
    return {
        "branch": branch.pk,
        "partner_book": book.pk,
        "partner_spare_book": spare.pk,
        "partner_reservation": reservation.pk,
    }


# Objects that belong to ``member``: every caller but their owner, a librarian / fleet manager and staff gets 404.
OWNED_BY_MEMBER = frozenset(
    {
        "member_record",
        "loan",
        "reservation",
        "rental",
        "finished_rental",
        "buyer",
        "offer",
        "sale",
        "partner_reservation",
    }
)

# Each domain adds its builder: (users) -> {object name: id}. Partners needs the library's members first.
BUILDERS: list[Callable[[dict[str, Any]], dict[str, int]]] = [_library, _bikes, _dealership, _partners]


def build() -> World:
    world = World(users=_users())
    for builder in BUILDERS:
        world.objects.update(builder(world.users))
    return world

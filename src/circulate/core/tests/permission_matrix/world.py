"""The callers and objects every cell of the permission matrix runs against, made fresh for each cell.

Callers (the matrix's columns):

| caller | who |
| --- | --- |
| ``anonymous`` | no credentials |
| ``unconfirmed`` | signed in, e-mail never confirmed, no role |
| ``member`` | the owner: a library member with a card, and a rider with a ride (later: a buyer) |
| ``other_member`` | another member with a card of their own: everything of ``member``'s is 404 to them |
| ``librarian`` / ``fleet_manager`` / ``dealer_staff`` | a user holding that one role |
| ``staff`` | a superuser (every role, the admin) |

A branch that adds a role adds its caller here (and its column to every row, or a ``"*"``
default in the row). Objects are named; a row's ``object`` fills the ``{id}`` of its path and
``$name`` in its body or query is replaced with that object's id.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from circulate.accounts.roles import DEALER_STAFF, FLEET_MANAGER, LIBRARIAN
from circulate.accounts.tests.factories import UserFactory
from circulate.bikes import services as bikes
from circulate.bikes.tests.factories import make_bike, make_plan, make_station, make_vehicle_type
from circulate.library import services as library
from circulate.library.tests.factories import AuthorFactory, BookFactory, member_with_card

CALLERS: tuple[str, ...] = (
    "anonymous",
    "unconfirmed",
    "member",
    "other_member",
    "librarian",
    "fleet_manager",
    "dealer_staff",
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
        "dealer_staff": UserFactory(roles=[DEALER_STAFF]),
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


# Objects that belong to ``member``: every caller but their owner, a librarian / fleet manager and staff gets 404.
OWNED_BY_MEMBER = frozenset({"member_record", "loan", "reservation", "rental", "finished_rental"})

# Each domain adds its builder: (users) -> {object name: id}. The dealership and partners branches add theirs.
BUILDERS: list[Callable[[dict[str, Any]], dict[str, int]]] = [_library, _bikes]


def build() -> World:
    world = World(users=_users())
    for builder in BUILDERS:
        world.objects.update(builder(world.users))
    return world

"""Test data for the dealership market, made through the services so balances and stock stay true."""

from __future__ import annotations

from decimal import Decimal
from itertools import count
from typing import Any

from circulate.accounts.roles import DEALER_STAFF
from circulate.accounts.tests.factories import UserFactory
from circulate.dealership import services
from circulate.dealership.models import Buyer, CarModel, Dealership, Offer, Supplier, SupplierCar

_numbers = count(1)


def make_staff(**kwargs: Any) -> Any:
    """A member of the market's staff (``is_staff``)."""
    return UserFactory(is_staff=True, **kwargs)


def make_dealer(**kwargs: Any) -> Any:
    return UserFactory(roles=[DEALER_STAFF], **kwargs)


def make_car_model(*, staff: Any = None, **fields: Any) -> CarModel:
    n = next(_numbers)
    fields.setdefault("make", "Toyota")
    fields.setdefault("model", f"Model {n}")
    fields.setdefault("year", 2022)
    fields.setdefault("body_type", CarModel.BodyType.SEDAN)
    fields.setdefault("fuel", CarModel.Fuel.PETROL)
    fields.setdefault("engine_volume_l", Decimal("1.8"))
    fields.setdefault("power_hp", 140)
    fields.setdefault("color", "white")
    return services.create_car_model(actor=staff or make_staff(), **fields)


def make_supplier(*, staff: Any = None, **fields: Any) -> Supplier:
    fields.setdefault("name", f"Supplier {next(_numbers)}")
    fields.setdefault("country", "JP")
    fields.setdefault("founded_year", 1990)
    return services.create_supplier(actor=staff or make_staff(), **fields)


def make_price(*, supplier: Supplier, car_model: CarModel, price: str | Decimal, staff: Any = None) -> SupplierCar:
    return services.set_supplier_price(
        actor=staff or make_staff(), supplier_id=supplier.pk, car_model_id=car_model.pk, price=Decimal(price)
    )


def make_dealership(
    *,
    balance: str | Decimal = "0",
    staff: Any = None,
    people: list[Any] | None = None,
    **fields: Any,
) -> Dealership:
    staff = staff or make_staff()
    fields.setdefault("name", f"Dealership {next(_numbers)}")
    fields.setdefault("country", "DE")
    fields.setdefault("city", "Berlin")
    fields.setdefault("markup_percent", Decimal(20))
    dealership = services.create_dealership(actor=staff, **fields)
    if Decimal(balance) > 0:
        services.top_up_dealership(actor=staff, dealership_id=dealership.pk, amount=Decimal(balance))
    if people:
        services.set_dealership_staff(actor=staff, dealership_id=dealership.pk, user_ids=[p.pk for p in people])
    dealership.refresh_from_db()
    return dealership


def make_buyer(*, balance: str | Decimal = "0", user: Any = None, staff: Any = None) -> Buyer:
    buyer = services.get_or_create_buyer(actor=user or UserFactory())
    if Decimal(balance) > 0:
        services.top_up_buyer(actor=staff or make_staff(), buyer_id=buyer.pk, amount=Decimal(balance))
    buyer.refresh_from_db()
    return buyer


def make_offer(*, buyer: Buyer, max_price: str | Decimal, car_model: CarModel | None = None, **kw: Any) -> Offer:
    return services.create_offer(
        actor=buyer.user, max_price=Decimal(max_price), car_model_id=car_model.pk if car_model else None, **kw
    )


def stocked(dealership: Dealership, car_model: CarModel, units: int, *, staff: Any = None) -> None:
    """Put ``units`` of a car model in stock by a real restock from a fresh supplier at 10,000."""
    staff = staff or make_staff()
    supplier = make_supplier(staff=staff)
    make_price(supplier=supplier, car_model=car_model, price="10000", staff=staff)
    preferences = dict(dealership.preferences or {})
    targets = dict(preferences.get("target_stock") or {})
    targets[str(car_model.pk)] = units
    preferences["target_stock"] = targets
    services.update_dealership(actor=staff, dealership_id=dealership.pk, preferences=preferences)
    services.restock_dealership(dealership_id=dealership.pk)

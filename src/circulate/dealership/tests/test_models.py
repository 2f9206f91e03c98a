"""The database keeps the market's invariants even when code forgets: balances, stock, one price, one buyer."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import DataError, IntegrityError, transaction

from circulate.accounts.tests.factories import UserFactory
from circulate.dealership.models import Buyer, Dealership, DealershipCar, SupplierCar
from circulate.dealership.tests.factories import (
    make_buyer,
    make_car_model,
    make_dealership,
    make_price,
    make_supplier,
    stocked,
)

pytestmark = pytest.mark.django_db


def _refused(action) -> bool:  # type: ignore[no-untyped-def]
    try:
        with transaction.atomic():
            action()
    except (IntegrityError, DataError):  # DataError: MariaDB's unsigned columns refuse a negative number first
        return True
    return False


def test_a_dealership_balance_cannot_go_below_zero() -> None:
    # given a dealership with 100
    dealership = make_dealership(balance="100")
    # when something takes 101 / then the database refuses
    assert _refused(lambda: Dealership.objects.filter(pk=dealership.pk).update(balance=Decimal("-1")))
    assert Dealership.objects.get(pk=dealership.pk).balance == Decimal("100.00")


def test_a_buyer_balance_cannot_go_below_zero() -> None:
    # given a buyer with 50
    buyer = make_buyer(balance="50")
    # when / then
    assert _refused(lambda: Buyer.objects.filter(pk=buyer.pk).update(balance=Decimal("-0.01")))


def test_stock_cannot_go_below_zero() -> None:
    # given one car in stock
    dealership = make_dealership(balance="50000")
    car = make_car_model()
    stocked(dealership, car, 1)
    row = DealershipCar.objects.get(dealership=dealership, car_model=car)
    # when / then
    assert _refused(lambda: DealershipCar.objects.filter(pk=row.pk).update(quantity=-1))


def test_a_supplier_has_one_active_price_per_car_model() -> None:
    # given a price
    supplier, car = make_supplier(), make_car_model()
    make_price(supplier=supplier, car_model=car, price="9000")
    # when a second active row is written directly / then the database refuses
    assert _refused(lambda: SupplierCar.objects.create(supplier=supplier, car_model=car, price=Decimal(8000)))
    # and an inactive old price may stay beside the active one
    SupplierCar.objects.create(supplier=supplier, car_model=car, price=Decimal(7000), is_active=False)


def test_one_buyer_per_user() -> None:
    # given a buyer
    user = UserFactory()
    make_buyer(user=user)
    # when / then
    assert _refused(lambda: Buyer.objects.create(user=user))

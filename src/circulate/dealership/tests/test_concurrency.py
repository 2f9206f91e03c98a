"""Races on PostgreSQL: trading cycles running at once never overdraw, oversell, or sell an offer twice.

Each test commits its data, then releases threads together (a barrier), each thread with its
own database connection, each running a whole trading cycle.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import Count, Sum

from circulate.dealership import services
from circulate.dealership.models import (
    Buyer,
    Dealership,
    DealershipCar,
    DealershipSale,
    Offer,
    SupplierSale,
)
from circulate.dealership.tests.checks import assert_rollups_match_sales
from circulate.dealership.tests.factories import (
    make_buyer,
    make_car_model,
    make_dealership,
    make_offer,
    make_price,
    make_staff,
    make_supplier,
)

pytestmark = [pytest.mark.locking, pytest.mark.django_db(transaction=True)]


def run_together(actions: list[Callable[[], Any]]) -> list[Any]:
    barrier = threading.Barrier(len(actions))

    def attempt(action: Callable[[], Any]) -> Any:
        try:
            barrier.wait(timeout=30)
            return action()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(actions)) as pool:
        return list(pool.map(attempt, actions))


def money_in_the_market() -> Decimal:
    balances = (Dealership.all_objects.aggregate(s=Sum("balance"))["s"] or Decimal(0)) + (
        Buyer.all_objects.aggregate(s=Sum("balance"))["s"] or Decimal(0)
    )
    return balances + (SupplierSale.objects.aggregate(s=Sum("total"))["s"] or Decimal(0))


def test_four_match_and_two_restock_cycles_at_once_over_200_offers_keep_every_invariant() -> None:
    # given 5 car models from 2 suppliers, 4 dealerships wanting them with tight balances,
    # some stock already, and 200 offers from 60 buyers with tight balances
    rng = random.Random(10)
    staff = make_staff()
    cars = [make_car_model(staff=staff) for _ in range(5)]
    suppliers = [make_supplier(staff=staff) for _ in range(2)]
    for supplier in suppliers:
        for car in cars:
            make_price(supplier=supplier, car_model=car, price=str(rng.randrange(8000, 12000)), staff=staff)
    dealerships = []
    for i in range(4):
        dealership = make_dealership(balance=str(60000 + 10000 * i), staff=staff, markup_percent=Decimal(10 + 5 * i))
        services.update_dealership(
            actor=staff,
            dealership_id=dealership.pk,
            preferences={"target_stock": {str(car.pk): rng.randrange(2, 6) for car in cars}},
        )
        services.restock_dealership(dealership_id=dealership.pk)
        dealerships.append(dealership)
    buyers = [make_buyer(balance=str(rng.randrange(10000, 40000)), staff=staff) for _ in range(60)]
    for i in range(200):
        make_offer(buyer=buyers[i % len(buyers)], max_price=str(rng.randrange(9000, 16000)), car_model=rng.choice(cars))
    for dealership in dealerships:  # money for the restock cycles to spend while the sales run
        services.top_up_dealership(actor=staff, dealership_id=dealership.pk, amount=Decimal(30000))
    before = money_in_the_market()
    # when four match cycles and two restock cycles run at once
    actions: list[Callable[[], Any]] = [services.match_offers for _ in range(4)] + [services.restock for _ in range(2)]
    outcomes = run_together(actions)
    # then no stock and no balance is below 0
    assert not DealershipCar.objects.filter(quantity__lt=0).exists()
    assert not Dealership.all_objects.filter(balance__lt=0).exists()
    assert not Buyer.all_objects.filter(balance__lt=0).exists()
    # and no offer was fulfilled twice: one sale per fulfilled offer, every sale's offer fulfilled
    sold = sum(len(result) for result in outcomes[:4])
    assert sold == DealershipSale.objects.count() > 0
    assert not DealershipSale.objects.values("offer").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert Offer.objects.filter(status="fulfilled").count() == sold
    # and the money is conserved
    assert money_in_the_market() == before
    # and no buyer paid more than their offer allowed
    for sale in DealershipSale.objects.select_related("offer"):
        assert sale.price <= sale.offer.max_price
    # and the monthly rollups the cycles kept concurrently equal a recomputation from the sales
    assert SupplierSale.objects.exists()
    assert_rollups_match_sales()


def test_two_restock_cycles_at_once_buy_each_unit_once() -> None:
    # given a dealership wanting 5 of a car and money for exactly 5
    staff = make_staff()
    car = make_car_model(staff=staff)
    make_price(supplier=make_supplier(staff=staff), car_model=car, price="10000", staff=staff)
    dealership = make_dealership(balance="50000", staff=staff)
    services.update_dealership(actor=staff, dealership_id=dealership.pk, preferences={"target_stock": {str(car.pk): 5}})
    # when two restock cycles run at once, four times over
    for _ in range(4):
        run_together([services.restock, services.restock])
    # then it bought 5 once and spent its money exactly
    assert DealershipCar.objects.get(dealership=dealership).quantity == 5
    assert SupplierSale.objects.aggregate(n=Sum("quantity"))["n"] == 5
    assert Dealership.objects.get(pk=dealership.pk).balance == Decimal("0.00")
    assert_rollups_match_sales()


def test_many_match_cycles_on_the_last_car_sell_it_once() -> None:
    # given one car in stock and ten buyers wanting it
    staff = make_staff()
    car = make_car_model(staff=staff)
    make_price(supplier=make_supplier(staff=staff), car_model=car, price="10000", staff=staff)
    dealership = make_dealership(balance="10000", staff=staff)
    services.update_dealership(actor=staff, dealership_id=dealership.pk, preferences={"target_stock": {str(car.pk): 1}})
    services.restock_dealership(dealership_id=dealership.pk)
    for _ in range(10):
        make_offer(buyer=make_buyer(balance="50000", staff=staff), max_price="20000", car_model=car)
    # when six match cycles run at once
    outcomes = run_together([services.match_offers for _ in range(6)])
    # then one car was sold, once
    assert sum(len(result) for result in outcomes) == 1
    assert DealershipCar.objects.get(dealership=dealership).quantity == 0
    assert Offer.objects.filter(status="fulfilled").count() == 1
    assert_rollups_match_sales()

"""The two trading cycles: restock from the cheapest supplier after discounts, sell offers the cheapest car."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from circulate.dealership import services
from circulate.dealership.models import Buyer, Dealership, DealershipCar, Offer, SupplierSale
from circulate.dealership.tests.checks import assert_rollups_match_sales
from circulate.dealership.tests.factories import (
    make_buyer,
    make_car_model,
    make_dealer,
    make_dealership,
    make_offer,
    make_price,
    make_staff,
    make_supplier,
    stocked,
)
from circulate.realtime.models import Event, EventRecipient

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _wants(dealership: Dealership, car_model_id: int, units: int, staff, **more) -> None:  # type: ignore[no-untyped-def]
    services.update_dealership(
        actor=staff,
        dealership_id=dealership.pk,
        preferences={"target_stock": {str(car_model_id): units}, **more},
    )


def _stock(dealership: Dealership, car_model_id: int) -> DealershipCar:
    return DealershipCar.objects.get(dealership=dealership, car_model_id=car_model_id)


# --- Restock -----------------------------------------------------------------------------------------------


def test_restock_buys_up_to_the_target_from_the_cheapest_supplier_and_prices_with_the_markup() -> None:
    # given a dealership wanting 3 of a car two suppliers sell
    staff = make_staff()
    car = make_car_model(staff=staff)
    dear, cheap = make_supplier(staff=staff), make_supplier(staff=staff)
    make_price(supplier=dear, car_model=car, price="21000", staff=staff)
    make_price(supplier=cheap, car_model=car, price="20000", staff=staff)
    dealership = make_dealership(balance="100000", staff=staff, markup_percent=Decimal("25"))
    _wants(dealership, car.pk, 3, staff)
    # when it restocks
    purchases = services.restock_dealership(dealership_id=dealership.pk)
    # then it bought 3 from the cheaper supplier, paid 60,000 and asks cost + 25 %
    assert [(p.supplier_id, p.quantity, p.total) for p in purchases] == [(cheap.pk, 3, Decimal("60000.00"))]
    assert Dealership.objects.get(pk=dealership.pk).balance == Decimal("40000.00")
    row = _stock(dealership, car.pk)
    assert (row.quantity, row.unit_cost, row.price) == (3, Decimal("20000.00"), Decimal("25000.00"))


def test_restock_buys_only_what_the_balance_covers_and_never_past_the_target() -> None:
    # given a balance for 2 of the 5 wanted cars
    staff = make_staff()
    car = make_car_model(staff=staff)
    make_price(supplier=make_supplier(staff=staff), car_model=car, price="10000", staff=staff)
    dealership = make_dealership(balance="25000", staff=staff)
    _wants(dealership, car.pk, 5, staff)
    # when it restocks twice
    services.restock_dealership(dealership_id=dealership.pk)
    second = services.restock_dealership(dealership_id=dealership.pk)
    # then it bought 2 and nothing more
    assert _stock(dealership, car.pk).quantity == 2
    assert second == []
    assert Dealership.objects.get(pk=dealership.pk).balance == Decimal("5000.00")


def test_restock_at_target_buys_nothing_and_price_max_excludes_dear_cars() -> None:
    # given a car dearer than the dealership's price_max
    staff = make_staff()
    car = make_car_model(staff=staff)
    make_price(supplier=make_supplier(staff=staff), car_model=car, price="50000", staff=staff)
    dealership = make_dealership(balance="500000", staff=staff)
    _wants(dealership, car.pk, 2, staff, price_max="40000")
    # when / then
    assert services.restock_dealership(dealership_id=dealership.pk) == []
    assert not DealershipCar.objects.filter(dealership=dealership).exists()


def test_default_target_buys_every_model_matching_the_criteria() -> None:
    # given two electric models and a petrol one, and a dealership wanting 1 of each electric car
    staff = make_staff()
    supplier = make_supplier(staff=staff)
    electric = [make_car_model(staff=staff, fuel="electric", engine_volume_l=None) for _ in range(2)]
    petrol = make_car_model(staff=staff, fuel="petrol")
    for car in [*electric, petrol]:
        make_price(supplier=supplier, car_model=car, price="30000", staff=staff)
    dealership = make_dealership(balance="1000000", staff=staff)
    services.update_dealership(
        actor=staff, dealership_id=dealership.pk, preferences={"fuels": ["electric"], "default_target": 1}
    )
    # when it restocks
    services.restock_dealership(dealership_id=dealership.pk)
    # then only the electric cars are in stock
    assert set(DealershipCar.objects.filter(dealership=dealership).values_list("car_model_id", flat=True)) == {
        car.pk for car in electric
    }


def test_a_loyalty_discount_applies_once_the_dealership_bought_enough_from_that_supplier() -> None:
    # given supplier A at 10,000 with 10 % off after 3 units, and supplier B at 9,500
    staff = make_staff()
    car = make_car_model(staff=staff)
    loyal, other = make_supplier(staff=staff), make_supplier(staff=staff)
    make_price(supplier=loyal, car_model=car, price="10000", staff=staff)
    make_price(supplier=other, car_model=car, price="9500", staff=staff)
    services.create_supplier_discount(
        actor=staff, supplier_id=loyal.pk, kind="loyalty", percent=Decimal(10), min_units=3
    )
    dealership = make_dealership(balance="1000000", staff=staff)
    _wants(dealership, car.pk, 3, staff)
    # when it first buys: B is cheaper (no loyalty yet at A)
    first = services.restock_dealership(dealership_id=dealership.pk)
    # and it has bought 3 from A in the past
    SupplierSale.objects.create(
        supplier=loyal,
        dealership=dealership,
        car_model=car,
        quantity=3,
        list_price=Decimal(10000),
        unit_price=Decimal(10000),
        total=Decimal(30000),
    )
    DealershipCar.objects.filter(dealership=dealership).update(quantity=0)
    second = services.restock_dealership(dealership_id=dealership.pk)
    # then the second purchase is at A for 9,000 with the loyalty discount
    assert [(p.supplier_id, p.unit_price) for p in first] == [(other.pk, Decimal("9500.00"))]
    assert [(p.supplier_id, p.unit_price, p.discount_percent) for p in second] == [
        (loyal.pk, Decimal("9000.00"), Decimal("10.00"))
    ]
    assert second[0].discount_total == Decimal("3000.00")


@pytest.mark.parametrize(
    ("moment", "expected_price"),
    [
        (NOW - timedelta(seconds=1), Decimal("9500.00")),  # before the promotion: B
        (NOW, Decimal("8000.00")),  # from its first instant: A at 20 % off
        (NOW + timedelta(days=7) - timedelta(seconds=1), Decimal("8000.00")),
        (NOW + timedelta(days=7), Decimal("9500.00")),  # ended: B again
    ],
)
def test_a_supplier_promotion_applies_only_within_its_dates(moment: datetime, expected_price: Decimal) -> None:
    # given A at 10,000 with a 20 % promotion for a week, and B at 9,500
    staff = make_staff()
    car = make_car_model(staff=staff)
    promo, other = make_supplier(staff=staff), make_supplier(staff=staff)
    make_price(supplier=promo, car_model=car, price="10000", staff=staff)
    make_price(supplier=other, car_model=car, price="9500", staff=staff)
    services.create_supplier_discount(
        actor=staff,
        supplier_id=promo.pk,
        kind="promotion",
        percent=Decimal(20),
        starts_at=NOW,
        ends_at=NOW + timedelta(days=7),
        car_models=[car.pk],
    )
    dealership = make_dealership(balance="100000", staff=staff)
    _wants(dealership, car.pk, 1, staff)
    # when it restocks at that moment
    with time_machine.travel(moment, tick=False):
        purchases = services.restock_dealership(dealership_id=dealership.pk)
    # then it paid the cheaper effective price
    assert [p.unit_price for p in purchases] == [expected_price]


def test_restock_tells_the_dealership_staff(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    # given a dealership with a person
    staff, dealer = make_staff(), make_dealer()
    car = make_car_model(staff=staff)
    make_price(supplier=make_supplier(staff=staff), car_model=car, price="1000", staff=staff)
    dealership = make_dealership(balance="5000", staff=staff, people=[dealer])
    _wants(dealership, car.pk, 2, staff)
    # when it restocks and commits
    with django_capture_on_commit_callbacks(execute=True):
        services.restock_dealership(dealership_id=dealership.pk)
    # then its person is told what was bought
    event = Event.objects.get(type="dealership.restocked")
    assert event.payload["purchases"] == [
        {"car_model_id": car.pk, "supplier_id": event.payload["purchases"][0]["supplier_id"], "quantity": 2}
    ]
    assert list(EventRecipient.objects.filter(event=event).values_list("user_id", flat=True)) == [dealer.pk]


# --- Match -------------------------------------------------------------------------------------------------


def _market(staff):  # type: ignore[no-untyped-def]
    car = make_car_model(staff=staff)
    cheap = make_dealership(balance="100000", staff=staff, markup_percent=Decimal(10))
    dear = make_dealership(balance="100000", staff=staff, markup_percent=Decimal(30))
    stocked(cheap, car, 1, staff=staff)
    stocked(dear, car, 2, staff=staff)
    return car, cheap, dear


def test_an_offer_is_sold_the_cheapest_matching_car_and_money_moves() -> None:
    # given the same car at 11,000 and at 13,000, and a buyer with 20,000 asking up to 15,000
    staff = make_staff()
    car, cheap, _dear = _market(staff)
    buyer = make_buyer(balance="20000", staff=staff)
    offer = make_offer(buyer=buyer, max_price="15000", car_model=car)
    # when offers are matched
    sales = services.match_offers()
    # then the cheaper dealership sold it at 11,000
    assert [(s.dealership_id, s.price, s.unit_cost) for s in sales] == [
        (cheap.pk, Decimal("11000.00"), Decimal("10000.00"))
    ]
    assert Buyer.objects.get(pk=buyer.pk).balance == Decimal("9000.00")
    assert Dealership.objects.get(pk=cheap.pk).balance == Decimal("100000") - Decimal(10000) + Decimal(11000)
    assert _stock(cheap, car.pk).quantity == 0
    offer.refresh_from_db()
    assert offer.status == Offer.Status.FULFILLED
    assert offer.sale.pk == sales[0].pk


def test_a_dealership_promotion_can_make_the_dearer_dealership_the_cheapest() -> None:
    # given 30 % off at the dealership asking 13,000 (9,100 after)
    staff = make_staff()
    car, _cheap, dear = _market(staff)
    services.create_promotion(
        actor=staff,
        dealership_id=dear.pk,
        name="Spring",
        percent=Decimal(30),
        starts_at=NOW - timedelta(days=1),
        ends_at=NOW + timedelta(days=1),
    )
    buyer = make_buyer(balance="20000", staff=staff)
    make_offer(buyer=buyer, max_price="10000", car_model=car)
    # when offers are matched
    with time_machine.travel(NOW, tick=False):
        sales = services.match_offers()
    # then it bought at the promotion price
    assert [(s.dealership_id, s.list_price, s.discount_percent, s.price) for s in sales] == [
        (dear.pk, Decimal("13000.00"), Decimal("30.00"), Decimal("9100.00"))
    ]


def test_an_offer_is_not_sold_above_its_max_price_or_the_buyer_balance() -> None:
    # given cars at 11,000 and up, an offer up to 10,000, and another buyer with only 5,000
    staff = make_staff()
    car, _, _ = _market(staff)
    low = make_offer(buyer=make_buyer(balance="50000", staff=staff), max_price="10000", car_model=car)
    poor = make_offer(buyer=make_buyer(balance="5000", staff=staff), max_price="50000", car_model=car)
    # when / then nothing is sold
    assert services.match_offers() == []
    assert Offer.objects.filter(pk__in=[low.pk, poor.pk], status="active").count() == 2


def test_an_offer_is_fulfilled_once_and_stock_runs_out() -> None:
    # given 3 cars in stock and 4 buyers wanting it
    staff = make_staff()
    car, _cheap, _dear = _market(staff)
    offers = [
        make_offer(buyer=make_buyer(balance="50000", staff=staff), max_price="20000", car_model=car) for _ in range(4)
    ]
    # when matched twice
    first = services.match_offers()
    second = services.match_offers()
    # then the 3 oldest offers got a car; the stock is empty; the last waits
    assert sorted(s.offer_id for s in first) == [o.pk for o in offers[:3]]
    assert second == []
    assert DealershipCar.objects.filter(car_model=car).values_list("quantity", flat=True).distinct().get() == 0
    assert Offer.objects.get(pk=offers[3].pk).status == "active"


def test_criteria_offers_match_by_characteristics() -> None:
    # given a sedan and an SUV in stock
    staff = make_staff()
    sedan = make_car_model(staff=staff, body_type="sedan")
    suv = make_car_model(staff=staff, body_type="suv", make="Volvo")
    dealership = make_dealership(balance="100000", staff=staff)
    stocked(dealership, sedan, 1, staff=staff)
    stocked(dealership, suv, 1, staff=staff)
    buyer = make_buyer(balance="50000", staff=staff)
    make_offer(buyer=buyer, max_price="20000", criteria={"body_types": ["suv"], "makes": ["volvo"]})
    # when / then the SUV is sold
    assert [s.car_model_id for s in services.match_offers()] == [suv.pk]


def test_money_is_conserved_by_trading() -> None:
    # given a market with money
    staff = make_staff()
    car, _cheap, _dear = _market(staff)
    for _ in range(3):
        make_offer(buyer=make_buyer(balance="30000", staff=staff), max_price="20000", car_model=car)

    def total() -> Decimal:
        balances = sum(Dealership.objects.values_list("balance", flat=True), Decimal(0))
        balances += sum(Buyer.objects.values_list("balance", flat=True), Decimal(0))
        return balances + sum(SupplierSale.objects.values_list("total", flat=True), Decimal(0))

    before = total()
    # when trading runs
    report = services.run_trading(actor=staff)
    # then the sum of balances and supplier revenue is unchanged
    assert len(report.sales) == 3
    assert total() == before
    # and the monthly rollups the sales kept equal a recomputation
    assert_rollups_match_sales()


def test_only_staff_run_trading_on_demand() -> None:
    from circulate.core.errors import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        services.run_trading(actor=make_dealer())


def test_a_fulfilled_offer_notifies_the_buyer_and_the_dealership_staff(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    # given a dealership with a person and a buyer's offer
    staff, dealer = make_staff(), make_dealer()
    car = make_car_model(staff=staff)
    dealership = make_dealership(balance="100000", staff=staff, people=[dealer])
    stocked(dealership, car, 1, staff=staff)
    buyer = make_buyer(balance="50000", staff=staff)
    make_offer(buyer=buyer, max_price="20000", car_model=car)
    # when matched and committed
    with django_capture_on_commit_callbacks(execute=True):
        services.match_offers()
    # then one offer.fulfilled event reaches the buyer and the dealer
    event = Event.objects.get(type="offer.fulfilled")
    assert set(EventRecipient.objects.filter(event=event).values_list("user_id", flat=True)) == {
        buyer.user_id,
        dealer.pk,
    }

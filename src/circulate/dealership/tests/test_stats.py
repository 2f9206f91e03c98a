"""Statistics equal a brute-force recomputation over random histories; who sees them; constant queries."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from circulate.dealership import rollup, stats
from circulate.dealership.models import DealershipSale, Offer, SupplierSale
from circulate.dealership.tests.factories import (
    make_buyer,
    make_car_model,
    make_dealer,
    make_dealership,
    make_staff,
    make_supplier,
)

pytestmark = pytest.mark.django_db

API = "/api/dealership"
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
CENT = Decimal("0.01")


def cents(n: int) -> Decimal:
    return (Decimal(n) / 100).quantize(CENT)


def avg(total: Decimal, n: int) -> str:
    return str((total / n).quantize(CENT, rounding=ROUND_HALF_UP)) if n else "0.00"


@pytest.fixture
def world() -> dict[str, Any]:
    staff = make_staff()
    return {
        "staff": staff,
        "dealerships": [make_dealership(staff=staff) for _ in range(2)],
        "buyers": [make_buyer(staff=staff) for _ in range(3)],
        "cars": [make_car_model(staff=staff, make=make) for make in ("Toyota", "Volvo", "Toyota")],
        "suppliers": [make_supplier(staff=staff) for _ in range(2)],
    }


sale_st = st.tuples(
    st.integers(0, 1),  # dealership
    st.integers(0, 2),  # buyer
    st.integers(0, 2),  # car model
    st.integers(1, 9_000_000),  # price in cents
    st.integers(1, 9_000_000),  # unit cost in cents
    st.integers(0, 30_000),  # discount of the list price, cents
    st.integers(0, 500),  # day
)
purchase_st = st.tuples(
    st.integers(0, 1),  # supplier
    st.integers(0, 1),  # dealership
    st.integers(0, 2),  # car model
    st.integers(1, 6),  # quantity
    st.integers(1, 9_000_000),  # unit price
    st.integers(0, 500_000),  # discount per unit
    st.integers(0, 500),  # day
)
bound_st = st.one_of(st.none(), st.integers(0, 500))


def _history(world: dict[str, Any], sales: list[Any], purchases: list[Any]) -> None:
    offers = Offer.objects.bulk_create(
        [
            Offer(
                buyer=world["buyers"][b],
                car_model=world["cars"][c],
                max_price=Decimal(1),
                status="fulfilled",
                fulfilled_at=EPOCH,
            )
            for _, b, c, *_ in sales
        ]
    )
    created = DealershipSale.objects.bulk_create(
        [
            DealershipSale(
                dealership=world["dealerships"][d],
                buyer=world["buyers"][b],
                offer=offer,
                car_model=world["cars"][c],
                list_price=cents(price + discount),
                price=cents(price),
                unit_cost=cents(cost),
                sold_at=EPOCH + timedelta(days=day, hours=3),
            )
            for offer, (d, b, c, price, cost, discount, day) in zip(offers, sales, strict=True)
        ]
    )
    bought = SupplierSale.objects.bulk_create(
        [
            SupplierSale(
                supplier=world["suppliers"][s],
                dealership=world["dealerships"][d],
                car_model=world["cars"][c],
                quantity=q,
                list_price=cents(unit + discount),
                unit_price=cents(unit),
                discount_total=cents(discount) * q,
                total=cents(unit) * q,
                sold_at=EPOCH + timedelta(days=day, hours=5),
            )
            for s, d, c, q, unit, discount, day in purchases
        ]
    )
    # the rollups, as the trading transactions keep them
    rollup.add_sales(created)
    rollup.add_purchases(bought)


def _within(day: int, start: int | None, end: int | None) -> bool:
    return (start is None or day >= start) and (end is None or day < end)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sales=st.lists(sale_st, max_size=25), purchases=st.lists(purchase_st, max_size=15), start=bound_st, end=bound_st)
def test_statistics_equal_a_brute_force_recomputation(world, sales, purchases, start, end) -> None:  # type: ignore[no-untyped-def]
    with transaction.atomic():
        # given a random history
        _history(world, sales, purchases)
        period = stats.Period(
            EPOCH + timedelta(days=start) if start is not None else None,
            EPOCH + timedelta(days=end) if end is not None else None,
        )
        in_sales = [s for s in sales if _within(s[6], start, end)]
        in_purchases = [p for p in purchases if _within(p[6], start, end)]
        # when / then: every dealership
        for d, dealership in enumerate(world["dealerships"]):
            got = stats.dealership_stats(dealership=dealership, period=period)
            mine = [s for s in in_sales if s[0] == d]
            revenue = sum((cents(s[3]) for s in mine), Decimal(0))
            cost = sum((cents(s[4]) for s in mine), Decimal(0))
            assert got["cars_sold"] == len(mine)
            assert got["revenue"] == str(revenue.quantize(CENT))
            assert got["cost_of_goods"] == str(cost.quantize(CENT))
            assert got["profit"] == str((revenue - cost).quantize(CENT))
            assert got["unique_buyers"] == len({s[1] for s in mine})
            assert got["average_sale_price"] == avg(revenue, len(mine))
            months: dict[str, list[Any]] = defaultdict(list)
            for s in mine:
                months[(EPOCH + timedelta(days=s[6])).strftime("%Y-%m")].append(s)
            assert [(m["month"], m["cars"], m["revenue"]) for m in got["sales_per_month"]] == [
                (month, len(rows), str(sum((cents(r[3]) for r in rows), Decimal(0)).quantize(CENT)))
                for month, rows in sorted(months.items())
            ]
            by_model = Counter(world["cars"][s[2]].pk for s in mine)
            model_revenue = defaultdict(Decimal)
            for s in mine:
                model_revenue[world["cars"][s[2]].pk] += cents(s[3])
            expected_top = sorted(by_model, key=lambda pk: (-by_model[pk], -model_revenue[pk], pk))[:5]
            assert [m["car_model"] for m in got["top_models"]] == expected_top
            bought: dict[int, Decimal] = defaultdict(Decimal)
            for p in in_purchases:
                if p[1] == d:
                    bought[world["suppliers"][p[0]].pk] += cents(p[4]) * p[3]
            assert {row["supplier"]: row["spent"] for row in got["purchases_per_supplier"]} == {
                pk: str(total.quantize(CENT)) for pk, total in bought.items()
            }
        # every buyer
        for b, buyer in enumerate(world["buyers"]):
            got = stats.buyer_stats(buyer=buyer, period=period)
            mine = [s for s in in_sales if s[1] == b]
            spent = sum((cents(s[3]) for s in mine), Decimal(0))
            assert got["cars_bought"] == len(mine)
            assert got["money_spent"] == str(spent.quantize(CENT))
            assert got["average_price"] == avg(spent, len(mine))
            assert got["saved_by_promotions"] == str(sum((cents(s[5]) for s in mine), Decimal(0)).quantize(CENT))
            makes = Counter(world["cars"][s[2]].make for s in mine)
            assert {row["make"]: row["cars"] for row in got["by_make"]} == dict(makes)
        # every supplier
        for i, supplier in enumerate(world["suppliers"]):
            got = stats.supplier_stats(supplier_id=supplier.pk, name=supplier.name, period=period)
            mine = [p for p in in_purchases if p[0] == i]
            assert got["units_sold"] == sum(p[3] for p in mine)
            assert got["revenue"] == str(sum((cents(p[4]) * p[3] for p in mine), Decimal(0)).quantize(CENT))
            assert got["discounts_given"] == str(sum((cents(p[5]) * p[3] for p in mine), Decimal(0)).quantize(CENT))
            assert got["unique_dealerships"] == len({p[1] for p in mine})
        # the market
        got = stats.overview(period=period)
        revenue = sum((cents(s[3]) for s in in_sales), Decimal(0))
        cost = sum((cents(s[4]) for s in in_sales), Decimal(0))
        assert got["cars_sold"] == len(in_sales)
        assert got["revenue"] == str(revenue.quantize(CENT))
        assert got["profit"] == str((revenue - cost).quantize(CENT))
        assert got["unique_buyers"] == len({s[1] for s in in_sales})
        assert got["average_sale_price"] == avg(revenue, len(in_sales))
        assert got["units_bought_from_suppliers"] == sum(p[3] for p in in_purchases)
        market_months: dict[str, list[Any]] = defaultdict(list)
        for s in in_sales:
            market_months[(EPOCH + timedelta(days=s[6])).strftime("%Y-%m")].append(s)
        assert [(m["month"], m["cars"], m["revenue"], m["profit"]) for m in got["sales_per_month"]] == [
            (
                month,
                len(rows),
                str(sum((cents(r[3]) for r in rows), Decimal(0)).quantize(CENT)),
                str(sum((cents(r[3]) - cents(r[4]) for r in rows), Decimal(0)).quantize(CENT)),
            )
            for month, rows in sorted(market_months.items())
        ]
        per_dealership: dict[int, list[Any]] = defaultdict(list)
        for s in in_sales:
            per_dealership[world["dealerships"][s[0]].pk].append(s)
        assert {row["dealership"]: (row["cars_sold"], row["profit"]) for row in got["dealerships_by_profit"]} == {
            pk: (len(rows), str(sum((cents(s[3]) - cents(s[4]) for s in rows), Decimal(0)).quantize(CENT)))
            for pk, rows in per_dealership.items()
        }
        assert {row["supplier"]: (row["units"], row["revenue"]) for row in got["suppliers_by_revenue"]} == {
            world["suppliers"][i].pk: (
                sum(p[3] for p in in_purchases if p[0] == i),
                str(sum((cents(p[4]) * p[3] for p in in_purchases if p[0] == i), Decimal(0)).quantize(CENT)),
            )
            for i in {p[0] for p in in_purchases}
        }
        assert got["paid_to_suppliers"] == str(
            sum((cents(p[4]) * p[3] for p in in_purchases), Decimal(0)).quantize(CENT)
        )
        profits = [Decimal(row["profit"]) for row in got["dealerships_by_profit"]]
        assert profits == sorted(profits, reverse=True)
        transaction.set_rollback(True)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (None, None),
        (31, 365),  # whole months only: 2025-02-01 .. 2026-01-01
        (40, 300),  # partial months at both edges
        (31, 300),  # a whole first month, a partial last one
        (40, 365),  # a partial first month, a whole last one
        (40, 50),  # inside one month
        (45, 70),  # across one month boundary, no whole month
        (None, 100),
        (100, None),
    ],
)
def test_the_overview_over_whole_and_partial_months_equals_a_recomputation(world, start, end) -> None:  # type: ignore[no-untyped-def]
    # given a sale every third day for 450 days (buyers taking turns), one purchase every fifth day
    sales = [(day % 2, day // 3 % 3, day % 3, 100_000 + day, 50_000 + 7 * day, 0, day) for day in range(0, 450, 3)]
    purchases = [(day % 2, day % 2, day % 3, 1 + day % 4, 20_000 + day, 0, day) for day in range(0, 450, 5)]
    _history(world, sales, purchases)
    period = stats.Period(
        EPOCH + timedelta(days=start) if start is not None else None,
        EPOCH + timedelta(days=end) if end is not None else None,
    )
    # when the overview is read
    got = stats.overview(period=period)
    # then it equals the totals of the sales within the period
    in_sales = [s for s in sales if _within(s[6], start, end)]
    in_purchases = [p for p in purchases if _within(p[6], start, end)]
    revenue = sum((cents(s[3]) for s in in_sales), Decimal(0))
    assert got["cars_sold"] == len(in_sales)
    assert got["revenue"] == str(revenue)
    assert got["profit"] == str(sum((cents(s[3]) - cents(s[4]) for s in in_sales), Decimal(0)))
    assert got["unique_buyers"] == len({s[1] for s in in_sales})
    assert got["units_bought_from_suppliers"] == sum(p[3] for p in in_purchases)
    assert got["paid_to_suppliers"] == str(sum((cents(p[4]) * p[3] for p in in_purchases), Decimal("0.00")))
    months = Counter((EPOCH + timedelta(days=s[6])).strftime("%Y-%m") for s in in_sales)
    assert [(m["month"], m["cars"]) for m in got["sales_per_month"]] == sorted(months.items())


# --- Who sees what ------------------------------------------------------------------------------------------


def test_dealership_statistics_are_for_its_people_and_staff(auth_client) -> None:  # type: ignore[no-untyped-def]
    # given two dealerships with a person each
    staff, dealer, other = make_staff(), make_dealer(), make_dealer()
    mine = make_dealership(staff=staff, people=[dealer])
    make_dealership(staff=staff, people=[other])
    buyer = make_buyer(staff=staff)
    url = f"{API}/stats/dealerships/{mine.pk}/"
    # when / then
    assert auth_client(dealer).get(url).status_code == 200
    assert auth_client(staff).get(url).status_code == 200
    assert auth_client(other).get(url).status_code == 404
    assert auth_client(buyer.user).get(url).status_code == 404


def test_buyer_statistics_are_the_buyers_own(auth_client) -> None:  # type: ignore[no-untyped-def]
    staff = make_staff()
    buyer, other = make_buyer(staff=staff), make_buyer(staff=staff)
    url = f"{API}/stats/buyers/{buyer.pk}/"
    assert auth_client(buyer.user).get(url).status_code == 200
    assert auth_client(staff).get(url).status_code == 200
    assert auth_client(other.user).get(url).status_code == 404


def test_supplier_statistics_and_the_overview_are_for_staff(auth_client) -> None:  # type: ignore[no-untyped-def]
    staff, dealer = make_staff(), make_dealer()
    supplier = make_supplier(staff=staff)
    for path in (f"stats/suppliers/{supplier.pk}/", "stats/overview/"):
        assert auth_client(staff).get(f"{API}/{path}").status_code == 200
        assert auth_client(dealer).get(f"{API}/{path}").status_code == 403
    assert auth_client(staff).get(f"{API}/stats/suppliers/999999/").status_code == 404


def test_the_period_is_checked(auth_client) -> None:  # type: ignore[no-untyped-def]
    client = auth_client(make_staff())
    ok = client.get(f"{API}/stats/overview/", {"from": "2026-01-01", "to": "2026-01-31"})
    assert ok.status_code == 200
    assert ok.json()["period"] == {"from": "2026-01-01T00:00:00+00:00", "to": "2026-02-01T00:00:00+00:00"}
    assert client.get(f"{API}/stats/overview/", {"from": "yesterday"}).status_code == 400
    assert client.get(f"{API}/stats/overview/", {"from": "2026-02-01", "to": "2026-01-01"}).status_code == 400


# --- Constant queries ----------------------------------------------------------------------------------------


def test_statistics_take_a_constant_number_of_queries(auth_client, world, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    # given a small history and a measurement of every endpoint
    staff = world["staff"]
    client = auth_client(staff)
    paths = [
        f"stats/dealerships/{world['dealerships'][0].pk}/",
        f"stats/buyers/{world['buyers'][0].pk}/",
        f"stats/suppliers/{world['suppliers'][0].pk}/",
        "stats/overview/",
    ]
    _history(world, [(0, 0, 0, 100, 50, 0, 1)], [(0, 0, 0, 1, 100, 0, 1)])
    counts = {}
    for path in paths:
        with CaptureQueriesContext(connection) as few:
            assert client.get(f"{API}/{path}").status_code == 200
        counts[path] = len(few.captured_queries)
    # when the history grows over many months, models, buyers and suppliers
    _history(
        world,
        [(d % 2, b % 3, c % 3, 1000 + d, 500, 10, d * 17) for d in range(40) for b, c in ((d, d + 1),)],
        [(s % 2, s % 2, s % 3, 2, 700, 5, s * 11) for s in range(30)],
    )
    # then every endpoint takes no more queries
    for path in paths:
        with django_assert_max_num_queries(counts[path]):
            assert client.get(f"{API}/{path}").status_code == 200

"""The market's shared read caches: the stock as buyers see it, the staff's statistics; changes forget them."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from circulate.accounts.tests.factories import UserFactory
from circulate.core.testing import cache_reads
from circulate.dealership import services
from circulate.dealership.models import DealershipCar, SupplierSale
from circulate.dealership.tests.factories import (
    make_buyer,
    make_car_model,
    make_dealer,
    make_dealership,
    make_offer,
    make_staff,
    stocked,
)

pytestmark = pytest.mark.django_db

API = "/api/dealership"


@pytest.fixture(autouse=True)
def _read_cache_on(settings: Any) -> None:
    """On, as with Redis; the suite's in-process memory cache is shared by everything a test runs."""
    settings.READ_CACHE_SECONDS = 30


@pytest.fixture
def market() -> dict[str, Any]:
    """Two cars of one model in stock at 12,000 (cost 10,000, markup 20 %), and the people around them."""
    staff, dealer = make_staff(), make_dealer()
    car = make_car_model(staff=staff, model="Corolla")
    dealership = make_dealership(balance="100000", staff=staff, people=[dealer], name="Berlin Autos")
    stocked(dealership, car, 2, staff=staff)
    row = DealershipCar.objects.get(dealership=dealership, car_model=car)
    return {"staff": staff, "dealer": dealer, "car": car, "dealership": dealership, "row": row}


def _seen(client: Any, row: DealershipCar) -> dict[str, Any] | None:
    """The row as the stock list shows it (None: not there), checked against its detail."""
    listed = {item["id"]: item for item in client.get(f"{API}/stock/").json()["results"]}.get(row.pk)
    detail = client.get(f"{API}/stock/{row.pk}/")
    if detail.status_code == 404:
        assert listed is None
        return None
    assert listed == detail.json()
    return dict(detail.json())


def _sell(market: dict[str, Any], units: int) -> None:
    for _ in range(units):
        make_offer(buyer=make_buyer(balance="50000", staff=market["staff"]), max_price="20000", car_model=market["car"])
    assert len(services.match_offers()) == units


def _aim_higher(market: dict[str, Any]) -> None:
    """A stock target of 5 (a dealership's save: it forgets the kept stock itself)."""
    preferences = {"target_stock": {str(market["car"].pk): 5}}
    services.update_dealership(actor=market["dealer"], dealership_id=market["dealership"].pk, preferences=preferences)


def _restock(market: dict[str, Any]) -> None:
    """The periodic restock alone: conditional UPDATEs of the stock row, no model saved."""
    services.restock_dealership(dealership_id=market["dealership"].pk)


def _nothing(market: dict[str, Any]) -> None:
    pass


def _new_markup(market: dict[str, Any]) -> None:
    services.update_dealership(
        actor=market["dealer"], dealership_id=market["dealership"].pk, markup_percent=Decimal(50)
    )


def _rename_dealership(market: dict[str, Any]) -> None:
    services.update_dealership(actor=market["dealer"], dealership_id=market["dealership"].pk, name="Hamburg Autos")


def _rename_car(market: dict[str, Any]) -> None:
    services.update_car_model(actor=market["staff"], car_model_id=market["car"].pk, model="Corolla Cross")


Step = Callable[[dict[str, Any]], None]
# name: (before the buyer's first read, the change, a check of what the buyer's next read shows)
CHANGES: dict[str, tuple[Step, Step, Callable[[dict[str, Any] | None], bool]]] = {
    "a car is sold": (_nothing, lambda m: _sell(m, 1), lambda seen: seen is not None and seen["quantity"] == 1),
    "the last car is sold": (_nothing, lambda m: _sell(m, 2), lambda seen: seen is None),
    "a restock adds cars": (_aim_higher, _restock, lambda seen: seen is not None and seen["quantity"] == 5),
    "a new markup reprices the stock": (
        _nothing,
        _new_markup,
        lambda seen: seen is not None and seen["price"] == "15000.00",
    ),
    "the dealership is renamed": (
        _nothing,
        _rename_dealership,
        lambda seen: seen is not None and seen["dealership_name"] == "Hamburg Autos",
    ),
    "the car model is renamed": (
        _nothing,
        _rename_car,
        lambda seen: seen is not None and seen["car_model"]["model"] == "Corolla Cross",
    ),
}


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_every_change_through_the_services_shows_to_buyers_at_once(auth_client, market, change: str) -> None:  # type: ignore[no-untyped-def]
    # given a buyer who has read the stock (kept)
    given, apply, shows = CHANGES[change]
    given(market)
    reader = auth_client(UserFactory())
    before = _seen(reader, market["row"])
    assert before is not None
    assert (before["quantity"], before["price"], before["unit_cost"]) == (2, "12000.00", None)
    # when the change is made
    apply(market)
    # then the buyer's next read shows it, in the list and in the detail
    assert shows(_seen(reader, market["row"]))


def test_dealers_and_staff_see_their_own_answer_beside_the_kept_one(auth_client, market) -> None:  # type: ignore[no-untyped-def]
    # given the stock kept after a buyer read it, and the car then sold out
    buyer = auth_client(UserFactory())
    assert _seen(buyer, market["row"]) is not None
    _sell(market, 2)
    # then the dealership's people still see their empty row, with its unit cost
    mine = _seen(auth_client(market["dealer"]), market["row"])
    assert mine is not None
    assert (mine["quantity"], mine["unit_cost"]) == (0, "10000.00")
    # and the market's staff see it too; the buyer no longer does
    assert _seen(auth_client(market["staff"]), market["row"]) is not None
    assert _seen(buyer, market["row"]) is None


def test_a_kept_stock_list_costs_one_read_of_the_cache_and_no_query(
    auth_client, market, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client = auth_client(UserFactory())
    first = client.get(f"{API}/stock/").json()
    with cache_reads() as reads, django_assert_num_queries(0):
        again = client.get(f"{API}/stock/").json()
    assert again == first
    assert [len(keys) for keys in reads] == [4]  # two generations, the caller's row, the list


# --- The market statistics (stats_cache): the staff's overview and supplier statistics ---------------------


def test_a_kept_overview_shows_the_next_sale_at_once(auth_client, market) -> None:  # type: ignore[no-untyped-def]
    # given the overview, read (and kept) by the market's staff
    client = auth_client(market["staff"])
    before = client.get(f"{API}/stats/overview/").json()
    # when a car is sold, and the dealership renamed
    _sell(market, 1)
    _rename_dealership(market)
    # then the next read shows both
    after = client.get(f"{API}/stats/overview/").json()
    assert (before["cars_sold"], after["cars_sold"]) == (0, 1)
    assert [row["name"] for row in after["dealerships_by_profit"]] == ["Hamburg Autos"]


def test_a_kept_supplier_statistics_shows_the_next_restock_at_once(auth_client, market) -> None:  # type: ignore[no-untyped-def]
    # given a supplier's statistics, kept
    supplier_id = SupplierSale.objects.get(dealership=market["dealership"]).supplier_id
    client = auth_client(market["staff"])
    url = f"{API}/stats/suppliers/{supplier_id}/"
    assert client.get(url).json()["units_sold"] == 2
    # when the dealership restocks from that supplier
    _aim_higher(market)
    _restock(market)
    # then the next read shows it
    assert client.get(url).json()["units_sold"] == 5


def test_the_statistics_are_kept_for_the_staff_only_and_cost_no_query_once_kept(
    auth_client, market, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    # given the overview kept after the staff read it
    staff = auth_client(market["staff"])
    first = staff.get(f"{API}/stats/overview/").json()
    # then someone else is still refused, before anything kept is read
    assert auth_client(market["dealer"]).get(f"{API}/stats/overview/").status_code == 403
    # and the staff's next read is one read of the cache and no query
    with cache_reads() as reads, django_assert_num_queries(0):
        again = staff.get(f"{API}/stats/overview/").json()
    assert again == first
    assert [len(keys) for keys in reads] == [4]  # two generations, the caller's row, the overview

"""The API under /api/dealership/: who may do what, read-only balances, filters, constant query counts."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from circulate.accounts.tests.factories import UserFactory
from circulate.dealership import services
from circulate.dealership.models import Buyer, Dealership, Offer
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

API = "/api/dealership"


@pytest.fixture
def market() -> dict[str, Any]:
    """Two dealerships with a person each, a car in stock at both, a supplier, two buyers, one offer sold."""
    staff = make_staff()
    dealer, other_dealer = make_dealer(), make_dealer()
    car = make_car_model(staff=staff, make="Toyota", model="Corolla", body_type="sedan")
    suv = make_car_model(staff=staff, make="Volvo", model="XC60", body_type="suv", year=2020)
    supplier = make_supplier(staff=staff, country="JP")
    make_price(supplier=supplier, car_model=car, price="9000", staff=staff)
    mine = make_dealership(balance="100000", staff=staff, people=[dealer], country="DE")
    theirs = make_dealership(balance="100000", staff=staff, people=[other_dealer], country="FR")
    stocked(mine, car, 2, staff=staff)
    stocked(theirs, suv, 1, staff=staff)
    buyer = make_buyer(balance="50000", staff=staff)
    other_buyer = make_buyer(balance="50000", staff=staff)
    offer = make_offer(buyer=buyer, max_price="20000", car_model=car)
    services.match_offers()
    other_offer = make_offer(buyer=other_buyer, max_price="1000", car_model=car)
    return {
        "staff": staff,
        "dealer": dealer,
        "other_dealer": other_dealer,
        "car": car,
        "suv": suv,
        "supplier": supplier,
        "mine": mine,
        "theirs": theirs,
        "buyer": buyer,
        "other_buyer": other_buyer,
        "offer": offer,
        "other_offer": other_offer,
    }


# --- Permissions ---------------------------------------------------------------------------------------------


LISTS = [
    "car-models",
    "suppliers",
    "supplier-prices",
    "supplier-discounts",
    "dealerships",
    "stock",
    "promotions",
    "buyers",
    "offers",
    "supplier-sales",
    "sales",
]


@pytest.mark.parametrize("path", [*LISTS, "buyers/me", "stats/overview", "stats/buyers/1", "stats/dealerships/1"])
def test_anonymous_callers_get_401_everywhere(api_client, path: str) -> None:  # type: ignore[no-untyped-def]
    # when / then
    assert api_client.get(f"{API}/{path}/").status_code == 401
    assert api_client.post(f"{API}/trading/run/").status_code == 401


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (
            "car-models",
            {
                "make": "Kia",
                "model": "Ceed",
                "year": 2024,
                "body_type": "hatchback",
                "fuel": "petrol",
                "power_hp": 120,
                "color": "red",
            },
        ),
        ("suppliers", {"name": "Seoul Export", "country": "KR", "founded_year": 2001}),
        ("dealerships", {"name": "New", "country": "DE"}),
    ],
)
def test_only_the_market_staff_write_the_catalogue(auth_client, market, path: str, body: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    # when a dealer and a buyer try, then the staff
    dealer_try = auth_client(market["dealer"]).post(f"{API}/{path}/", body)
    buyer_try = auth_client(market["buyer"].user).post(f"{API}/{path}/", body)
    created = auth_client(market["staff"]).post(f"{API}/{path}/", body)
    # then only the staff's worked
    assert dealer_try.status_code == 403
    assert buyer_try.status_code == 403
    assert buyer_try.json()["code"] == "permission_denied"
    assert created.status_code == 201, created.json()


def test_every_signed_in_user_reads_the_catalogue_and_countries_come_as_code_and_name(auth_client, market) -> None:  # type: ignore[no-untyped-def]
    # when a buyer reads suppliers
    response = auth_client(market["buyer"].user).get(f"{API}/suppliers/")
    # then
    assert response.status_code == 200
    assert response.json()["results"][0]["country"] == {"code": "JP", "name": "Japan"}


def test_dealer_staff_edit_their_own_dealership_but_another_is_404(auth_client, market) -> None:  # type: ignore[no-untyped-def]
    client = auth_client(market["dealer"])
    # when the dealer edits their own markup and preferences, and the other dealership
    own = client.patch(
        f"{API}/dealerships/{market['mine'].pk}/",
        {"markup_percent": "35", "preferences": {"makes": ["Toyota"], "default_target": 2}},
    )
    other = client.patch(f"{API}/dealerships/{market['theirs'].pk}/", {"markup_percent": "1"})
    # then the own edit is saved and prices follow the markup; the other is a 404
    assert own.status_code == 200, own.json()
    assert own.json()["markup_percent"] == "35.00"
    assert own.json()["preferences"] == {"makes": ["Toyota"], "default_target": 2}
    assert other.status_code == 404
    stock = client.get(f"{API}/stock/", {"dealership": market["mine"].pk}).json()["results"]
    assert stock[0]["price"] == "12150.00"  # its 9,000 cost + 35 %


def test_dealer_staff_may_not_move_their_dealership(auth_client, market) -> None:  # type: ignore[no-untyped-def]
    # when the dealer changes the country
    response = auth_client(market["dealer"]).patch(f"{API}/dealerships/{market['mine'].pk}/", {"country": "US"})
    # then
    assert response.status_code == 400
    assert response.json()["errors"] == {"country": ["Only the market's staff may change country."]}


def test_a_buyer_cannot_edit_a_dealership(auth_client, market) -> None:  # type: ignore[no-untyped-def]
    response = auth_client(market["buyer"].user).patch(f"{API}/dealerships/{market['mine'].pk}/", {"name": "Mine"})
    assert response.status_code == 403


def test_balances_and_preferences_are_shown_to_insiders_only(auth_client, market) -> None:  # type: ignore[no-untyped-def]
    # when the dealer and a buyer read the same dealership
    url = f"{API}/dealerships/{market['mine'].pk}/"
    inside = auth_client(market["dealer"]).get(url).json()
    outside = auth_client(market["buyer"].user).get(url).json()
    # then only the dealer sees money and taste
    assert inside["balance"] == str(Dealership.objects.get(pk=market["mine"].pk).balance)
    assert outside["balance"] is None
    assert outside["preferences"] is None
    assert outside["staff"] is None


def test_balances_are_read_only_in_the_api(auth_client, market) -> None:  # type: ignore[no-untyped-def]
    # when a buyer and the dealer try to write balances
    buyer = market["buyer"]
    me = auth_client(buyer.user).patch(f"{API}/buyers/me/", {"country": "FR", "balance": "999999"})
    dealer = auth_client(market["dealer"]).patch(
        f"{API}/dealerships/{market['mine'].pk}/", {"balance": "999999", "name": "Renamed"}
    )
    # then the other fields change and the balances do not
    assert me.status_code == 200
    assert dealer.status_code == 200
    assert me.json()["balance"] == str(Buyer.objects.get(pk=buyer.pk).balance)
    assert Buyer.objects.get(pk=buyer.pk).balance == Decimal("39200.00")  # 50,000 less the 10,800 car
    assert Dealership.objects.get(pk=market["mine"].pk).balance == Decimal("92800.00")


def test_a_buyer_profile_is_made_on_first_use(auth_client) -> None:  # type: ignore[no-untyped-def]
    # given a user with no buyer profile
    user = UserFactory()
    # when they read buyers/me twice
    first = auth_client(user).get(f"{API}/buyers/me/")
    second = auth_client(user).get(f"{API}/buyers/me/")
    # then one profile with balance 0
    assert first.status_code == second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert first.json()["balance"] == "0.00"
    assert first.json()["currency"] == "USD"
    assert Buyer.objects.filter(user=user).count() == 1


def test_only_a_confirmed_email_creates_offers(auth_client, market) -> None:  # type: ignore[no-untyped-def]
    # given a user whose e-mail is not confirmed
    user = UserFactory(email_verified_at=None)
    body = {"car_model": market["car"].pk, "max_price": "15000"}
    # when they make an offer
    response = auth_client(user).post(f"{API}/offers/", body)
    # then 403 email_not_verified, and nothing was made
    assert response.status_code == 403
    assert response.json()["code"] == "email_not_verified"
    assert not Offer.objects.filter(buyer__user=user).exists()
    # and a confirmed user may
    assert auth_client(UserFactory()).post(f"{API}/offers/", body).status_code == 201


def test_offers_are_the_buyers_own_and_another_buyers_is_404(auth_client, market) -> None:  # type: ignore[no-untyped-def]
    client = auth_client(market["buyer"].user)
    # when the buyer lists, reads and cancels offers
    listed = client.get(f"{API}/offers/").json()["results"]
    other = client.get(f"{API}/offers/{market['other_offer'].pk}/")
    cancel_other = client.post(f"{API}/offers/{market['other_offer'].pk}/cancel/")
    # then only their own is visible; the other buyer's is a 404
    assert [o["id"] for o in listed] == [market["offer"].pk]
    assert listed[0]["status"] == "fulfilled"
    assert listed[0]["sale"] is not None
    assert other.status_code == cancel_other.status_code == 404
    assert Offer.objects.get(pk=market["other_offer"].pk).status == "active"


def test_a_buyer_cancels_an_active_offer_once(auth_client, market) -> None:  # type: ignore[no-untyped-def]
    client = auth_client(market["other_buyer"].user)
    url = f"{API}/offers/{market['other_offer'].pk}/cancel/"
    # when cancelled twice
    first, second = client.post(url), client.post(url)
    # then
    assert first.status_code == 200
    assert first.json()["status"] == "cancelled"
    assert second.status_code == 409
    assert second.json()["code"] == "offer_not_active"


def test_staff_take_an_offer_off_the_market_and_the_buyer_is_told(auth_client, market) -> None:  # type: ignore[no-untyped-def]
    offer = market["other_offer"]
    url = f"{API}/offers/{offer.pk}/cancel/"
    # when a dealer (who may not) and then the market's staff cancel a buyer's offer
    refused = auth_client(market["dealer"]).post(url)
    cancelled = auth_client(market["staff"]).post(url)
    # then the dealer's attempt is a 404 and the staff's cancels it
    assert refused.status_code == 404
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    # and the buyer, and only the buyer, hears of it
    event = Event.objects.get(type="offer.cancelled")
    assert event.payload["offer_id"] == offer.pk
    assert list(EventRecipient.objects.filter(event=event).values_list("user_id", flat=True)) == [offer.buyer.user_id]


def test_a_buyer_cancelling_their_own_offer_tells_no_one(auth_client, market) -> None:  # type: ignore[no-untyped-def]
    response = auth_client(market["other_buyer"].user).post(f"{API}/offers/{market['other_offer'].pk}/cancel/")
    assert response.status_code == 200
    assert not Event.objects.filter(type="offer.cancelled").exists()


def test_sales_are_visible_to_the_buyer_the_dealership_and_staff_only(auth_client, market) -> None:  # type: ignore[no-untyped-def]
    def ids(user) -> list[int]:  # type: ignore[no-untyped-def]
        return [s["id"] for s in auth_client(user).get(f"{API}/sales/").json()["results"]]

    sale_id = Offer.objects.get(pk=market["offer"].pk).sale.pk
    assert ids(market["buyer"].user) == [sale_id]
    assert ids(market["dealer"]) == [sale_id]
    assert ids(market["staff"]) == [sale_id]
    assert ids(market["other_buyer"].user) == []
    assert ids(market["other_dealer"]) == []
    # and the buyer does not see what the car cost the dealership
    assert auth_client(market["buyer"].user).get(f"{API}/sales/{sale_id}/").json()["unit_cost"] is None
    assert auth_client(market["other_dealer"]).get(f"{API}/sales/{sale_id}/").status_code == 404


def test_supplier_sales_are_the_dealerships_own(auth_client, market) -> None:  # type: ignore[no-untyped-def]
    mine = auth_client(market["dealer"]).get(f"{API}/supplier-sales/").json()["results"]
    buyer = auth_client(market["buyer"].user).get(f"{API}/supplier-sales/").json()["results"]
    assert {s["dealership"] for s in mine} == {market["mine"].pk}
    assert buyer == []


def test_promotions_are_made_by_the_dealerships_people(auth_client, market) -> None:  # type: ignore[no-untyped-def]
    body = {
        "dealership": market["mine"].pk,
        "name": "Spring",
        "percent": "10",
        "starts_at": "2026-03-01T00:00:00Z",
        "ends_at": "2026-04-01T00:00:00Z",
        "car_models": [market["car"].pk],
    }
    own = auth_client(market["dealer"]).post(f"{API}/promotions/", body)
    other = auth_client(market["other_dealer"]).post(f"{API}/promotions/", body)
    buyer = auth_client(market["buyer"].user).post(f"{API}/promotions/", body)
    assert own.status_code == 201, own.json()
    assert own.json()["car_models"] == [market["car"].pk]
    assert other.status_code == 404
    assert buyer.status_code == 403
    # and another dealership's people cannot see or change it
    url = f"{API}/promotions/{own.json()['id']}/"
    assert auth_client(market["other_dealer"]).patch(url, {"percent": "50"}).status_code == 404


def test_only_staff_run_trading_now(auth_client, market) -> None:  # type: ignore[no-untyped-def]
    # given a new offer the stock can serve
    make_offer(buyer=make_buyer(balance="30000", staff=market["staff"]), max_price="20000", car_model=market["car"])
    # when the dealer and then the staff press the button
    refused = auth_client(market["dealer"]).post(f"{API}/trading/run/")
    ran = auth_client(market["staff"]).post(f"{API}/trading/run/")
    # then
    assert refused.status_code == 403
    assert ran.status_code == 200
    assert len(ran.json()["sales"]) == 1
    assert "purchases" in ran.json()


def test_supplier_price_twice_is_409(auth_client, market) -> None:  # type: ignore[no-untyped-def]
    body = {"supplier": market["supplier"].pk, "car_model": market["car"].pk, "price": "8000"}
    response = auth_client(market["staff"]).post(f"{API}/supplier-prices/", body)
    assert response.status_code == 409
    assert response.json()["code"] == "price_exists"


def test_bad_offer_input_is_400(auth_client, market) -> None:  # type: ignore[no-untyped-def]
    client = auth_client(market["buyer"].user)
    nothing = client.post(f"{API}/offers/", {"max_price": "100"})
    bad_key = client.post(f"{API}/offers/", {"max_price": "100", "criteria": {"wheels": 4}})
    bad_fuel = client.post(f"{API}/offers/", {"max_price": "100", "criteria": {"fuels": ["steam"]}})
    assert [r.status_code for r in (nothing, bad_key, bad_fuel)] == [400, 400, 400]
    assert bad_fuel.json()["errors"]["criteria"]


# --- Filters -------------------------------------------------------------------------------------------------


def test_stock_filters(auth_client, market) -> None:  # type: ignore[no-untyped-def]
    client = auth_client(market["buyer"].user)

    def ids(**params: Any) -> list[int]:
        return [row["car_model"]["id"] for row in client.get(f"{API}/stock/", params).json()["results"]]

    assert ids(make="volvo") == [market["suv"].pk]
    assert ids(country="DE") == [market["car"].pk]  # one of two Corollas left in Germany
    assert ids(body_type="suv") == [market["suv"].pk]
    assert ids(price_max="11000") == [market["car"].pk]  # 10,800 against the Volvo's 12,000
    assert ids(price_min="11000", price_max="12000") == [market["suv"].pk]
    assert ids(search="XC6") == [market["suv"].pk]
    assert client.get(f"{API}/stock/", {"dealership": "x"}).status_code == 400


def test_car_model_filters_and_ordering(auth_client, market) -> None:  # type: ignore[no-untyped-def]
    client = auth_client(market["buyer"].user)

    def ids(**params: Any) -> list[int]:
        return [row["id"] for row in client.get(f"{API}/car-models/", params).json()["results"]]

    assert ids(make="toyota") == [market["car"].pk]
    assert ids(year_max=2021) == [market["suv"].pk]
    assert ids(fuel="petrol", ordering="year") == [market["suv"].pk, market["car"].pk]
    assert client.get(f"{API}/car-models/", {"ordering": "nope"}).status_code == 400


def test_sales_filter_by_dates_and_parties(auth_client, market) -> None:  # type: ignore[no-untyped-def]
    client = auth_client(market["staff"])
    assert len(client.get(f"{API}/sales/", {"dealership": market["mine"].pk}).json()["results"]) == 1
    assert client.get(f"{API}/sales/", {"sold_after": "2100-01-01T00:00:00Z"}).json()["results"] == []
    assert len(client.get(f"{API}/sales/", {"buyer": market["buyer"].pk}).json()["results"]) == 1
    assert len(client.get(f"{API}/supplier-sales/", {"supplier": market["supplier"].pk}).json()["results"]) == 1
    assert client.get(f"{API}/offers/", {"status": "active"}).json()["count"] == 1


# --- Query counts ----------------------------------------------------------------------------------------


def _grow(staff: Any) -> None:
    """One more of everything: car model, supplier with price and discount, dealership with stock and promotion."""
    car = make_car_model(staff=staff)
    supplier = make_supplier(staff=staff)
    make_price(supplier=supplier, car_model=car, price="5000", staff=staff)
    services.create_supplier_discount(
        actor=staff, supplier_id=supplier.pk, kind="loyalty", percent=Decimal(5), min_units=1, car_models=[car.pk]
    )
    dealership = make_dealership(balance="50000", staff=staff, people=[make_dealer()])
    stocked(dealership, car, 2, staff=staff)
    services.create_promotion(
        actor=staff,
        dealership_id=dealership.pk,
        percent=Decimal(5),
        starts_at=datetime(2026, 1, 1, tzinfo=UTC),
        ends_at=datetime(2027, 1, 1, tzinfo=UTC),
        car_models=[car.pk],
    )
    make_offer(buyer=make_buyer(balance="50000", staff=staff), max_price="9000", car_model=car)
    services.match_offers()


@pytest.mark.parametrize("who", ["staff", "dealer"])
def test_lists_take_a_constant_number_of_queries(  # type: ignore[no-untyped-def]
    auth_client, market, django_assert_max_num_queries, who: str
) -> None:
    # given a measurement of every list with one more of everything
    _grow(market["staff"])
    client = auth_client(market[who])
    counts = {}
    for path in LISTS:
        with CaptureQueriesContext(connection) as few:
            assert client.get(f"{API}/{path}/").status_code == 200
        counts[path] = len(few.captured_queries)
    # when the market has more rows of every kind
    _grow(market["staff"])
    _grow(market["staff"])
    # then every list takes no more queries
    for path in LISTS:
        with django_assert_max_num_queries(counts[path]):
            assert client.get(f"{API}/{path}/").status_code == 200


def test_only_the_market_staff_set_prices_and_discounts(auth_client, market) -> None:  # type: ignore[no-untyped-def]
    # given a new car model
    car = make_car_model(staff=market["staff"])
    price = {"supplier": market["supplier"].pk, "car_model": car.pk, "price": "7000"}
    discount = {"supplier": market["supplier"].pk, "kind": "loyalty", "percent": "5", "min_units": 3}
    for path, body in (("supplier-prices", price), ("supplier-discounts", discount)):
        # when a dealer and a buyer try, then the staff
        dealer_try = auth_client(market["dealer"]).post(f"{API}/{path}/", body)
        buyer_try = auth_client(market["buyer"].user).post(f"{API}/{path}/", body)
        created = auth_client(market["staff"]).post(f"{API}/{path}/", body)
        # then
        assert dealer_try.status_code == 403
        assert buyer_try.status_code == 403
        assert created.status_code == 201, created.json()


def test_a_new_offer_is_told_to_the_dealers_whose_stock_could_serve_it(auth_client, market) -> None:  # type: ignore[no-untyped-def]
    # given the German dealership has the Corolla at 10,800, the French one only an SUV
    buyer = make_buyer(balance="50000", staff=market["staff"])
    # when a buyer asks for a Corolla up to 11,000
    response = auth_client(buyer.user).post(f"{API}/offers/", {"car_model": market["car"].pk, "max_price": "11000"})
    # then the German dealer is told, the French one is not
    assert response.status_code == 201
    event = Event.objects.filter(type="offer.created").latest("pk")
    assert event.payload["offer_id"] == response.json()["id"]
    assert list(EventRecipient.objects.filter(event=event).values_list("user_id", flat=True)) == [market["dealer"].pk]

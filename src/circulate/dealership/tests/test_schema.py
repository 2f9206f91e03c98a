"""The documented answers of /api/dealership/ match what it really returns (schemathesis found these in CI)."""

from __future__ import annotations

from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator

from circulate.dealership.tests.factories import make_buyer, make_car_model, make_offer, make_staff, make_supplier

pytestmark = pytest.mark.django_db

API = "/api/dealership"


@pytest.fixture(scope="module")
def components(django_db_blocker: Any) -> dict[str, Any]:
    with django_db_blocker.unblock():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    return dict(schema["components"]["schemas"])


def test_an_offer_by_criteria_has_no_car_model_and_the_schema_allows_null(auth_client, components) -> None:  # type: ignore[no-untyped-def]
    # given an offer that names characteristics, not a car model
    buyer = make_buyer(balance="50000")
    make_offer(buyer=buyer, max_price="40000", criteria={"fuels": ["hybrid"]})
    # when
    response = auth_client(buyer.user).get(f"{API}/offers/")
    # then
    assert response.status_code == 200
    assert response.json()["results"][0]["car_model"] is None
    assert components["Offer"]["properties"]["car_model"]["nullable"] is True


def test_a_buyer_without_a_country_reads_null_and_the_schema_allows_it(auth_client, components) -> None:  # type: ignore[no-untyped-def]
    # given a buyer who never named a country
    buyer = make_buyer()
    # when
    response = auth_client(buyer.user).get(f"{API}/buyers/me/")
    # then
    assert response.status_code == 200
    assert response.json()["country"] is None
    assert components["Buyer"]["properties"]["country"]["nullable"] is True


def test_a_supplier_without_an_e_mail_reads_empty_and_the_schema_allows_it(auth_client, components) -> None:  # type: ignore[no-untyped-def]
    # given a supplier without a contact e-mail
    staff = make_staff()
    make_supplier(staff=staff, email="")
    make_car_model(staff=staff)
    # when
    response = auth_client(staff).get(f"{API}/suppliers/")
    # then
    assert response.status_code == 200
    assert response.json()["results"][0]["email"] == ""
    email = components["Supplier"]["properties"]["email"]
    assert email["type"] == "string"
    assert "format" not in email


@pytest.mark.parametrize("country", [{}, {"code": ""}, ""])
def test_a_supplier_or_dealership_must_name_a_country(auth_client, country) -> None:  # type: ignore[no-untyped-def]
    # given the market's staff (schemathesis once created a supplier from country {}: it read "")
    client = auth_client(make_staff())
    supplier = {"name": "Nowhere Motors", "country": country, "founded_year": 1990}
    dealership = {"name": "Nowhere Cars", "country": country}
    # when
    answers = [
        client.post("/api/dealership/suppliers/", supplier, format="json"),
        client.post("/api/dealership/dealerships/", dealership, format="json"),
    ]
    # then each is refused naming the country, and nothing was created
    for answer in answers:
        assert answer.status_code == 400, answer.content
        assert "country" in answer.json()["errors"]

"""OpenAPI pieces of the dealership market: its error examples and the example bodies."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse

from circulate.core.schema import error_responses

_ERROR_EXAMPLES: dict[int, tuple[str, dict[str, Any]]] = {
    400: (
        "Invalid input",
        {
            "detail": "Invalid input: check max_price.",
            "code": "invalid",
            "errors": {"max_price": ["Ensure this value is greater than or equal to 0.01."]},
        },
    ),
    401: (
        "Not signed in",
        {"detail": "Authentication credentials were not provided.", "code": "not_authenticated", "errors": {}},
    ),
    403: (
        "Not allowed",
        {"detail": "Only the market's staff may add car models.", "code": "permission_denied", "errors": {}},
    ),
    404: ("Unknown or not yours", {"detail": "No offer with id 12.", "code": "not_found", "errors": {}}),
    409: (
        "Refused by a rule of the market",
        {"detail": "Offer #12 is fulfilled.", "code": "offer_not_active", "errors": {}},
    ),
}

EMAIL_NOT_VERIFIED_EXAMPLE = {
    "detail": "Confirm your e-mail address first: open the link in the confirmation e-mail, "
    "or ask for a new one with POST /api/auth/email/resend/.",
    "code": "email_not_verified",
    "errors": {},
}


def errors(*statuses: int, conflict: str | None = None) -> dict[int, OpenApiResponse]:
    return error_responses(
        *statuses,
        examples=_ERROR_EXAMPLES,
        descriptions={409: "Refused by a rule of the market (the code and detail say which)."},
        conflict=conflict,
    )


CAR_MODEL = {
    "id": 7,
    "make": "Toyota",
    "model": "Corolla",
    "year": 2023,
    "body_type": "sedan",
    "fuel": "hybrid",
    "transmission": "automatic",
    "drive": "fwd",
    "engine_volume_l": "1.8",
    "power_hp": 140,
    "color": "white",
    "created_at": "2026-05-01T09:00:00Z",
    "updated_at": "2026-05-01T09:00:00Z",
}
CAR_BRIEF = {k: CAR_MODEL[k] for k in ("id", "make", "model", "year", "body_type", "fuel", "transmission", "color")}
SUPPLIER = {
    "id": 2,
    "name": "Nagoya Motors Export",
    "country": {"code": "JP", "name": "Japan"},
    "founded_year": 1987,
    "description": "Toyota and Honda for export.",
    "email": "sales@nagoya-motors.example",
    "created_at": "2026-05-01T09:00:00Z",
    "updated_at": "2026-05-01T09:00:00Z",
}
SUPPLIER_CAR = {
    "id": 31,
    "supplier": 2,
    "supplier_name": "Nagoya Motors Export",
    "car_model": CAR_BRIEF,
    "price": "21500.00",
    "currency": "USD",
    "created_at": "2026-05-01T09:00:00Z",
    "updated_at": "2026-05-01T09:00:00Z",
}
DISCOUNT = {
    "id": 4,
    "supplier": 2,
    "name": "Loyal partners",
    "kind": "loyalty",
    "percent": "5.00",
    "min_units": 10,
    "starts_at": None,
    "ends_at": None,
    "car_models": [],
    "created_at": "2026-05-01T09:00:00Z",
    "updated_at": "2026-05-01T09:00:00Z",
}
DEALERSHIP = {
    "id": 1,
    "name": "Berlin Auto Haus",
    "country": {"code": "DE", "name": "Germany"},
    "city": "Berlin",
    "markup_percent": "18.00",
    "balance": "412300.00",
    "currency": "USD",
    "preferences": {"makes": ["Toyota", "Volkswagen"], "year_min": 2020, "default_target": 2, "target_stock": {"7": 4}},
    "staff": [4],
    "created_at": "2026-05-01T09:00:00Z",
    "updated_at": "2026-06-01T09:00:00Z",
}
STOCK = {
    "id": 55,
    "dealership": 1,
    "dealership_name": "Berlin Auto Haus",
    "country": {"code": "DE", "name": "Germany"},
    "car_model": CAR_BRIEF,
    "quantity": 3,
    "price": "25370.00",
    "unit_cost": "21500.00",
    "currency": "USD",
    "updated_at": "2026-06-01T09:10:00Z",
}
PROMOTION = {
    "id": 3,
    "dealership": 1,
    "name": "Summer hybrids",
    "percent": "7.50",
    "starts_at": "2026-06-01T00:00:00Z",
    "ends_at": "2026-07-01T00:00:00Z",
    "car_models": [7],
    "created_at": "2026-05-20T09:00:00Z",
}
BUYER = {
    "id": 9,
    "email": "alice@circulate.local",
    "country": {"code": "FR", "name": "France"},
    "balance": "38000.00",
    "currency": "USD",
    "created_at": "2026-05-01T09:00:00Z",
}
OFFER = {
    "id": 12,
    "buyer": 9,
    "car_model": CAR_BRIEF,
    "criteria": {},
    "max_price": "26000.00",
    "currency": "USD",
    "status": "fulfilled",
    "sale": 301,
    "created_at": "2026-06-01T08:00:00Z",
    "fulfilled_at": "2026-06-01T08:01:00Z",
    "cancelled_at": None,
}
SUPPLIER_SALE = {
    "id": 88,
    "supplier": 2,
    "supplier_name": "Nagoya Motors Export",
    "dealership": 1,
    "dealership_name": "Berlin Auto Haus",
    "car_model": CAR_BRIEF,
    "quantity": 3,
    "list_price": "21500.00",
    "discount_percent": "5.00",
    "unit_price": "20425.00",
    "discount_total": "3225.00",
    "total": "61275.00",
    "currency": "USD",
    "sold_at": "2026-06-01T09:10:00Z",
}
SALE = {
    "id": 301,
    "dealership": 1,
    "dealership_name": "Berlin Auto Haus",
    "buyer": 9,
    "buyer_email": "alice@circulate.local",
    "offer": 12,
    "car_model": CAR_BRIEF,
    "list_price": "25370.00",
    "discount_percent": "7.50",
    "price": "23467.25",
    "unit_cost": "21500.00",
    "currency": "USD",
    "sold_at": "2026-06-01T08:01:00Z",
}

"""The OpenAPI schema documents every answer an operation can give (schemathesis checks it live in CI)."""

from __future__ import annotations

from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return dict(SchemaGenerator().get_schema(request=None, public=True))


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def test_every_operation_documents_401_and_429(schema: dict[str, Any]) -> None:
    missing = [f"{m} {p}" for m, p, op in operations(schema) if not {"401", "429"} <= set(op["responses"])]
    assert missing == []


def test_every_list_documents_the_404_of_a_page_past_the_last(schema: dict[str, Any]) -> None:
    # given every operation with a page or cursor parameter
    paged = [
        (m, p, op)
        for m, p, op in operations(schema)
        if {"page", "cursor"} & {param["name"] for param in op.get("parameters", [])}
    ]
    # then
    assert len(paged) > 10
    assert [f"{m} {p}" for m, p, op in paged if "404" not in op["responses"]] == []


def test_every_page_size_is_bounded(schema: dict[str, Any]) -> None:
    sizes = [
        param["schema"]
        for _, _, op in operations(schema)
        for param in op.get("parameters", [])
        if param["name"] == "page_size"
    ]
    assert sizes
    assert all(size == {"type": "integer", "minimum": 1, "maximum": 100} for size in sizes)


@pytest.mark.parametrize(
    "path",
    [
        "/api/library/books/{id}/like/",
        "/api/library/loans/{id}/renew/",
        "/api/library/loans/{id}/return/",
        "/api/library/reservations/{id}/cancel/",
    ],
)
def test_the_actions_document_their_403(schema: dict[str, Any], path: str) -> None:
    assert "403" in schema["paths"][path]["post"]["responses"]


def test_every_unsafe_operation_documents_the_csrf_403_and_the_413(schema: dict[str, Any]) -> None:
    unsafe = [(m, p, op) for m, p, op in operations(schema) if m != "get"]
    assert [f"{m} {p}" for m, p, op in unsafe if not {"403", "413"} <= set(op["responses"])] == []


def test_an_operation_s_own_description_of_a_status_is_kept(schema: dict[str, Any]) -> None:
    # the loans list documents its own 400 (a bad filter), which the shared answers do not replace
    response = schema["paths"]["/api/library/loans/"]["post"]["responses"]["409"]
    assert "examples" in response["content"]["application/json"]


def test_a_walk_in_member_s_empty_email_is_documented(schema: dict[str, Any]) -> None:
    # given
    email = schema["components"]["schemas"]["Member"]["properties"]["email"]
    # then an address or ""
    assert {"type": "string", "format": "email"} in email["oneOf"]
    assert {"type": "string", "maxLength": 0} in email["oneOf"]

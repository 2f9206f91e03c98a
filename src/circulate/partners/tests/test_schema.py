"""The partner calls document their 503: `make conformance` accepts a 5xx only where the schema documents it."""

from __future__ import annotations

from typing import Any

import pytest
from conformance.__main__ import documented_server_errors
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db


def test_only_the_calls_to_a_branch_document_a_503_partner_unavailable() -> None:
    # given the schema the live server serves
    schema: dict[str, Any] = dict(SchemaGenerator().get_schema(request=None, public=True))
    # when
    documented = documented_server_errors(schema)
    # then
    assert documented == {
        ("POST", "/api/library/books/{book_id}/partner-reservations/"): ["503"],
        ("POST", "/api/partners/reservations/{id}/cancel/"): ["503"],
    }
    reserve = schema["paths"]["/api/library/books/{book_id}/partner-reservations/"]["post"]["responses"]["503"]
    example = next(iter(reserve["content"]["application/json"]["examples"].values()))
    assert example["value"]["code"] == "partner_unavailable"

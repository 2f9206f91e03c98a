"""Every account endpoint is in the OpenAPI schema with examples and its error responses."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    ("/api/auth/register/", "post"): {"201", "400", "429"},
    ("/api/auth/email/confirm/", "post"): {"200", "400", "409"},
    ("/api/auth/email/resend/", "post"): {"202", "401", "409", "429"},
    ("/api/auth/email/change/", "post"): {"202", "400", "401", "429"},
    ("/api/auth/login/", "post"): {"200", "400", "401", "429"},
    ("/api/auth/logout/", "post"): {"204", "400", "401"},
    ("/api/auth/token/refresh/", "post"): {"200", "400", "401"},
    ("/api/auth/token/verify/", "post"): {"200", "400", "401"},
    ("/api/auth/me/", "get"): {"200", "401"},
    ("/api/auth/me/", "patch"): {"200", "400", "401"},
    ("/api/auth/password/change/", "post"): {"200", "400", "401", "429"},
    ("/api/auth/password/reset/", "post"): {"202", "400", "429"},
    ("/api/auth/password/reset/confirm/", "post"): {"200", "400", "429"},
    ("/api/dev/outbox/", "get"): {"200", "401", "403", "404"},
}


@pytest.fixture(scope="module")
def schema(django_db_blocker: Any) -> dict[str, Any]:
    with django_db_blocker.unblock():
        response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    return dict(response.json())


@pytest.mark.parametrize(("path", "method"), list(ENDPOINTS))
def test_endpoint_is_documented_with_examples_and_errors(schema: dict[str, Any], path: str, method: str) -> None:
    # given
    operation = schema["paths"][path][method]
    # then
    # its own answers (the answers every operation shares are added by core.schema.document_shared_answers)
    assert ENDPOINTS[(path, method)] <= set(operation["responses"])
    for status, response in operation["responses"].items():
        if status != "204":
            assert response["content"]["application/json"]["examples"], (path, method, status)
    if "requestBody" in operation:
        assert operation["requestBody"]["content"]["application/json"]["examples"]

"""Every error answers the one JSON shape; bad input is never a 500."""

import pytest
from psycopg_pool import PoolTimeout
from rest_framework.test import APIClient

from circulate.core.errors import api_exception_handler

pytestmark = [pytest.mark.django_db, pytest.mark.urls("circulate.core.tests.urls")]


def assert_error_shape(body: dict) -> None:
    assert set(body) == {"detail", "code", "errors", "request_id"}
    assert body["request_id"]
    assert isinstance(body["detail"], str)
    assert body["detail"]
    assert isinstance(body["errors"], dict)


def test_field_errors_are_listed_per_field(api_client: APIClient) -> None:
    # when
    response = api_client.post("/api/echo/", {"title": "x" * 20, "copies": 0}, format="json")
    # then
    assert response.status_code == 400
    body = response.json()
    assert_error_shape(body)
    assert body["code"] == "invalid"
    assert set(body["errors"]) == {"title", "copies"}
    assert "title" in body["detail"]


def test_malformed_json_is_a_clear_400(api_client: APIClient) -> None:
    response = api_client.generic("POST", "/api/echo/", '{"title": "a",', content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert_error_shape(body)
    assert body["code"] == "parse_error"
    assert "JSON" in body["detail"]


def test_domain_error_is_a_409_with_its_message(api_client: APIClient) -> None:
    response = api_client.post("/api/echo/", {"title": "a", "copies": 4}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert_error_shape(body)
    assert body == {
        "detail": "You may hold at most 3 copies.",
        "code": "limit_reached",
        "errors": {},
        "request_id": response["X-Request-ID"],
    }


def test_unsupported_method_is_405(api_client: APIClient) -> None:
    response = api_client.delete("/api/echo/")
    assert response.status_code == 405
    assert_error_shape(response.json())
    assert response.json()["code"] == "method_not_allowed"


def test_missing_credentials_is_401(api_client: APIClient) -> None:
    response = api_client.get("/api/private/")
    assert response.status_code == 401
    assert_error_shape(response.json())
    assert response.json()["code"] == "not_authenticated"


def test_invalid_token_is_401_with_the_token_code(api_client: APIClient) -> None:
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    response = api_client.get("/api/private/")
    assert response.status_code == 401
    body = response.json()
    assert_error_shape(body)
    assert body["code"] == "token_not_valid"
    assert body["errors"] == {}


def test_unknown_api_path_is_json_404(api_client: APIClient) -> None:
    response = api_client.get("/api/no/such/thing/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {
        "detail": "Not found.",
        "code": "not_found",
        "errors": {},
        "request_id": response["X-Request-ID"],
    }


def test_server_error_under_api_is_json_500() -> None:
    client = APIClient(raise_request_exception=False)
    response = client.get("/api/crash/")
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    assert response.json()["request_id"] == response["X-Request-ID"]


def test_a_database_pool_timeout_is_a_503_with_retry_after() -> None:
    # when no pooled connection frees up in time
    response = api_exception_handler(PoolTimeout("couldn't get a connection after 10.00 sec"), {})
    # then the client is told to come back, in the one error shape
    assert response is not None
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert response.data == {
        "detail": "The server is busy; try again in a moment.",
        "code": "server_busy",
        "errors": {},
    }

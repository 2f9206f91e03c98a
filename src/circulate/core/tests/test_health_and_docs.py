"""Probes, API documentation (served offline) and the admin answer."""

from unittest import mock

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_liveness() -> None:
    response = Client().get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readiness_checks_database_cache_and_broker() -> None:
    response = Client().get("/health/ready/")
    assert response.status_code == 200, response.content
    assert response.json()["checks"] == {"database": "ok", "cache": "ok", "broker": "ok"}


def test_readiness_names_what_is_down() -> None:
    # given a broker that refuses connections
    with mock.patch("circulate.core.views._check_broker", side_effect=ConnectionRefusedError("refused")):
        from circulate.core import views

        with mock.patch.dict(views.CHECKS, {"broker": views._check_broker}):
            response = Client().get("/health/ready/")
    # then
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["broker"].startswith("down")
    assert body["checks"]["database"] == "ok"
    assert "broker" in body["detail"]


def test_schema_is_openapi_3() -> None:
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_docs_pages_use_local_assets(path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn." not in html
    assert "unpkg" not in html


def test_docs_assets_are_served_by_the_app() -> None:
    html = Client().get("/api/docs/").content.decode()
    asset = html.split('src="', 1)[1].split('"', 1)[0] if 'src="/static/' in html else None
    assert asset is not None
    assert Client().get(asset).status_code == 200


@pytest.mark.parametrize(("path", "target"), [("/swagger/", "/api/docs/"), ("/redoc/", "/api/redoc/")])
def test_convenience_redirects(path: str, target: str) -> None:
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"] == target


def test_admin_login_page() -> None:
    assert Client().get("/admin/login/").status_code == 200

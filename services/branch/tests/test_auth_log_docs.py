from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, select

from circulate_branch.models import RequestLog


def test_without_the_token_every_api_path_is_401(client: FlaskClient) -> None:
    # when
    missing = client.get("/status/9780441013593")
    wrong = client.post("/reserve", json={}, headers={"Authorization": "Bearer nope"})

    # then
    assert missing.status_code == wrong.status_code == 401
    assert missing.json == {
        "detail": "Give the branch's API token as Authorization: Bearer <token>.",
        "code": "unauthorized",
        "errors": {},
    }
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")


def test_probes_and_docs_need_no_token(client: FlaskClient) -> None:
    # when
    health = client.get("/health")
    ready = client.get("/health/ready")
    spec = client.get("/openapi.json")
    page = client.get("/docs/")
    asset = client.get("/docs/swagger-ui-bundle.js")

    # then
    assert (health.status_code, ready.status_code, spec.status_code, page.status_code) == (200, 200, 200, 200)
    assert spec.json is not None
    assert {"/status/{isbn}", "/reserve", "/reservations/{id}", "/reservations/{id}/cancel"} <= set(spec.json["paths"])
    assert b"swagger-ui-bundle.js" in page.data
    assert asset.status_code == 200
    asset.close()


def test_every_request_is_written_to_the_request_log(
    client: FlaskClient, auth: dict[str, str], engine: Engine, app: Flask
) -> None:
    # when
    client.get("/status/9780000000001", headers={**auth, "X-Request-ID": "req-1"})
    client.get("/health")
    client.get("/status/9780000000001")

    # then
    with app.extensions["branch"]["sessions"]() as session:
        rows = session.scalars(select(RequestLog).order_by(RequestLog.id)).all()
        logged = [(r.method, r.path, r.status, r.client, r.request_id) for r in rows]
        assert all(r.duration_ms >= 0 and r.created_at.tzinfo is not None for r in rows)
    assert logged == [
        ("GET", "/status/9780000000001", 404, "127.0.0.1", "req-1"),
        ("GET", "/health", 200, "127.0.0.1", ""),
        ("GET", "/status/9780000000001", 401, "127.0.0.1", ""),
    ]


def test_staff_read_the_newest_log_entries(client: FlaskClient, auth: dict[str, str]) -> None:
    # given
    client.get("/health")

    # when
    response = client.get("/requests?limit=1", headers=auth)

    # then
    assert response.status_code == 200
    assert response.json is not None
    assert [(e["method"], e["path"], e["status"]) for e in response.json["results"]] == [("GET", "/health", 200)]


def test_migrations_are_applied_on_start_and_again_without_harm(app: Flask, engine: Engine) -> None:
    # given an app already started (and migrated) on this database
    from circulate_branch import create_app

    # when
    again = create_app(app.extensions["branch"]["settings"], engine=engine)

    # then
    assert again.test_client().get("/health/ready").status_code == 200

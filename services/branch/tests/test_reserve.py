from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient

from circulate_branch.models import utcnow
from circulate_branch.services import expire_pickups, mark_ready

ISBN = "9780441013593"


def test_reserve_takes_a_copy_and_answers_201(client: FlaskClient, auth: dict[str, str], stock: Any) -> None:
    # given
    stock(copies=1)

    # when
    response = client.post("/reserve", json={"isbn": ISBN, "member_ref": "m-7", "pickup_days": 3}, headers=auth)

    # then
    assert response.status_code == 201
    data = response.json
    assert data is not None
    assert data["status"] == "pending"
    assert (data["isbn"], data["member_ref"], data["pickup_days"], data["requesting_library"]) == (
        ISBN,
        "m-7",
        3,
        "circulate",
    )
    assert response.headers["Location"] == f"/reservations/{data['id']}"
    assert client.get(f"/status/{ISBN}", headers=auth).json["copies_available"] == 0  # type: ignore[index]


def test_no_copy_left_is_409(client: FlaskClient, auth: dict[str, str], stock: Any) -> None:
    # given
    stock(copies=1)
    client.post("/reserve", json={"isbn": ISBN, "member_ref": "m-1"}, headers=auth)

    # when
    response = client.post("/reserve", json={"isbn": ISBN, "member_ref": "m-2"}, headers=auth)

    # then
    assert response.status_code == 409
    assert response.json is not None
    assert response.json["code"] == "no_copies"


def test_unknown_book_is_404(client: FlaskClient, auth: dict[str, str]) -> None:
    # when
    response = client.post("/reserve", json={"isbn": ISBN, "member_ref": "m-1"}, headers=auth)

    # then
    assert response.status_code == 404


def test_invalid_body_is_422_naming_each_field(client: FlaskClient, auth: dict[str, str]) -> None:
    # when
    response = client.post("/reserve", json={"isbn": "12", "pickup_days": 0, "colour": "red"}, headers=auth)

    # then
    assert response.status_code == 422
    data = response.json
    assert data is not None
    assert data["code"] == "invalid"
    assert sorted(data["errors"]) == ["colour", "isbn", "member_ref", "pickup_days"]
    assert data["errors"]["member_ref"] == ["This field is required."]


def test_a_body_that_is_not_an_object_is_422(client: FlaskClient, auth: dict[str, str]) -> None:
    # when
    response = client.post("/reserve", data="[1]", content_type="application/json", headers=auth)

    # then
    assert response.status_code == 422
    assert response.json is not None
    assert list(response.json["errors"]) == ["non_field_errors"]


def test_a_retry_with_the_same_key_never_reserves_twice(client: FlaskClient, auth: dict[str, str], stock: Any) -> None:
    # given
    stock(copies=2)
    headers = {**auth, "Idempotency-Key": "k-1"}
    first = client.post("/reserve", json={"isbn": ISBN, "member_ref": "m-1"}, headers=headers)

    # when
    retry = client.post("/reserve", json={"isbn": ISBN, "member_ref": "m-1"}, headers=headers)

    # then
    assert first.status_code == retry.status_code == 201
    assert retry.json == first.json
    assert retry.headers["Idempotent-Replayed"] == "true"
    status = client.get(f"/status/{ISBN}", headers=auth).json
    assert status is not None
    assert (status["copies_available"], status["holds"]) == (1, 1)


def test_a_key_reused_for_another_reservation_is_422(client: FlaskClient, auth: dict[str, str], stock: Any) -> None:
    # given
    stock(copies=2)
    headers = {**auth, "Idempotency-Key": "k-1"}
    client.post("/reserve", json={"isbn": ISBN, "member_ref": "m-1"}, headers=headers)

    # when
    response = client.post("/reserve", json={"isbn": ISBN, "member_ref": "m-2"}, headers=headers)

    # then
    assert response.status_code == 422
    assert response.json is not None
    assert response.json["code"] == "idempotency_key_reused"


def test_cancel_returns_the_copy_and_is_safe_to_repeat(client: FlaskClient, auth: dict[str, str], stock: Any) -> None:
    # given
    stock(copies=1)
    reservation = client.post("/reserve", json={"isbn": ISBN, "member_ref": "m-1"}, headers=auth).json
    assert reservation is not None

    # when
    cancelled = client.post(f"/reservations/{reservation['id']}/cancel", headers=auth)
    again = client.post(f"/reservations/{reservation['id']}/cancel", headers=auth)

    # then
    assert cancelled.status_code == again.status_code == 200
    assert again.json is not None
    assert again.json["status"] == "cancelled"
    status = client.get(f"/status/{ISBN}", headers=auth).json
    assert status is not None
    assert (status["copies_available"], status["holds"]) == (1, 0)


def test_ready_then_collected(client: FlaskClient, auth: dict[str, str], stock: Any) -> None:
    # given
    stock(copies=1)
    reservation = client.post("/reserve", json={"isbn": ISBN, "member_ref": "m-1", "pickup_days": 2}, headers=auth).json
    assert reservation is not None
    rid = reservation["id"]

    # when
    ready = client.post(f"/reservations/{rid}/ready", headers=auth)
    collected = client.post(f"/reservations/{rid}/collect", headers=auth)
    cancel_after = client.post(f"/reservations/{rid}/cancel", headers=auth)

    # then
    assert ready.status_code == 200
    assert ready.json is not None
    assert ready.json["status"] == "ready"
    assert ready.json["pickup_until"] is not None
    assert collected.json is not None
    assert collected.json["status"] == "collected"
    assert client.get(f"/reservations/{rid}", headers=auth).json["status"] == "collected"  # type: ignore[index]
    assert cancel_after.status_code == 409
    assert cancel_after.json is not None
    assert cancel_after.json["code"] == "invalid_status"


def test_unknown_reservation_is_404(client: FlaskClient, auth: dict[str, str]) -> None:
    # when
    response = client.get("/reservations/999", headers=auth)
    cancel = client.post("/reservations/999/cancel", headers=auth)

    # then
    assert response.status_code == cancel.status_code == 404


def test_an_uncollected_reservation_expires_and_its_copy_returns(
    client: FlaskClient, auth: dict[str, str], stock: Any, app: Any
) -> None:
    # given a ready reservation whose pickup window has passed, and one still pending
    stock(copies=2)
    late = client.post("/reserve", json={"isbn": ISBN, "member_ref": "m-1", "pickup_days": 1}, headers=auth).json
    waiting = client.post("/reserve", json={"isbn": ISBN, "member_ref": "m-2"}, headers=auth).json
    assert late is not None
    assert waiting is not None
    sessions = app.extensions["branch"]["sessions"]
    mark_ready(sessions, reservation_id=late["id"], now=utcnow() - timedelta(days=2))

    # when
    expired = expire_pickups(sessions)

    # then
    assert expired == 1
    assert client.get(f"/reservations/{late['id']}", headers=auth).json["status"] == "cancelled"  # type: ignore[index]
    assert client.get(f"/reservations/{waiting['id']}", headers=auth).json["status"] == "pending"  # type: ignore[index]
    status = client.get(f"/status/{ISBN}", headers=auth).json
    assert status is not None
    assert (status["copies_available"], status["holds"]) == (1, 1)

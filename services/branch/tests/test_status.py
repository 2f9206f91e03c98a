from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient


def test_status_answers_from_the_branch_database(client: FlaskClient, auth: dict[str, str], stock: Any) -> None:
    # given
    stock(isbn="9780441013593", title="Dune", copies=3)
    client.post("/reserve", json={"isbn": "9780441013593", "member_ref": "m-1"}, headers=auth)

    # when
    response = client.get("/status/978-0-441-01359-3", headers=auth)

    # then
    assert response.status_code == 200
    data = response.json
    assert data is not None
    assert {k: data[k] for k in ("isbn", "title", "copies_total", "copies_available", "holds")} == {
        "isbn": "9780441013593",
        "title": "Dune",
        "copies_total": 3,
        "copies_available": 2,
        "holds": 1,
    }
    assert data["updated_at"].endswith("+00:00")


def test_unknown_isbn_is_404_in_the_error_shape(client: FlaskClient, auth: dict[str, str]) -> None:
    # when
    response = client.get("/status/9780000000001", headers=auth)

    # then
    assert response.status_code == 404
    assert response.json == {
        "detail": "This branch holds no book with ISBN 9780000000001.",
        "code": "not_found",
        "errors": {},
    }


def test_a_malformed_isbn_is_422(client: FlaskClient, auth: dict[str, str]) -> None:
    # when
    response = client.get("/status/not-an-isbn", headers=auth)

    # then
    assert response.status_code == 422
    assert response.json is not None
    assert list(response.json["errors"]) == ["isbn"]


def test_staff_cannot_own_fewer_copies_than_are_held(client: FlaskClient, auth: dict[str, str], stock: Any) -> None:
    # given
    stock(copies=2)
    client.post("/reserve", json={"isbn": "9780441013593", "member_ref": "m-1"}, headers=auth)
    client.post("/reserve", json={"isbn": "9780441013593", "member_ref": "m-2"}, headers=auth)

    # when
    refused = client.put("/books/9780441013593", json={"title": "Dune", "copies_total": 1}, headers=auth)
    grown = client.put("/books/9780441013593", json={"title": "Dune", "copies_total": 5}, headers=auth)

    # then
    assert refused.status_code == 409
    assert refused.json is not None
    assert refused.json["code"] == "copies_in_use"
    assert grown.status_code == 200
    assert grown.json is not None
    assert (grown.json["copies_total"], grown.json["copies_available"], grown.json["holds"]) == (5, 3, 2)


def test_many_titles_at_once_name_the_missing_ones(client: FlaskClient, auth: dict[str, str], stock: Any) -> None:
    # given
    stock(isbn="9780441013593", title="Dune", copies=2)
    stock(isbn="9780547928227", title="The Hobbit", copies=1)
    client.post("/reserve", json={"isbn": "9780547928227", "member_ref": "m-1"}, headers=auth)

    # when
    response = client.post(
        "/status/batch", json={"isbns": ["9780547928227", "9780441013593", "9780000000001"]}, headers=auth
    )
    invalid = client.post("/status/batch", json={"isbns": ["nope"]}, headers=auth)

    # then
    assert response.status_code == 200
    data = response.json
    assert data is not None
    assert [(r["isbn"], r["copies_available"], r["holds"]) for r in data["results"]] == [
        ("9780441013593", 2, 0),
        ("9780547928227", 0, 1),
    ]
    assert data["missing"] == ["9780000000001"]
    assert invalid.status_code == 422

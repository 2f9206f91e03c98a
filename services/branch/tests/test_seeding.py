from __future__ import annotations

from flask.testing import FlaskClient

from circulate_branch.config import Settings
from circulate_branch.seeding import stock_missing_books


def test_seeding_adds_missing_titles_and_leaves_held_ones_alone(
    client: FlaskClient, auth: dict[str, str], settings: Settings
) -> None:
    # given
    client.put("/books/9780441013593", json={"title": "Dune", "copies_total": 1}, headers=auth)

    # when
    added = stock_missing_books(
        settings.database_url, [("9780441013593", "Dune (again)", 5), ("9780547928227", "The Hobbit", 2)]
    )

    # then
    assert added == 1
    assert client.get("/status/9780441013593", headers=auth).json["copies_total"] == 1  # type: ignore[index]
    assert client.get("/status/9780547928227", headers=auth).json["copies_total"] == 2  # type: ignore[index]

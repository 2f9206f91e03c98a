"""GET /api/audit/: staff only, filters, one object's history, cursor pages, constant queries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from circulate.accounts.tests.factories import UserFactory
from circulate.audit.models import AuditEntry
from circulate.library import services
from circulate.library.tests.factories import BookFactory, make_librarian, member_with_card

pytestmark = pytest.mark.django_db

URL = "/api/audit/"


@pytest.fixture
def staff() -> Any:
    return UserFactory(is_staff=True)


def test_only_staff_read_the_trail(api_client, auth_client, staff) -> None:  # type: ignore[no-untyped-def]
    assert api_client.get(URL).status_code == 401
    refused = auth_client(make_librarian()).get(URL)
    assert refused.status_code == 403
    assert refused.json() == {
        "detail": "Only staff may read the audit trail.",
        "code": "permission_denied",
        "errors": {},
        "request_id": refused["X-Request-ID"],
    }
    assert auth_client(staff).get(URL).status_code == 200


def test_a_request_writes_entries_with_its_request_id_and_address(auth_client, staff) -> None:  # type: ignore[no-untyped-def]
    # given
    librarian = make_librarian()
    book = BookFactory()
    member = member_with_card()
    # when the librarian issues a loan over the API
    response = auth_client(librarian).post(
        "/api/library/loans/", {"book": book.pk, "member": member.pk}, REMOTE_ADDR="10.1.2.3"
    )
    # then the entry carries the answer's request id, the address and the actor
    assert response.status_code == 201
    request_id = response.headers["X-Request-ID"]
    rows = auth_client(staff).get(URL, {"request_id": request_id}).json()["results"]
    assert [row["action"] for row in rows] == ["library.loan.issue"]
    assert rows[0]["actor"] == {"id": librarian.pk, "label": librarian.email}
    assert rows[0]["client_ip"] == "10.1.2.3"
    assert rows[0]["object"]["type"] == "library.loan"


def test_filters_and_one_objects_history(auth_client, staff) -> None:  # type: ignore[no-untyped-def]
    # given two books edited by two librarians, one long ago
    alice, bob = make_librarian(), make_librarian()
    first = services.create_book(actor=alice, title="First", isbn="9780000000002")
    second = services.create_book(actor=bob, title="Second", isbn="9780000000019")
    services.update_book(actor=bob, book_id=first.pk, title="First, revised")
    AuditEntry.objects.create(
        at=timezone.now() - timedelta(days=30), actor_label="system", action="library.book.update",
        object_type="library.book", object_id=str(second.pk),
    )  # fmt: skip
    client = auth_client(staff)

    def actions(**params: Any) -> list[tuple[str, str]]:
        response = client.get(URL, params)
        assert response.status_code == 200, response.json()
        return [(row["action"], row["object"]["id"]) for row in response.json()["results"]]

    # then
    assert actions(object=f"library.book:{first.pk}") == [
        ("library.book.update", str(first.pk)),
        ("library.book.create", str(first.pk)),
    ]
    assert actions(
        object_type="library.book", object_id=str(second.pk), since=(timezone.now() - timedelta(days=1)).isoformat()
    ) == [("library.book.create", str(second.pk))]
    assert actions(actor=str(alice.pk)) == [("library.book.create", str(first.pk))]
    assert actions(action="library.book.create") == [
        ("library.book.create", str(second.pk)),
        ("library.book.create", str(first.pk)),
    ]
    assert len(actions(action="library.")) == 4
    assert actions(until=(timezone.now() - timedelta(days=1)).isoformat()) == [("library.book.update", str(second.pk))]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"object": "book-12"}, "object"), ({"actor": "x"}, "actor"), ({"since": "yesterday"}, "since")],
)
def test_bad_filters_are_a_400(auth_client, staff, params, field) -> None:  # type: ignore[no-untyped-def]
    response = auth_client(staff).get(URL, params)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_pages_follow_a_cursor_in_a_constant_number_of_queries(auth_client, staff, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    # given 25 entries
    librarian = make_librarian()
    for n in range(25):
        services.create_author(actor=librarian, name=f"Author {n}")
    client = auth_client(staff)
    # when / then: user lookup + the page, whatever the page size
    for size in (2, 10):
        with django_assert_num_queries(2):
            assert len(client.get(URL, {"page_size": size}).json()["results"]) == size
    first = client.get(URL, {"page_size": 20}).json()
    second = client.get(first["next"]).json()
    assert len(first["results"]) == 20
    assert len(second["results"]) == 5
    assert second["next"] is None

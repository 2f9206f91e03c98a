"""Loans and reservations over the API: scoping, filters, refusals as 4xx, constant query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from circulate.accounts.tests.factories import UserFactory
from circulate.library import services
from circulate.library.models import Loan
from circulate.library.tests.factories import BookFactory, MemberFactory, make_librarian, member_with_card

pytestmark = pytest.mark.django_db

API = "/api/library"


@pytest.fixture
def librarian():  # type: ignore[no-untyped-def]
    return make_librarian()


def test_members_see_only_their_own_loans(auth_client, librarian) -> None:
    # given Alice's and Bob's loans
    alice, bob = UserFactory(), UserFactory()
    member_with_card(user=alice)
    member_with_card(user=bob)
    own = services.issue_loan(actor=alice, book_id=BookFactory().pk)
    others = services.issue_loan(actor=bob, book_id=BookFactory().pk)
    client = auth_client(alice)
    # when / then
    assert [row["id"] for row in client.get(f"{API}/loans/").json()["results"]] == [own.pk]
    assert client.get(f"{API}/loans/{others.pk}/").status_code == 404
    assert client.post(f"{API}/loans/{others.pk}/return/").status_code == 404
    assert client.post(f"{API}/loans/{others.pk}/renew/").status_code == 404
    assert len(auth_client(librarian).get(f"{API}/loans/").json()["results"]) == 2


def test_loan_filters(auth_client, librarian) -> None:
    # given an open loan, an overdue one and a returned one
    member = member_with_card(loan_limit=5)
    open_loan = services.issue_loan(actor=librarian, book_id=BookFactory().pk, member_id=member.pk)
    overdue = services.issue_loan(actor=librarian, book_id=BookFactory().pk, member_id=member.pk)
    Loan.objects.filter(pk=overdue.pk).update(due_at=timezone.now() - timedelta(days=1))
    returned = services.issue_loan(actor=librarian, book_id=BookFactory().pk, member_id=member.pk)
    services.return_loan(actor=librarian, loan_id=returned.pk)
    other = services.issue_loan(actor=librarian, book_id=BookFactory().pk, member_id=member_with_card().pk)
    client = auth_client(librarian)

    def ids(**params: str) -> set[int]:
        response = client.get(f"{API}/loans/", params)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    # when / then
    assert ids(active="true") == {open_loan.pk, overdue.pk, other.pk}
    assert ids(active="false") == {returned.pk}
    assert ids(overdue="true") == {overdue.pk}
    assert ids(member=str(member.pk)) == {open_loan.pk, overdue.pk, returned.pk}
    assert ids(book=str(other.book_id)) == {other.pk}
    statuses = {row["id"]: row["status"] for row in client.get(f"{API}/loans/").json()["results"]}
    assert statuses == {open_loan.pk: "active", overdue.pk: "overdue", returned.pk: "returned", other.pk: "active"}


def test_issue_answers_404_for_unknown_ids_and_409_for_rules(auth_client, librarian) -> None:
    # given
    client = auth_client(librarian)
    member = member_with_card()
    book = BookFactory()
    client.post(f"{API}/loans/", {"book": book.pk, "member": member.pk})
    # when
    unknown_book = client.post(f"{API}/loans/", {"book": 999999, "member": member.pk})
    unknown_member = client.post(f"{API}/loans/", {"book": book.pk, "member": 999999})
    no_copy = client.post(f"{API}/loans/", {"book": book.pk, "member": member_with_card().pk})
    no_card = client.post(f"{API}/loans/", {"book": BookFactory().pk, "member": MemberFactory().pk})
    bad = client.post(f"{API}/loans/", {"book": "one"})
    # then
    assert (unknown_book.status_code, unknown_member.status_code) == (404, 404)
    assert unknown_book.json()["errors"] == {"book": ["No book with id 999999."]}
    assert (no_copy.status_code, no_copy.json()["code"]) == (409, "no_copy_available")
    assert (no_card.status_code, no_card.json()["code"]) == (409, "card_missing")
    assert bad.status_code == 400


def test_return_twice_is_409(auth_client, librarian) -> None:
    loan = services.issue_loan(actor=librarian, book_id=BookFactory().pk, member_id=member_with_card().pk)
    client = auth_client(librarian)
    assert client.post(f"{API}/loans/{loan.pk}/return/").status_code == 200
    second = client.post(f"{API}/loans/{loan.pk}/return/")
    assert (second.status_code, second.json()["code"]) == (409, "loan_returned")


def test_reservations_show_queue_positions_and_are_scoped(auth_client, librarian) -> None:
    # given one copy on loan and three members queueing
    users = [UserFactory() for _ in range(3)]
    for user in users:
        member_with_card(user=user)
    book = BookFactory(copies_total=1)
    services.issue_loan(actor=librarian, book_id=book.pk, member_id=member_with_card().pk)
    holds = [auth_client(user).post(f"{API}/reservations/", {"book": book.pk}).json() for user in users]
    # when
    third_view = auth_client(users[2]).get(f"{API}/reservations/").json()["results"]
    all_view = auth_client(librarian).get(f"{API}/reservations/", {"book": book.pk, "ordering": "created_at"}).json()
    # then
    assert [h["position"] for h in holds] == [1, 2, 3]
    assert [(r["id"], r["position"]) for r in third_view] == [(holds[2]["id"], 3)]
    assert [r["position"] for r in all_view["results"]] == [1, 2, 3]
    assert auth_client(users[2]).get(f"{API}/reservations/{holds[0]['id']}/").status_code == 404
    assert auth_client(users[2]).post(f"{API}/reservations/{holds[0]['id']}/cancel/").status_code == 404

    # when the first cancels, the others move up
    cancelled = auth_client(users[0]).post(f"{API}/reservations/{holds[0]['id']}/cancel/").json()
    assert (cancelled["status"], cancelled["position"]) == ("cancelled", None)
    assert auth_client(users[2]).get(f"{API}/reservations/{holds[2]['id']}/").json()["position"] == 2


def test_members_may_not_reserve_for_others_but_librarians_may(auth_client, librarian) -> None:
    # given
    user = UserFactory()
    member_with_card(user=user)
    other = member_with_card()
    book = BookFactory()
    # when
    as_member = auth_client(user).post(f"{API}/reservations/", {"book": book.pk, "member": other.pk})
    as_librarian = auth_client(librarian).post(f"{API}/reservations/", {"book": book.pk, "member": other.pk})
    duplicate = auth_client(librarian).post(f"{API}/reservations/", {"book": book.pk, "member": other.pk})
    # then
    assert as_member.status_code == 404
    assert as_librarian.status_code == 201
    assert (duplicate.status_code, duplicate.json()["code"]) == (409, "already_reserved")


@pytest.mark.parametrize("rows", [2, 10])
def test_loan_and_reservation_lists_run_a_constant_number_of_queries(
    auth_client, django_assert_num_queries, librarian, rows: int
) -> None:
    # given
    for _ in range(rows):
        member = member_with_card()
        services.issue_loan(actor=librarian, book_id=BookFactory().pk, member_id=member.pk)
        services.reserve_book(actor=librarian, book_id=BookFactory(copies_total=1).pk, member_id=member.pk)
    client = auth_client(librarian)
    # when / then: auth user, roles, count, page
    with django_assert_num_queries(4):
        loans = client.get(f"{API}/loans/")
    with django_assert_num_queries(4):
        reservations = client.get(f"{API}/reservations/")
    with django_assert_num_queries(5):  # plus the member lookup
        member_loans = client.get(f"{API}/members/{member.pk}/loans/")
    assert len(loans.json()["results"]) == rows
    assert len(reservations.json()["results"]) == rows
    assert len(member_loans.json()["results"]) == 1

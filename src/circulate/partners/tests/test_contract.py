"""The Django client against the real branch service on a loopback port."""

from __future__ import annotations

from typing import Any

import pytest

from circulate.audit.models import AuditEntry
from circulate.library.tests.factories import member_with_card
from circulate.partners.client import BranchClient
from circulate.partners.models import PartnerAvailability, PartnerCall, PartnerReservation
from circulate.partners.tests.branch_servers import BranchService
from circulate.partners.tests.conftest import make_branch
from circulate.realtime.models import Event

pytestmark = pytest.mark.django_db


def test_partner_status_asks_live_then_answers_from_the_stored_refresh(
    auth_client: Any, alice: Any, book: Any, branch: Any, branch_service: BranchService
) -> None:
    # given
    branch_service.stock(book.isbn, 3)
    client = auth_client(alice)

    # when
    first = client.get(f"/api/library/books/{book.pk}/partner-status/")
    second = client.get(f"/api/library/books/{book.pk}/partner-status/")

    # then
    assert first.status_code == 200
    assert first.json()["isbn"] == book.isbn
    [entry] = first.json()["branches"]
    assert (entry["branch"]["code"], entry["outcome"], entry["origin"]) == ("riverside", "ok", "live")
    assert (entry["copies_available"], entry["copies_total"], entry["holds"]) == (3, 3, 0)
    assert second.json()["branches"][0]["origin"] == "stored"
    assert PartnerCall.objects.filter(url__endswith=f"/status/{book.isbn}").count() == 1


def test_a_book_the_branch_does_not_hold_is_not_held(auth_client: Any, alice: Any, book: Any, branch: Any) -> None:
    # when
    response = auth_client(alice).get(f"/api/library/books/{book.pk}/partner-status/")

    # then
    assert response.json()["branches"][0]["outcome"] == "not_held"
    assert PartnerAvailability.objects.get(isbn=book.isbn).outcome == "not_held"


def test_a_member_reserves_at_a_branch(
    auth_client: Any, alice: Any, book: Any, branch: Any, branch_service: BranchService
) -> None:
    # given
    branch_service.stock(book.isbn, 2)

    # when
    response = auth_client(alice).post(
        f"/api/library/books/{book.pk}/partner-reservations/", {"branch": branch.pk}, format="json"
    )

    # then
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "pending"
    assert data["branch"]["code"] == "riverside"
    assert data["book"] == {"id": book.pk, "title": "Dune", "isbn": book.isbn}
    remote = branch_service.call("GET", f"/reservations/{data['remote_id']}").json
    assert remote["member_ref"] == f"circulate:member:{data['member']['id']}"
    assert (branch_service.status(book.isbn)["copies_available"], branch_service.status(book.isbn)["holds"]) == (1, 1)
    assert AuditEntry.objects.filter(action="partners.reservation.create", object_id=str(data["id"])).exists()
    assert Event.objects.filter(type="partner_reservation.created").exists()


def test_no_free_copy_at_the_branch_is_409_partner_no_copies(
    auth_client: Any, alice: Any, book: Any, branch: Any, branch_service: BranchService
) -> None:
    # given
    branch_service.stock(book.isbn, 0)

    # when
    response = auth_client(alice).post(
        f"/api/library/books/{book.pk}/partner-reservations/", {"branch": branch.pk}, format="json"
    )

    # then
    assert response.status_code == 409
    assert response.json()["code"] == "partner_no_copies"
    assert PartnerReservation.objects.get().status == "failed"


def test_cancel_returns_the_copy_to_the_branch(
    auth_client: Any, alice: Any, book: Any, branch: Any, branch_service: BranchService
) -> None:
    # given
    branch_service.stock(book.isbn, 1)
    client = auth_client(alice)
    reservation = client.post(
        f"/api/library/books/{book.pk}/partner-reservations/", {"branch": branch.pk}, format="json"
    ).json()

    # when
    response = client.post(f"/api/partners/reservations/{reservation['id']}/cancel/")
    again = client.post(f"/api/partners/reservations/{reservation['id']}/cancel/")

    # then
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert again.status_code == 409
    assert again.json()["code"] == "partner_reservation_closed"
    assert branch_service.status(book.isbn)["copies_available"] == 1
    assert AuditEntry.objects.filter(action="partners.reservation.cancel").count() == 1


def test_a_retry_after_a_dropped_connection_reserves_once(
    auth_client: Any, alice: Any, book: Any, branch: Any, branch_service: BranchService
) -> None:
    # given the branch commits the first /reserve but the connection drops before its answer
    branch_service.stock(book.isbn, 2)
    branch_service.drop_next_reserve = True

    # when
    response = auth_client(alice).post(
        f"/api/library/books/{book.pk}/partner-reservations/", {"branch": branch.pk}, format="json"
    )

    # then
    assert response.status_code == 201, response.json()
    status = branch_service.status(book.isbn)
    assert (status["copies_available"], status["holds"]) == (1, 1)
    attempts = list(
        PartnerCall.objects.filter(url__endswith="/reserve").order_by("id").values_list("attempt", "status")
    )
    assert attempts == [(1, None), (2, 201)]
    assert PartnerCall.objects.filter(url__endswith="/reserve", attempt=1).get().error.startswith("ConnectionError")


def test_a_wrong_token_is_refused_by_the_branch(
    auth_client: Any, alice: Any, book: Any, branch_service: BranchService
) -> None:
    # given
    branch_service.stock(book.isbn, 1)
    wrong = make_branch(branch_service.url, token="not-the-token", code="elsewhere")

    # when
    response = auth_client(alice).post(
        f"/api/library/books/{book.pk}/partner-reservations/", {"branch": wrong.pk}, format="json"
    )

    # then
    assert response.status_code == 502
    assert response.json()["code"] == "partner_refused"
    assert "401" in response.json()["detail"]
    assert branch_service.status(book.isbn)["holds"] == 0


def test_the_branch_names_each_invalid_field(branch: Any) -> None:
    # when
    answer = BranchClient(branch).reserve(isbn="12", member_ref="", idempotency_key="k-1")

    # then
    assert answer.status == 422
    assert sorted(answer.data["errors"]) == ["isbn", "member_ref"]


def test_a_librarian_reserves_for_a_member_and_members_only_for_themselves(
    auth_client: Any, alice: Any, librarian: Any, book: Any, branch: Any, branch_service: BranchService
) -> None:
    # given
    branch_service.stock(book.isbn, 2)
    bob = member_with_card()
    path = f"/api/library/books/{book.pk}/partner-reservations/"

    # when
    by_librarian = auth_client(librarian).post(path, {"branch": branch.pk, "member": bob.pk}, format="json")
    by_alice_for_bob = auth_client(alice).post(path, {"branch": branch.pk, "member": bob.pk}, format="json")
    alice_cancels_bobs = auth_client(alice).post(f"/api/partners/reservations/{by_librarian.json()['id']}/cancel/")

    # then
    assert by_librarian.status_code == 201
    assert by_librarian.json()["member"]["id"] == bob.pk
    assert by_alice_for_bob.status_code == 403
    assert alice_cancels_bobs.status_code == 404


def test_a_second_open_reservation_of_the_same_book_is_refused(
    auth_client: Any, alice: Any, book: Any, branch: Any, branch_service: BranchService
) -> None:
    # given
    branch_service.stock(book.isbn, 2)
    client = auth_client(alice)
    path = f"/api/library/books/{book.pk}/partner-reservations/"
    client.post(path, {"branch": branch.pk}, format="json")

    # when
    response = client.post(path, {"branch": branch.pk}, format="json")

    # then
    assert response.status_code == 409
    assert response.json()["code"] == "partner_reservation_open"
    assert branch_service.status(book.isbn)["holds"] == 1


def test_unknown_branch_or_book_is_404(auth_client: Any, alice: Any, book: Any, branch: Any) -> None:
    # when
    no_branch = auth_client(alice).post(
        f"/api/library/books/{book.pk}/partner-reservations/", {"branch": 999}, format="json"
    )
    no_book = auth_client(alice).get("/api/library/books/999999/partner-status/")
    invalid = auth_client(alice).post(
        f"/api/library/books/{book.pk}/partner-reservations/", {"branch": "x"}, format="json"
    )

    # then
    assert no_branch.status_code == no_book.status_code == 404
    assert invalid.status_code == 400
    assert invalid.json()["errors"]["branch"]


def test_the_stored_availability_follows_our_own_reservations(
    auth_client: Any, alice: Any, book: Any, branch: Any, branch_service: BranchService
) -> None:
    # given a fresh stored answer: 2 free
    branch_service.stock(book.isbn, 2)
    client = auth_client(alice)
    client.get(f"/api/library/books/{book.pk}/partner-status/")

    # when Alice reserves, then cancels
    reservation = client.post(
        f"/api/library/books/{book.pk}/partner-reservations/", {"branch": branch.pk}, format="json"
    ).json()
    after_reserve = client.get(f"/api/library/books/{book.pk}/partner-status/").json()["branches"][0]
    client.post(f"/api/partners/reservations/{reservation['id']}/cancel/")
    after_cancel = client.get(f"/api/library/books/{book.pk}/partner-status/").json()["branches"][0]

    # then the stored rows moved with them, without asking the branch again
    assert (after_reserve["origin"], after_reserve["copies_available"], after_reserve["holds"]) == ("stored", 1, 1)
    assert (after_cancel["origin"], after_cancel["copies_available"], after_cancel["holds"]) == ("stored", 2, 0)

"""The whole story through the API: catalogue, member with a card, like, reserve, issue, renew, return."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from circulate.accounts.models import OutboxMessage
from circulate.accounts.tests.factories import UserFactory
from circulate.library import services
from circulate.library.models import Loan
from circulate.library.tests.factories import make_librarian

pytestmark = pytest.mark.django_db

API = "/api/library"


def test_librarian_and_member_walk_through_the_whole_circulation(auth_client) -> None:
    # given a librarian and a reader with an account
    librarian = auth_client(make_librarian())
    reader_user = UserFactory(full_name="Alice Reader")
    reader = auth_client(reader_user)

    # when the librarian builds the catalogue and registers the reader with a card
    author = librarian.post(f"{API}/authors/", {"name": "Ursula K. Le Guin"}).json()
    book = librarian.post(
        f"{API}/books/",
        {"title": "A Wizard of Earthsea", "isbn": "0-553-38304-3", "authors": [author["id"]], "copies_total": 1},
    )
    assert book.status_code == 201, book.json()
    book = book.json()
    member = librarian.post(
        f"{API}/members/", {"name": "Alice Reader", "email": "alice@example.com", "user": reader_user.pk}
    ).json()
    card = librarian.put(f"{API}/members/{member['id']}/card/", {}, format="json")

    # then the book is normalised and the card is on the default tier
    assert book["isbn"] == "9780553383041"
    assert book["authors"] == [{"id": author["id"], "name": "Ursula K. Le Guin"}]
    assert card.status_code == 201
    assert card.json()["tier"]["name"] == "Standard"

    # when the reader likes the book and reserves it
    liked = reader.post(f"{API}/books/{book['id']}/like/").json()
    reservation = reader.post(f"{API}/reservations/", {"book": book["id"]})

    # then the only copy is set aside for them
    assert (liked["likes_count"], liked["liked_by_me"]) == (1, True)
    assert reservation.status_code == 201, reservation.json()
    assert reservation.json()["status"] == "ready"
    assert reservation.json()["ready_until"] is not None
    assert reader.get(f"{API}/books/{book['id']}/").json()["copies_available"] == 0

    # when the librarian issues it to the reader, who renews it
    loan = librarian.post(f"{API}/loans/", {"book": book["id"], "member": member["id"]})
    assert loan.status_code == 201, loan.json()
    loan = loan.json()
    renewed = reader.post(f"{API}/loans/{loan['id']}/renew/")

    # then the reservation is fulfilled and the due date moved by one period
    assert reader.get(f"{API}/reservations/{reservation.json()['id']}/").json()["status"] == "fulfilled"
    assert renewed.status_code == 200, renewed.json()
    assert renewed.json()["renewals"] == 1
    assert renewed.json()["renewals_left"] == 1

    # when someone else queues for it and the reader returns it
    bob_user = UserFactory()
    bob_member = librarian.post(f"{API}/members/", {"name": "Bob", "user": bob_user.pk}).json()
    librarian.put(f"{API}/members/{bob_member['id']}/card/", {}, format="json")
    bob = auth_client(bob_user)
    waiting = bob.post(f"{API}/reservations/", {"book": book["id"]}).json()
    assert (waiting["status"], waiting["position"]) == ("waiting", 1)
    returned = reader.post(f"{API}/loans/{loan['id']}/return/")

    # then the copy passes to the next in line, not to the shelf
    assert returned.status_code == 200
    assert returned.json()["status"] == "returned"
    assert bob.get(f"{API}/reservations/{waiting['id']}/").json()["status"] == "ready"
    assert reader.get(f"{API}/books/{book['id']}/").json()["copies_available"] == 0
    history = reader.get(f"{API}/members/{member['id']}/loans/", {"active": "false"}).json()
    assert [row["id"] for row in history["results"]] == [loan["id"]]


def test_fourth_loan_beyond_a_limit_of_three_is_refused(auth_client) -> None:
    # given a member on the default tier (limit 3) and four books
    librarian = auth_client(make_librarian())
    member = librarian.post(f"{API}/members/", {"name": "Carla"}).json()
    librarian.put(f"{API}/members/{member['id']}/card/", {}, format="json")
    books = [
        librarian.post(f"{API}/books/", {"title": f"Volume {n}", "isbn": isbn}).json()
        for n, isbn in enumerate(["9780306406157", "9780141036144", "9780451524935", "9780140449136"])
    ]

    # when four loans are issued
    answers = [librarian.post(f"{API}/loans/", {"book": b["id"], "member": member["id"]}) for b in books]

    # then the fourth is a 409 naming the limit
    assert [a.status_code for a in answers] == [201, 201, 201, 409]
    body = answers[3].json()
    assert body["code"] == "loan_limit_reached"
    assert "at most 3" in body["detail"]


def test_reminders_reach_the_dev_outbox(auth_client, settings) -> None:
    # given an overdue loan of a member with an e-mail address
    settings.EMAIL_BACKEND = "circulate.accounts.outbox.DevOutboxBackend"
    librarian_user = make_librarian()
    librarian = auth_client(librarian_user)
    member = librarian.post(f"{API}/members/", {"name": "Dora", "email": "dora@example.com"}).json()
    librarian.put(f"{API}/members/{member['id']}/card/", {}, format="json")
    book = librarian.post(f"{API}/books/", {"title": "Late", "isbn": "9780306406157"}).json()
    loan = librarian.post(f"{API}/loans/", {"book": book["id"], "member": member["id"]}).json()
    Loan.objects.filter(pk=loan["id"]).update(due_at=timezone.now() - timedelta(days=1))

    # when the daily job runs
    services.send_loan_reminders()

    # then the overdue notice is in the outbox
    message = OutboxMessage.objects.get()
    assert message.to == ["dora@example.com"]
    assert "Overdue" in message.subject
    assert "Late" in message.body

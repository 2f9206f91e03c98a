"""The admin: every model listed and searchable; writes go through the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from circulate.accounts.tests.factories import UserFactory
from circulate.library import services
from circulate.library.models import Book, Loan, Member, MembershipCard, Reservation
from circulate.library.tests.factories import (
    AuthorFactory,
    BookFactory,
    MemberFactory,
    make_librarian,
    member_with_card,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_() -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    "model", ["author", "book", "membershiptier", "member", "like", "loan", "reservation", "loanreminder"]
)
def test_every_model_has_a_searchable_changelist(admin_client_: Client, model: str) -> None:
    # given some data of every kind
    librarian = make_librarian()
    member = member_with_card()
    book = BookFactory(authors=[AuthorFactory()])
    services.issue_loan(actor=librarian, book_id=book.pk, member_id=member.pk)
    services.reserve_book(actor=librarian, book_id=book.pk, member_id=member_with_card().pk)
    services.like_book(actor=librarian, book_id=book.pk)
    # when
    listed = admin_client_.get(f"/admin/library/{model}/")
    searched = admin_client_.get(f"/admin/library/{model}/", {"q": "a"})
    # then
    assert listed.status_code == 200
    assert searched.status_code == 200


def test_return_action_returns_open_loans_and_reports_refusals(admin_client_: Client) -> None:
    # given one open and one already returned loan
    librarian = make_librarian()
    open_loan = services.issue_loan(actor=librarian, book_id=BookFactory().pk, member_id=member_with_card().pk)
    done = services.issue_loan(actor=librarian, book_id=BookFactory().pk, member_id=member_with_card().pk)
    services.return_loan(actor=librarian, loan_id=done.pk)
    # when
    response = admin_client_.post(
        "/admin/library/loan/",
        {"action": "return_loans", "_selected_action": [open_loan.pk, done.pk]},
        follow=True,
    )
    # then
    assert response.status_code == 200
    assert Loan.objects.get(pk=open_loan.pk).returned_at is not None
    text = response.content.decode()
    assert "Returned 1 row(s)." in text
    assert "already returned" in text


def test_cancel_action_on_reservations(admin_client_: Client) -> None:
    hold = services.reserve_book(actor=make_librarian(), book_id=BookFactory().pk, member_id=member_with_card().pk)
    admin_client_.post("/admin/library/reservation/", {"action": "cancel_reservations", "_selected_action": [hold.pk]})
    assert Reservation.objects.get(pk=hold.pk).status == Reservation.Status.CANCELLED


def test_adding_a_book_in_the_admin_uses_the_service(admin_client_: Client) -> None:
    # given
    author = AuthorFactory()
    # when
    response = admin_client_.post(
        "/admin/library/book/add/",
        {"title": "Admin Book", "isbn": "0-306-40615-2", "authors": [author.pk], "copies_total": 2, "description": ""},
    )
    # then
    assert response.status_code == 302, response.content.decode()[:2000]
    book = Book.objects.get(title="Admin Book")
    assert (book.isbn, book.copies_available, list(book.authors.all())) == ("9780306406157", 2, [author])


def test_member_card_inline_issues_a_card(admin_client_: Client) -> None:
    # given
    member = MemberFactory(name="Inline")
    tier = services.default_tier()
    until = timezone.localdate() + timedelta(days=30)
    # when
    response = admin_client_.post(
        f"/admin/library/member/{member.pk}/change/",
        {
            "name": "Inline",
            "email": member.email,
            "phone": "",
            "card-TOTAL_FORMS": "1",
            "card-INITIAL_FORMS": "0",
            "card-MIN_NUM_FORMS": "0",
            "card-MAX_NUM_FORMS": "1",
            "card-0-tier": str(tier.pk),
            "card-0-valid_until": str(until),
            "card-0-member": str(member.pk),
        },
    )
    # then
    assert response.status_code == 302, response.content.decode()[:3000]
    card = MembershipCard.objects.get(member=member)
    assert (card.tier, card.valid_until) == (tier, until)
    assert card.number.startswith("LIB-")
    assert Member.objects.get(pk=member.pk).name == "Inline"

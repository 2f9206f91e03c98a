"""Circulation rules in the services: issue, return, renew, reserve, cancel, expire."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from circulate.accounts.tests.factories import UserFactory
from circulate.core.errors import NotFoundError, PermissionDeniedError
from circulate.library import services
from circulate.library.errors import (
    AlreadyBorrowedError,
    AlreadyReservedError,
    CardExpiredError,
    CardMissingError,
    CopiesOnLoanError,
    HoldLimitReachedError,
    LoanClosedError,
    LoanLimitReachedError,
    NoCopyAvailableError,
    RenewalRefusedError,
    ReservationClosedError,
)
from circulate.library.models import Book, Loan, MembershipCard, Reservation
from circulate.library.tests.factories import BookFactory, MemberFactory, make_librarian, member_with_card

pytestmark = pytest.mark.django_db


@pytest.fixture
def librarian():  # type: ignore[no-untyped-def]
    return make_librarian()


def copies(book: Book) -> int:
    return Book.all_objects.get(pk=book.pk).copies_available


# --- Issue -------------------------------------------------------------------------------------------


def test_issue_takes_a_copy_and_sets_the_due_date_from_the_tier(librarian) -> None:
    # given
    member = member_with_card(loan_period_days=21)
    book = BookFactory(copies_total=2)
    now = timezone.now()
    # when
    loan = services.issue_loan(actor=librarian, book_id=book.pk, member_id=member.pk, now=now)
    # then
    assert loan.due_at == now + timedelta(days=21)
    assert loan.issued_by == librarian
    assert copies(book) == 1


def test_issue_refuses_when_no_copy_is_free(librarian) -> None:
    # given
    book = BookFactory(copies_total=1)
    services.issue_loan(actor=librarian, book_id=book.pk, member_id=member_with_card().pk)
    # when / then
    with pytest.raises(NoCopyAvailableError, match="No copy of “Book"):
        services.issue_loan(actor=librarian, book_id=book.pk, member_id=member_with_card().pk)
    assert copies(book) == 0


def test_issue_refuses_beyond_the_tier_limit_and_says_the_limit(librarian) -> None:
    # given a tier allowing two loans
    member = member_with_card(name="Small", loan_limit=2)
    for _ in range(2):
        services.issue_loan(actor=librarian, book_id=BookFactory().pk, member_id=member.pk)
    # when / then
    with pytest.raises(LoanLimitReachedError, match="at most 2"):
        services.issue_loan(actor=librarian, book_id=BookFactory().pk, member_id=member.pk)


def test_issue_needs_a_valid_card(librarian) -> None:
    # given one member without a card and one whose card expired
    book = BookFactory()
    without = MemberFactory()
    expired = member_with_card()
    MembershipCard.objects.filter(member=expired).update(valid_until=timezone.localdate() - timedelta(days=1))
    # when / then
    with pytest.raises(CardMissingError):
        services.issue_loan(actor=librarian, book_id=book.pk, member_id=without.pk)
    with pytest.raises(CardExpiredError, match="expired on"):
        services.issue_loan(actor=librarian, book_id=book.pk, member_id=expired.pk)
    assert copies(book) == 1


def test_issue_refuses_a_second_copy_of_the_same_book(librarian) -> None:
    member = member_with_card()
    book = BookFactory(copies_total=2)
    services.issue_loan(actor=librarian, book_id=book.pk, member_id=member.pk)
    with pytest.raises(AlreadyBorrowedError):
        services.issue_loan(actor=librarian, book_id=book.pk, member_id=member.pk)


def test_issue_of_unknown_or_removed_book_or_member_is_not_found(librarian) -> None:
    # given
    member = member_with_card()
    removed = BookFactory(is_active=False)
    # when / then
    with pytest.raises(NotFoundError):
        services.issue_loan(actor=librarian, book_id=999999, member_id=member.pk)
    with pytest.raises(NotFoundError):
        services.issue_loan(actor=librarian, book_id=removed.pk, member_id=member.pk)
    with pytest.raises(NotFoundError):
        services.issue_loan(actor=librarian, book_id=BookFactory().pk, member_id=999999)


def test_members_check_out_for_themselves_only_when_their_tier_allows(librarian) -> None:
    # given a self-service member and one on a tier without self-checkout
    self_service = UserFactory()
    member_with_card(user=self_service)
    counter_only = UserFactory()
    member_with_card(user=counter_only, self_checkout=False)
    other = member_with_card()
    book = BookFactory(copies_total=3)
    # when
    loan = services.issue_loan(actor=self_service, book_id=book.pk)
    # then
    assert loan.member.user == self_service
    with pytest.raises(PermissionDeniedError, match="self-checkout"):
        services.issue_loan(actor=counter_only, book_id=book.pk)
    with pytest.raises(NotFoundError):
        services.issue_loan(actor=self_service, book_id=book.pk, member_id=other.pk)


def test_a_ready_reservation_lets_its_member_borrow_the_set_aside_copy(librarian) -> None:
    # given the only copy set aside for Alice
    alice, bob = member_with_card(), member_with_card()
    book = BookFactory(copies_total=1)
    reservation = services.reserve_book(actor=librarian, book_id=book.pk, member_id=alice.pk)
    assert reservation.status == Reservation.Status.READY
    # when / then: Bob cannot take it, Alice can
    with pytest.raises(NoCopyAvailableError):
        services.issue_loan(actor=librarian, book_id=book.pk, member_id=bob.pk)
    services.issue_loan(actor=librarian, book_id=book.pk, member_id=alice.pk)
    reservation.refresh_from_db()
    assert reservation.status == Reservation.Status.FULFILLED
    assert copies(book) == 0


# --- Return ------------------------------------------------------------------------------------------


def test_return_puts_the_copy_back_and_only_once(librarian) -> None:
    # given
    book = BookFactory()
    loan = services.issue_loan(actor=librarian, book_id=book.pk, member_id=member_with_card().pk)
    # when
    services.return_loan(actor=librarian, loan_id=loan.pk)
    # then
    assert copies(book) == 1
    with pytest.raises(LoanClosedError, match="already returned"):
        services.return_loan(actor=librarian, loan_id=loan.pk)
    assert copies(book) == 1
    assert Loan.objects.get(pk=loan.pk).returned_at is not None


def test_return_serves_the_queue_in_order(librarian) -> None:
    # given a borrowed book and two members waiting, first come first
    book = BookFactory(copies_total=1)
    loan = services.issue_loan(actor=librarian, book_id=book.pk, member_id=member_with_card().pk)
    first = services.reserve_book(actor=librarian, book_id=book.pk, member_id=member_with_card().pk)
    second = services.reserve_book(actor=librarian, book_id=book.pk, member_id=member_with_card().pk)
    now = timezone.now()
    # when
    services.return_loan(actor=librarian, loan_id=loan.pk, now=now)
    # then
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Reservation.Status.READY
    assert first.ready_until == now + timedelta(days=3)
    assert second.status == Reservation.Status.WAITING
    assert copies(book) == 0


def test_members_return_only_their_own_loans(librarian) -> None:
    # given
    owner = UserFactory()
    member_with_card(user=owner)
    loan = services.issue_loan(actor=owner, book_id=BookFactory().pk)
    # when / then
    with pytest.raises(NotFoundError):
        services.return_loan(actor=UserFactory(), loan_id=loan.pk)
    services.return_loan(actor=owner, loan_id=loan.pk)


# --- Renew -------------------------------------------------------------------------------------------


def test_renew_extends_by_the_period_until_renewals_run_out(librarian) -> None:
    # given a tier with one renewal
    member = member_with_card(max_renewals=1, loan_period_days=7)
    loan = services.issue_loan(actor=librarian, book_id=BookFactory().pk, member_id=member.pk)
    due = loan.due_at
    # when
    renewed = services.renew_loan(actor=librarian, loan_id=loan.pk)
    # then
    assert renewed.due_at == due + timedelta(days=7)
    assert renewed.renewals == 1
    with pytest.raises(RenewalRefusedError, match="renewed 1 times"):
        services.renew_loan(actor=librarian, loan_id=loan.pk)


def test_renew_is_refused_when_someone_waits(librarian) -> None:
    book = BookFactory(copies_total=1)
    loan = services.issue_loan(actor=librarian, book_id=book.pk, member_id=member_with_card().pk)
    services.reserve_book(actor=librarian, book_id=book.pk, member_id=member_with_card().pk)
    with pytest.raises(RenewalRefusedError, match="waiting"):
        services.renew_loan(actor=librarian, loan_id=loan.pk)


def test_renew_is_refused_when_overdue_beyond_the_grace(librarian) -> None:
    # given a loan due two days ago, on a tier with one day of grace
    member = member_with_card(renewal_grace_days=1)
    loan = services.issue_loan(actor=librarian, book_id=BookFactory().pk, member_id=member.pk)
    Loan.objects.filter(pk=loan.pk).update(due_at=timezone.now() - timedelta(days=2))
    # when / then
    with pytest.raises(RenewalRefusedError, match="too late"):
        services.renew_loan(actor=librarian, loan_id=loan.pk)
    Loan.objects.filter(pk=loan.pk).update(due_at=timezone.now() - timedelta(hours=12))
    assert services.renew_loan(actor=librarian, loan_id=loan.pk).renewals == 1


def test_a_returned_loan_cannot_be_renewed(librarian) -> None:
    loan = services.issue_loan(actor=librarian, book_id=BookFactory().pk, member_id=member_with_card().pk)
    services.return_loan(actor=librarian, loan_id=loan.pk)
    with pytest.raises(LoanClosedError):
        services.renew_loan(actor=librarian, loan_id=loan.pk)


# --- Reserve and cancel ---------------------------------------------------------------------------------


def test_reserve_sets_a_free_copy_aside_else_waits(librarian) -> None:
    # given one copy
    book = BookFactory(copies_total=1)
    # when
    ready = services.reserve_book(actor=librarian, book_id=book.pk, member_id=member_with_card().pk)
    waiting = services.reserve_book(actor=librarian, book_id=book.pk, member_id=member_with_card().pk)
    # then
    assert ready.status == Reservation.Status.READY
    assert waiting.status == Reservation.Status.WAITING
    assert copies(book) == 0


def test_one_active_reservation_per_member_and_book_and_a_hold_limit(librarian) -> None:
    # given a tier with a hold limit of two
    member = member_with_card(hold_limit=2)
    book = BookFactory()
    services.reserve_book(actor=librarian, book_id=book.pk, member_id=member.pk)
    # when / then
    with pytest.raises(AlreadyReservedError):
        services.reserve_book(actor=librarian, book_id=book.pk, member_id=member.pk)
    services.reserve_book(actor=librarian, book_id=BookFactory().pk, member_id=member.pk)
    with pytest.raises(HoldLimitReachedError, match="at most 2"):
        services.reserve_book(actor=librarian, book_id=BookFactory().pk, member_id=member.pk)


def test_reserving_a_book_already_borrowed_is_refused(librarian) -> None:
    member = member_with_card()
    book = BookFactory(copies_total=2)
    services.issue_loan(actor=librarian, book_id=book.pk, member_id=member.pk)
    with pytest.raises(AlreadyBorrowedError):
        services.reserve_book(actor=librarian, book_id=book.pk, member_id=member.pk)


def test_a_member_reserves_for_themselves_and_needs_a_card() -> None:
    # given a signed-in user with no member record yet
    user = UserFactory()
    book = BookFactory()
    # when / then: a member record is created on first need, but a card is required
    with pytest.raises(CardMissingError):
        services.reserve_book(actor=user, book_id=book.pk)
    assert user.library_member.name == user.get_full_name()


def test_cancelling_a_ready_reservation_passes_the_copy_on(librarian) -> None:
    # given a ready hold and a waiting one
    book = BookFactory(copies_total=1)
    ready = services.reserve_book(actor=librarian, book_id=book.pk, member_id=member_with_card().pk)
    waiting = services.reserve_book(actor=librarian, book_id=book.pk, member_id=member_with_card().pk)
    # when
    services.cancel_reservation(actor=librarian, reservation_id=ready.pk)
    # then
    waiting.refresh_from_db()
    assert waiting.status == Reservation.Status.READY
    with pytest.raises(ReservationClosedError, match="already cancelled"):
        services.cancel_reservation(actor=librarian, reservation_id=ready.pk)
    services.cancel_reservation(actor=librarian, reservation_id=waiting.pk)
    assert copies(book) == 1


def test_expiry_passes_uncollected_copies_on_and_is_idempotent(librarian) -> None:
    # given a ready hold past its pickup window and someone waiting
    book = BookFactory(copies_total=1)
    ready = services.reserve_book(actor=librarian, book_id=book.pk, member_id=member_with_card().pk)
    waiting = services.reserve_book(actor=librarian, book_id=book.pk, member_id=member_with_card().pk)
    later = timezone.now() + timedelta(days=4)
    # when
    first_run = services.expire_reservations(now=later)
    second_run = services.expire_reservations(now=later)
    # then
    ready.refresh_from_db()
    waiting.refresh_from_db()
    assert (first_run, second_run) == (1, 0)
    assert ready.status == Reservation.Status.EXPIRED
    assert waiting.status == Reservation.Status.READY
    assert waiting.ready_until == later + timedelta(days=3)
    assert copies(book) == 0


def test_expiry_puts_the_copy_back_on_the_shelf_when_nobody_waits(librarian) -> None:
    book = BookFactory(copies_total=1)
    services.reserve_book(actor=librarian, book_id=book.pk, member_id=member_with_card().pk)
    assert services.expire_reservations(now=timezone.now() + timedelta(days=3, minutes=1)) == 1
    assert copies(book) == 1


def test_new_copies_go_to_the_queue_first(librarian) -> None:
    # given a book on loan with one member waiting
    book = BookFactory(copies_total=1)
    services.issue_loan(actor=librarian, book_id=book.pk, member_id=member_with_card().pk)
    waiting = services.reserve_book(actor=librarian, book_id=book.pk, member_id=member_with_card().pk)
    # when two more copies arrive
    services.update_book(actor=librarian, book_id=book.pk, copies_total=3)
    # then one is set aside, one is on the shelf
    waiting.refresh_from_db()
    assert waiting.status == Reservation.Status.READY
    assert copies(book) == 1


def test_closing_a_membership_cancels_holds_and_needs_books_back(librarian) -> None:
    # given a member with a ready hold, a waiting hold and a loan
    member = member_with_card()
    book = BookFactory(copies_total=1)
    services.reserve_book(actor=librarian, book_id=book.pk, member_id=member.pk)
    loan = services.issue_loan(actor=librarian, book_id=BookFactory().pk, member_id=member.pk)
    # when / then
    with pytest.raises(CopiesOnLoanError):
        services.delete_member(actor=librarian, member_id=member.pk)
    services.return_loan(actor=librarian, loan_id=loan.pk)
    services.delete_member(actor=librarian, member_id=member.pk)
    assert copies(book) == 1
    assert not Reservation.objects.filter(member=member, status__in=Reservation.ACTIVE_STATUSES).exists()

"""Locks, visibility and event fan-out shared by the library services (package-private).

Locks are always taken in the same order (the user's row when a member is created for them,
then member, book, and the loan or reservation), so two writers never deadlock."""

from __future__ import annotations

from datetime import date
from typing import Any

from circulate.accounts.models import User
from circulate.accounts.roles import LIBRARIAN
from circulate.core.errors import NotFoundError, PermissionDeniedError
from circulate.library import selectors
from circulate.library.errors import (
    CardExpiredError,
    CardMissingError,
)
from circulate.library.models import (
    Book,
    Loan,
    Member,
    MembershipCard,
    Reservation,
)
from circulate.realtime import audience
from circulate.realtime.services import publish


def require_librarian(actor: User | None, action: str) -> None:
    if not selectors.is_librarian(actor):
        raise PermissionDeniedError(f"Only librarians may {action}.")


def lock_member(member_id: int, *, include_inactive: bool = False) -> Member:
    manager = Member.all_objects if include_inactive else Member.objects
    member = manager.select_for_update().filter(pk=member_id).first()
    if member is None:
        raise NotFoundError(f"No member with id {member_id}.", field="member")
    return member


def lock_book(book_id: int, *, include_inactive: bool = False) -> Book:
    manager = Book.all_objects if include_inactive else Book.objects
    book = manager.select_for_update().filter(pk=book_id).first()
    if book is None:
        raise NotFoundError(f"No book with id {book_id}.", field="book")
    return book


def lock_loan(loan_id: int) -> Loan:
    return Loan.objects.select_for_update().get(pk=loan_id)


def lock_reservation(reservation_id: int) -> Reservation:
    return Reservation.objects.select_for_update().get(pk=reservation_id)


def visible_loan(actor: User, loan_id: int) -> Loan:
    loan = selectors.loans_for(user=actor).filter(pk=loan_id).first()
    if loan is None:
        raise NotFoundError(f"No loan with id {loan_id}.")
    return loan


def visible_reservation(actor: User, reservation_id: int) -> Reservation:
    reservation = selectors.reservations_for(user=actor).filter(pk=reservation_id).first()
    if reservation is None:
        raise NotFoundError(f"No reservation with id {reservation_id}.")
    return reservation


def valid_card(member: Member, today: date) -> MembershipCard:
    card = selectors.active_card(member=member)
    if card is None:
        raise CardMissingError(f"{member.name} has no membership card; a librarian can issue one.")
    if card.valid_until < today:
        raise CardExpiredError(f"The membership card {card.number} of {member.name} expired on {card.valid_until}.")
    return card


def publish_to_member_and_librarians(
    event_type: str, payload: dict[str, Any], *, member: Member, actor: User | None
) -> None:
    if member.user_id:
        publish(event_type, payload, audience=audience.users([member.user_id]), actor=actor)
    publish(event_type, payload, audience=audience.role(LIBRARIAN), actor=actor)

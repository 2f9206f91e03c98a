"""Every read and write of the branch, one function each, each in one transaction.

Copies move only by conditional ``UPDATE``s: ``copies_available - 1 WHERE copies_available > 0``
takes a copy, and the check constraints keep it within ``0..copies_total``; the database
settles any race (SQLite serialises writers, InnoDB locks the row).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from circulate_branch.db import transaction
from circulate_branch.errors import (
    CopiesInUseError,
    IdempotencyKeyReusedError,
    InvalidTransitionError,
    NoCopiesError,
    NotFoundError,
)
from circulate_branch.models import (
    CANCELLED,
    COLLECTED,
    OPEN_STATUSES,
    PENDING,
    READY,
    BranchBook,
    Reservation,
    utcnow,
)
from circulate_branch.schemas import ReserveRequest, StockRequest


def book_status(factory: sessionmaker[Session], *, isbn: str) -> dict[str, Any]:
    with factory() as session:
        book = session.get(BranchBook, isbn)
        if book is None:
            raise NotFoundError(f"This branch holds no book with ISBN {isbn}.")
        holds = session.scalar(
            select(func.count())
            .select_from(Reservation)
            .where(Reservation.isbn == isbn, Reservation.status.in_(OPEN_STATUSES))
        )
        return {
            "isbn": book.isbn,
            "title": book.title,
            "copies_total": book.copies_total,
            "copies_available": book.copies_available,
            "holds": holds or 0,
            "updated_at": book.updated_at.isoformat(),
        }


def book_statuses(factory: sessionmaker[Session], *, isbns: list[str]) -> dict[str, Any]:
    """The status of many titles in two queries; ISBNs the branch does not hold are listed in ``missing``."""
    with factory() as session:
        books = session.scalars(select(BranchBook).where(BranchBook.isbn.in_(isbns))).all()
        counted = session.execute(
            select(Reservation.isbn, func.count())
            .where(Reservation.isbn.in_(isbns), Reservation.status.in_(OPEN_STATUSES))
            .group_by(Reservation.isbn)
        ).all()
        holds: dict[str, int] = {row[0]: row[1] for row in counted}
    results = [
        {
            "isbn": book.isbn,
            "title": book.title,
            "copies_total": book.copies_total,
            "copies_available": book.copies_available,
            "holds": holds.get(book.isbn, 0),
            "updated_at": book.updated_at.isoformat(),
        }
        for book in sorted(books, key=lambda b: b.isbn)
    ]
    held = {book.isbn for book in books}
    return {"results": results, "missing": sorted(set(isbns) - held)}


def reservation_data(reservation: Reservation) -> dict[str, Any]:
    return {
        "id": reservation.id,
        "isbn": reservation.isbn,
        "requesting_library": reservation.requesting_library,
        "member_ref": reservation.member_ref,
        "status": reservation.status,
        "pickup_days": reservation.pickup_days,
        "pickup_until": reservation.pickup_until.isoformat() if reservation.pickup_until else None,
        "created_at": reservation.created_at.isoformat(),
        "updated_at": reservation.updated_at.isoformat(),
    }


@dataclass(frozen=True)
class Reserved:
    reservation: dict[str, Any]
    replayed: bool


def _same_request(reservation: Reservation, request: ReserveRequest) -> bool:
    return reservation.isbn == request.isbn and reservation.member_ref == request.member_ref


def _replay(factory: sessionmaker[Session], request: ReserveRequest, key: str) -> Reserved | None:
    with factory() as session:
        existing = session.scalar(
            select(Reservation).where(
                Reservation.requesting_library == request.requesting_library, Reservation.idempotency_key == key
            )
        )
        if existing is None:
            return None
        if not _same_request(existing, request):
            raise IdempotencyKeyReusedError(errors={"Idempotency-Key": [IdempotencyKeyReusedError.detail]})
        return Reserved(reservation_data(existing), replayed=True)


def reserve(
    factory: sessionmaker[Session], *, request: ReserveRequest, idempotency_key: str | None, default_pickup_days: int
) -> Reserved:
    """Take one free copy for a member of the requesting library; a retry with the same key answers the first."""
    if idempotency_key and (replayed := _replay(factory, request, idempotency_key)):
        return replayed
    try:
        with transaction(factory) as session:
            if session.get(BranchBook, request.isbn) is None:
                raise NotFoundError(f"This branch holds no book with ISBN {request.isbn}.")
            now = utcnow()
            taken = session.execute(
                update(BranchBook)
                .where(BranchBook.isbn == request.isbn, BranchBook.copies_available > 0)
                .values(copies_available=BranchBook.copies_available - 1, updated_at=now)
            )
            if taken.rowcount != 1:  # type: ignore[attr-defined]
                raise NoCopiesError()
            reservation = Reservation(
                isbn=request.isbn,
                requesting_library=request.requesting_library,
                member_ref=request.member_ref,
                status=PENDING,
                pickup_days=request.pickup_days or default_pickup_days,
                idempotency_key=idempotency_key,
                created_at=now,
                updated_at=now,
            )
            session.add(reservation)
            session.flush()
            return Reserved(reservation_data(reservation), replayed=False)
    except IntegrityError:
        # The same key won a parallel race: its reservation is the answer (our copy went back with the rollback).
        if idempotency_key and (replayed := _replay(factory, request, idempotency_key)):
            return replayed
        raise


def expire_pickups(factory: sessionmaker[Session], *, now: datetime | None = None) -> int:
    """Ready reservations not collected by ``pickup_until`` are cancelled; their copies go back on the shelf."""
    now = now or utcnow()
    with transaction(factory) as session:
        expired = session.scalars(
            select(Reservation)
            .where(Reservation.status == READY, Reservation.pickup_until < now)
            .order_by(Reservation.id)
            .with_for_update()
        ).all()
        for reservation in expired:
            reservation.status = CANCELLED
            reservation.updated_at = now
            session.execute(
                update(BranchBook)
                .where(BranchBook.isbn == reservation.isbn, BranchBook.copies_available < BranchBook.copies_total)
                .values(copies_available=BranchBook.copies_available + 1, updated_at=now)
            )
        return len(expired)


def get_reservation(factory: sessionmaker[Session], *, reservation_id: int) -> dict[str, Any]:
    with factory() as session:
        reservation = session.get(Reservation, reservation_id)
        if reservation is None:
            raise NotFoundError(f"No reservation {reservation_id}.")
        return reservation_data(reservation)


def _lock_reservation(session: Session, reservation_id: int) -> Reservation:
    reservation = session.scalar(select(Reservation).where(Reservation.id == reservation_id).with_for_update())
    if reservation is None:
        raise NotFoundError(f"No reservation {reservation_id}.")
    return reservation


def cancel(factory: sessionmaker[Session], *, reservation_id: int) -> dict[str, Any]:
    """Cancel a pending or ready reservation: its copy returns to the shelf. Cancelling twice is a no-op."""
    with transaction(factory) as session:
        reservation = _lock_reservation(session, reservation_id)
        if reservation.status == CANCELLED:
            return reservation_data(reservation)
        if reservation.status not in OPEN_STATUSES:
            raise InvalidTransitionError(f"A {reservation.status} reservation cannot be cancelled.")
        now = utcnow()
        session.execute(
            update(BranchBook)
            .where(BranchBook.isbn == reservation.isbn, BranchBook.copies_available < BranchBook.copies_total)
            .values(copies_available=BranchBook.copies_available + 1, updated_at=now)
        )
        reservation.status = CANCELLED
        reservation.updated_at = now
        return reservation_data(reservation)


def mark_ready(factory: sessionmaker[Session], *, reservation_id: int, now: datetime | None = None) -> dict[str, Any]:
    """Branch staff put the copy on the hold shelf: the member may collect it for ``pickup_days``."""
    with transaction(factory) as session:
        reservation = _lock_reservation(session, reservation_id)
        if reservation.status != PENDING:
            raise InvalidTransitionError(
                f"Only a pending reservation can become ready; this one is {reservation.status}."
            )
        now = now or utcnow()
        reservation.status = READY
        reservation.pickup_until = now + timedelta(days=reservation.pickup_days)
        reservation.updated_at = now
        return reservation_data(reservation)


def collect(factory: sessionmaker[Session], *, reservation_id: int) -> dict[str, Any]:
    """The member took the copy home (it stays out of ``copies_available`` until staff restock it)."""
    with transaction(factory) as session:
        reservation = _lock_reservation(session, reservation_id)
        if reservation.status != READY:
            raise InvalidTransitionError(
                f"Only a ready reservation can be collected; this one is {reservation.status}."
            )
        reservation.status = COLLECTED
        reservation.updated_at = utcnow()
        return reservation_data(reservation)


def stock(factory: sessionmaker[Session], *, isbn: str, request: StockRequest) -> tuple[dict[str, Any], bool]:
    """Add a title or change how many copies the branch owns; copies held for open reservations stay held."""
    with transaction(factory) as session:
        book = session.scalar(select(BranchBook).where(BranchBook.isbn == isbn).with_for_update())
        held = (
            session.scalar(
                select(func.count())
                .select_from(Reservation)
                .where(Reservation.isbn == isbn, Reservation.status.in_(OPEN_STATUSES))
            )
            or 0
        )
        if request.copies_total < held:
            raise CopiesInUseError(
                f"{held} copies are held for reservations; the branch cannot own fewer.",
                errors={"copies_total": [f"At least {held}."]},
            )
        created = book is None
        now = utcnow()
        if book is None:
            book = BranchBook(isbn=isbn)
            session.add(book)
        book.title = request.title
        book.copies_total = request.copies_total
        book.copies_available = request.copies_total - held
        book.updated_at = now
        session.flush()
    return book_status(factory, isbn=isbn), created

"""The holds queue: a copy that comes back or appears goes to the first waiting hold (package-private).

Copies move with conditional updates (``copies_available > 0``) backed by the check
constraint ``0 <= available <= total``; callers hold the book's row lock."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import F

from circulate.accounts.models import User
from circulate.audit import services as audit
from circulate.core.db import lock_own_rows
from circulate.library import catalogue_cache, selectors
from circulate.library.models import (
    Book,
    Member,
    Reservation,
)
from circulate.library.services._access import (
    publish_to_member_and_librarians,
)
from circulate.library.services.cards import default_tier


def pickup_window(member: Member) -> timedelta:
    card = selectors.active_card(member=member)
    tier = card.tier if card else default_tier()
    return timedelta(days=tier.pickup_window_days)


def set_aside(reservation: Reservation, *, now: datetime, actor: User | None) -> None:
    """Mark a hold ready for pickup (its copy is already taken from ``copies_available``)."""
    before = audit.snapshot(reservation, ("status", "ready_until"))
    reservation.status = Reservation.Status.READY
    reservation.ready_at = now
    reservation.ready_until = now + pickup_window(reservation.member)
    reservation.save(update_fields=["status", "ready_at", "ready_until", "updated_at"])
    audit.record(
        "library.reservation.ready", actor=actor, target=reservation, changes=audit.changes_since(before, reservation)
    )
    assert reservation.ready_until is not None
    payload = {
        "reservation_id": reservation.pk,
        "book_id": reservation.book_id,
        "book_title": reservation.book.title,
        "member_id": reservation.member_id,
        "ready_until": reservation.ready_until.isoformat(),
    }
    publish_to_member_and_librarians("reservation.ready", payload, member=reservation.member, actor=actor)


def next_waiting(book: Book) -> Reservation | None:
    return lock_own_rows(selectors.waiting_queue(book_id=book.pk).select_related("member", "book")).first()


def pass_copy_on(book: Book, *, now: datetime, actor: User | None) -> Reservation | None:
    """A copy came back (book row locked): the first waiting hold gets it, else the shelf."""
    reservation = next_waiting(book) if book.is_active else None
    if reservation is None:
        Book.all_objects.filter(pk=book.pk).update(copies_available=F("copies_available") + 1, updated_at=now)
        catalogue_cache.changed()
    else:
        set_aside(reservation, now=now, actor=actor)
    book.refresh_from_db(fields=["copies_available"])
    return reservation


def serve_queue(book: Book, *, now: datetime, actor: User | None) -> None:
    """Free copies appeared on the shelf (book row locked): give them to waiting holds in order."""
    while True:
        reservation = next_waiting(book)
        if reservation is None or not take_copy(book):
            break
        set_aside(reservation, now=now, actor=actor)
    book.refresh_from_db(fields=["copies_available"])


def take_copy(book: Book) -> bool:
    """Take one copy off the shelf if there is one; the database decides, never a stale read."""
    taken = Book.objects.filter(pk=book.pk, copies_available__gt=0).update(copies_available=F("copies_available") - 1)
    if taken:
        catalogue_cache.changed()
    return bool(taken)

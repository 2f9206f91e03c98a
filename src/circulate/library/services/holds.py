"""Reservations (holds): placing, cancelling and expiring them."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from circulate.accounts.models import User
from circulate.audit import services as audit
from circulate.library.errors import (
    AlreadyBorrowedError,
    AlreadyReservedError,
    HoldLimitReachedError,
    ReservationClosedError,
)
from circulate.library.models import (
    Loan,
    Reservation,
)
from circulate.library.services._access import (
    lock_book,
    lock_member,
    lock_reservation,
    valid_card,
    visible_reservation,
)
from circulate.library.services._queue import pass_copy_on, set_aside, take_copy
from circulate.library.services.members import _acting_member_id

logger = logging.getLogger(__name__)


@audit.audited("library.reservation.create", "library.reservation.ready")
@transaction.atomic
def reserve_book(
    *, actor: User, book_id: int, member_id: int | None = None, now: datetime | None = None
) -> Reservation:
    """Place a hold: ready at once when a copy is free (the copy is set aside), else waiting in line."""
    now = now or timezone.now()
    member = lock_member(_acting_member_id(actor, member_id))
    book = lock_book(book_id)
    tier = valid_card(member, now.date()).tier
    active = Reservation.objects.filter(member=member, status__in=Reservation.ACTIVE_STATUSES)
    if active.filter(book=book).exists():
        raise AlreadyReservedError()
    held = active.count()
    if held >= tier.hold_limit:
        raise HoldLimitReachedError(
            f"{member.name} already has {held} active reservations; "
            f"the {tier.name} tier allows at most {tier.hold_limit}."
        )
    if Loan.objects.filter(member=member, book=book, returned_at__isnull=True).exists():
        raise AlreadyBorrowedError()
    reservation = Reservation(book=book, member=member, status=Reservation.Status.WAITING)
    try:
        with transaction.atomic():
            reservation.save()
    except IntegrityError as exc:
        raise AlreadyReservedError() from exc
    audit.record(
        "library.reservation.create",
        actor=actor,
        target=reservation,
        changes=audit.created(reservation, ("book", "member", "status")),
    )
    if take_copy(book):
        set_aside(reservation, now=now, actor=actor)
    return reservation


@audit.audited("library.reservation.cancel", "library.reservation.ready")
@transaction.atomic
def cancel_reservation(*, actor: User, reservation_id: int, now: datetime | None = None) -> Reservation:
    """Cancel a waiting or ready hold; a set-aside copy passes to the next in line."""
    now = now or timezone.now()
    seen = visible_reservation(actor, reservation_id)
    lock_member(seen.member_id, include_inactive=True)
    book = lock_book(seen.book_id, include_inactive=True)
    reservation = lock_reservation(reservation_id)
    if reservation.status not in Reservation.ACTIVE_STATUSES:
        raise ReservationClosedError(f"This reservation is already {reservation.status}.")
    was_ready = reservation.status == Reservation.Status.READY
    before = audit.snapshot(reservation, ("status",))
    reservation.status = Reservation.Status.CANCELLED
    reservation.closed_at = now
    reservation.save(update_fields=["status", "closed_at", "updated_at"])
    audit.record(
        "library.reservation.cancel", actor=actor, target=reservation, changes=audit.changes_since(before, reservation)
    )
    if was_ready:
        pass_copy_on(book, now=now, actor=actor)
    return reservation


@audit.audited("library.reservation.expire", "library.reservation.ready")
def expire_reservations(*, now: datetime | None = None) -> int:
    """Ready holds not picked up in time expire; each copy passes to the next in line. Idempotent."""
    now = now or timezone.now()
    due = Reservation.objects.filter(status=Reservation.Status.READY, ready_until__lt=now).order_by("pk")
    expired = 0
    for reservation_id, member_id, book_id in due.values_list("pk", "member_id", "book_id"):
        with transaction.atomic():
            lock_member(member_id, include_inactive=True)
            book = lock_book(book_id, include_inactive=True)
            changed = Reservation.objects.filter(
                pk=reservation_id, status=Reservation.Status.READY, ready_until__lt=now
            ).update(status=Reservation.Status.EXPIRED, closed_at=now, updated_at=now)
            if changed:
                audit.record(
                    "library.reservation.expire",
                    actor=None,
                    object_type="library.reservation",
                    object_id=reservation_id,
                    label=f"Reservation #{reservation_id}",
                    changes={"status": (Reservation.Status.READY, Reservation.Status.EXPIRED)},
                )
                pass_copy_on(book, now=now, actor=None)
                expired += 1
    logger.info("Expired %d reservation(s) not picked up", expired)
    return expired

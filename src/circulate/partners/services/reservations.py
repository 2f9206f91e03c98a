"""Reserving copies at partner branches for our members, cancelling, and bringing remote statuses home.

A reservation is first stored as ``requested`` with its own idempotency key, then sent to the
branch; the branch's answer moves it to ``pending`` (or ``failed`` when the branch has no copy).
When the branch does not answer, the row stays ``requested``: asking again (the member's retry,
a cancel, or ``sync_reservations``) re-sends the same key, so the branch never reserves twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from circulate.accounts.roles import LIBRARIAN
from circulate.audit import services as audit
from circulate.core.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from circulate.library import selectors as library_selectors
from circulate.library.models import Book, Member
from circulate.partners import selectors
from circulate.partners.client import BranchAnswer, BranchClient
from circulate.partners.errors import (
    PartnerNoCopiesError,
    PartnerRefusedError,
    PartnerReservationClosedError,
    PartnerReservationOpenError,
    PartnerUnavailableError,
)
from circulate.partners.models import PartnerAvailability, PartnerBranch, PartnerReservation
from circulate.realtime import audience
from circulate.realtime.services import publish

Status = PartnerReservation.Status
REMOTE_STATUSES = {Status.PENDING, Status.READY, Status.CANCELLED, Status.COLLECTED}


def _member_ref(member: Member) -> str:
    return f"{settings.PARTNERS_LIBRARY_CODE}:member:{member.pk}"


def _reservation_payload(reservation: PartnerReservation) -> dict[str, Any]:
    return {
        "partner_reservation_id": reservation.pk,
        "status": reservation.status,
        "book_id": reservation.book_id,
        "title": reservation.book.title,
        "branch": reservation.branch.name,
        "member_id": reservation.member_id,
        "pickup_until": reservation.pickup_until,
    }


def _publish(event_type: str, reservation: PartnerReservation, *, actor: Any) -> None:
    payload = _reservation_payload(reservation)
    if reservation.member.user_id:
        publish(event_type, payload, audience=audience.users([reservation.member.user_id]), actor=actor)
    publish(event_type, payload, audience=audience.role(LIBRARIAN), actor=actor)


def _member_for(actor: Any, member_id: int | None) -> Member:
    own = library_selectors.member_of(actor)
    if member_id is None:
        if own is None or not own.is_active:
            raise InvalidInputError("You have no library membership here: name the member to reserve for.")
        return own
    if own is not None and own.pk == member_id and own.is_active:
        return own
    if not library_selectors.is_librarian(actor):
        raise PermissionDeniedError("Only librarians may reserve for another member.")
    member = Member.objects.filter(pk=member_id).first()
    if member is None:
        raise NotFoundError(f"No member with id {member_id}.", field="member")
    return member


def _apply_remote(reservation: PartnerReservation, data: dict[str, Any], *, now: datetime) -> list[str]:
    """Copy the branch's view onto our row; the names of the fields that changed."""
    changed = []
    status = data.get("status")
    if status in REMOTE_STATUSES and status != reservation.status:
        reservation.status = status
        changed.append("status")
    remote_id = data.get("id")
    if isinstance(remote_id, int) and remote_id != reservation.remote_id:
        reservation.remote_id = remote_id
        changed.append("remote_id")
    pickup = parse_datetime(data["pickup_until"]) if data.get("pickup_until") else None
    if pickup != reservation.pickup_until:
        reservation.pickup_until = pickup
        changed.append("pickup_until")
    reservation.synced_at = now
    return changed


def _adjust_stored(reservation: PartnerReservation, *, taken: int) -> None:
    """Keep the stored availability true between refreshes: our own reservation took (or gave back) a copy."""
    rows = PartnerAvailability.objects.filter(
        branch_id=reservation.branch_id, isbn=reservation.book.isbn, outcome=PartnerAvailability.Outcome.OK
    )
    if taken > 0:
        rows.filter(copies_available__gte=taken).update(
            copies_available=F("copies_available") - taken, holds=F("holds") + taken
        )
    else:
        rows.filter(holds__gte=-taken, copies_available__lt=F("copies_total")).update(
            copies_available=F("copies_available") - taken, holds=F("holds") + taken
        )


def _refusal(branch: PartnerBranch, answer: BranchAnswer) -> Exception:
    detail = answer.data.get("detail") if isinstance(answer.data, dict) else None
    if answer.status == 409:
        return PartnerNoCopiesError(f"{branch.name} has no free copy of this book.")
    if answer.status == 404:
        return PartnerNoCopiesError(f"{branch.name} does not hold this book.")
    return PartnerRefusedError(f"{branch.name} refused the reservation ({answer.status}: {detail or 'no detail'}).")


def _send(reservation: PartnerReservation) -> BranchAnswer:
    """(Re-)send the reservation with its own key: the branch answers the first reservation on a retry."""
    return BranchClient(reservation.branch).reserve(
        isbn=reservation.book.isbn,
        member_ref=_member_ref(reservation.member),
        idempotency_key=str(reservation.idempotency_key),
    )


def _settle(reservation_id: int, answer: BranchAnswer, *, actor: Any, action: str) -> PartnerReservation:
    """Record the branch's answer to a /reserve: confirmed (pending) or failed."""
    with transaction.atomic():
        reservation = (
            PartnerReservation.objects.select_for_update()
            .select_related("branch", "book", "member")
            .get(pk=reservation_id)
        )
        if reservation.status != Status.REQUESTED:
            return reservation  # someone else settled it meanwhile
        before = audit.snapshot(reservation, ("status", "remote_id", "pickup_until"))
        if answer.status == 201 and isinstance(answer.data, dict):
            _apply_remote(reservation, answer.data, now=timezone.now())
            _adjust_stored(reservation, taken=1)
            event = "partner_reservation.created"
        else:
            reservation.status = Status.FAILED
            event = "partner_reservation.failed"
        reservation.save()
        audit.record(action, actor=actor, target=reservation, changes=audit.changes_since(before, reservation))
        _publish(event, reservation, actor=actor)
    return reservation


@audit.audited("partners.reservation.create")
def reserve_at_branch(*, actor: Any, book_id: int, branch_id: int, member_id: int | None = None) -> PartnerReservation:
    """Reserve a copy of ``book`` at a partner branch for a member (a member for themself, a librarian for anyone).

    503 ``partner_unavailable`` when the branch does not answer (asking again re-sends the same
    idempotency key), 409 ``partner_no_copies`` when it has no free copy.
    """
    member = _member_for(actor, member_id)
    book = Book.objects.filter(pk=book_id).first()
    if book is None:
        raise NotFoundError(f"No book with id {book_id}.")
    branch = selectors.enabled_branches().filter(pk=branch_id).first()
    if branch is None:
        raise NotFoundError(f"No partner branch with id {branch_id}.", field="branch")
    open_rows = PartnerReservation.objects.filter(
        branch=branch, book=book, member=member, status__in=PartnerReservation.OPEN
    )
    reservation = open_rows.first()
    if reservation is None:
        try:
            with transaction.atomic():
                # The member's row first: where no partial unique index can hold one open reservation
                # (MariaDB), this lock does; a parallel request waits here, then finds the first one.
                Member.objects.select_for_update().filter(pk=member.pk).first()
                reservation = open_rows.first() or PartnerReservation.objects.create(
                    branch=branch, book=book, member=member, requested_by=actor
                )
        except IntegrityError:  # a parallel request for the same member, book and branch won
            reservation = open_rows.first()
            if reservation is None:
                raise
    if reservation.status != Status.REQUESTED:
        raise PartnerReservationOpenError(
            f"{member.name} already has a {reservation.status} reservation of this book at {branch.name}."
        )
    answer = _send(reservation)  # outside any transaction; raises PartnerUnavailableError (503)
    settled = _settle(reservation.pk, answer, actor=actor, action="partners.reservation.create")
    if settled.status == Status.FAILED:
        raise _refusal(branch, answer)
    return settled


@audit.audited("partners.reservation.cancel")
def cancel_partner_reservation(*, actor: Any, reservation_id: int) -> PartnerReservation:
    """Cancel an open reservation at its branch (its copy goes back to the branch's shelf)."""
    reservation = selectors.reservations_for(user=actor).filter(pk=reservation_id).first()
    if reservation is None:
        raise NotFoundError(f"No partner reservation with id {reservation_id}.")
    if reservation.status not in PartnerReservation.OPEN:
        raise PartnerReservationClosedError(f"This reservation is {reservation.status}; it cannot be cancelled.")
    client = BranchClient(reservation.branch)
    if reservation.remote_id is None:
        # Never confirmed: learn whether the branch holds it (the same key answers the first reservation).
        reservation = _settle(reservation.pk, _send(reservation), actor=actor, action="partners.reservation.cancel")
        if reservation.status == Status.FAILED:
            return reservation
    assert reservation.remote_id is not None
    answer = client.cancel(reservation.remote_id)
    if answer.status not in (200, 404):
        raise PartnerRefusedError(f"{reservation.branch.name} refused to cancel ({answer.status}).")
    with transaction.atomic():
        reservation = (
            PartnerReservation.objects.select_for_update()
            .select_related("branch", "book", "member")
            .get(pk=reservation.pk)
        )
        before = audit.snapshot(reservation, ("status",))
        if answer.status == 200 and isinstance(answer.data, dict):
            _apply_remote(reservation, answer.data, now=timezone.now())
        if reservation.status in PartnerReservation.OPEN:
            reservation.status = Status.CANCELLED  # the branch no longer knows it (404): nothing is held there
        reservation.save()
        _adjust_stored(reservation, taken=-1)
        changes = audit.changes_since(before, reservation)
        audit.record("partners.reservation.cancel", actor=actor, target=reservation, changes=changes)
        _publish("partner_reservation.cancelled", reservation, actor=actor)
    return reservation


@audit.audited("partners.reservation.sync", "partners.reservation.create")
def sync_reservations(*, limit: int = 500) -> dict[str, int]:
    """Bring the branches' statuses home for open reservations; tell the member when theirs is ready.

    Unconfirmed (``requested``) ones are re-sent with their key. A branch that does not answer
    is skipped for this run.
    """
    counts = {"checked": 0, "changed": 0, "ready": 0, "skipped": 0}
    down: set[int] = set()
    for reservation in selectors.open_remote_reservations().order_by("id")[:limit]:
        if reservation.branch_id in down:
            counts["skipped"] += 1
            continue
        counts["checked"] += 1
        try:
            if reservation.remote_id is None:
                settled = _settle(reservation.pk, _send(reservation), actor=None, action="partners.reservation.create")
                counts["changed"] += settled.status != Status.REQUESTED
                continue
            answer = BranchClient(reservation.branch).reservation(reservation.remote_id)
        except PartnerUnavailableError:  # one branch down must not stop the others
            down.add(reservation.branch_id)
            continue
        if answer.status != 200 or not isinstance(answer.data, dict):
            continue
        with transaction.atomic():
            row = (
                PartnerReservation.objects.select_for_update()
                .select_related("branch", "book", "member")
                .get(pk=reservation.pk)
            )
            before = audit.snapshot(row, ("status", "pickup_until"))
            changed = _apply_remote(row, answer.data, now=timezone.now())
            row.save()
            if "status" in changed or "pickup_until" in changed:
                counts["changed"] += 1
                audit.record(
                    "partners.reservation.sync", actor=None, target=row, changes=audit.changes_since(before, row)
                )
                if row.status == Status.READY and "status" in changed:
                    counts["ready"] += 1
                    _publish("partner_reservation.ready", row, actor=None)
                else:
                    _publish("partner_reservation.updated", row, actor=None)
    return counts

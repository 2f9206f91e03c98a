"""Members: the member behind a user account, registering, editing and closing memberships."""

from __future__ import annotations

from typing import TypedDict, Unpack

from django.db import IntegrityError, transaction
from django.utils import timezone

from circulate.accounts.models import User
from circulate.audit import services as audit
from circulate.core.db import lock_user
from circulate.core.errors import NotFoundError
from circulate.core.services import soft_delete
from circulate.library import selectors
from circulate.library.errors import (
    CopiesOnLoanError,
    MembershipClosedError,
    UserAlreadyMemberError,
)
from circulate.library.models import (
    Loan,
    Member,
    Reservation,
)
from circulate.library.services._access import (
    lock_book,
    lock_member,
    publish_to_member_and_librarians,
    require_librarian,
)
from circulate.library.services._queue import pass_copy_on

MEMBER_FIELDS = ("name", "email", "phone", "user")


@audit.audited("library.member.create")
@transaction.atomic
def get_or_create_member_for_user(*, user: User) -> Member:
    """The member a signed-in user acts through, created on first need (without a card)."""
    member = selectors.member_of(user)
    if member is None:
        # Two first requests of one user: the second waits on the user's row, then finds the member.
        lock_user(user.pk)
        member = selectors.member_of(user)
    if member is None:
        try:
            with transaction.atomic():
                member = Member.objects.create(user=user, name=user.get_full_name(), email=user.email)
        except IntegrityError:
            member = Member.all_objects.get(user_id=user.pk)
        else:
            audit.record(
                "library.member.create", actor=user, target=member, changes=audit.created(member, MEMBER_FIELDS)
            )
            _publish_member_created(member, actor=user)
    if not member.is_active:
        raise MembershipClosedError()
    return member


def _acting_member_id(actor: User, member_id: int | None) -> int:
    """Librarians act for any member (themselves when none is given); others only for themselves."""
    if selectors.is_librarian(actor) and member_id is not None:
        return member_id
    own = get_or_create_member_for_user(user=actor)
    if member_id is not None and member_id != own.pk:
        raise NotFoundError(f"No member with id {member_id}.", field="member")
    return own.pk


def _publish_member_created(member: Member, *, actor: User | None) -> None:
    payload = {"member_id": member.pk, "name": member.name, "user_id": member.user_id}
    publish_to_member_and_librarians("member.created", payload, member=member, actor=actor)


@audit.audited("library.member.create")
@transaction.atomic
def create_member(*, actor: User, name: str, email: str = "", phone: str = "", user: User | None = None) -> Member:
    """A librarian registers a reader: walk-in (no account) or linked to a user account."""
    require_librarian(actor, "register members")
    if user is not None and Member.all_objects.filter(user=user).exists():
        raise UserAlreadyMemberError(field="user")
    try:
        with transaction.atomic():
            member = Member.objects.create(name=name.strip(), email=email, phone=phone, user=user)
    except IntegrityError as exc:
        raise UserAlreadyMemberError(field="user") from exc
    audit.record("library.member.create", actor=actor, target=member, changes=audit.created(member, MEMBER_FIELDS))
    _publish_member_created(member, actor=actor)
    return member


class MemberChanges(TypedDict, total=False):
    name: str
    email: str
    phone: str
    user: User | None


@audit.audited("library.member.update")
@transaction.atomic
def update_member(*, actor: User, member_id: int, **changes: Unpack[MemberChanges]) -> Member:
    require_librarian(actor, "edit members")
    member = lock_member(member_id)
    before = audit.snapshot(member, MEMBER_FIELDS)
    if "user" in changes:
        user = changes["user"]
        if user is not None and Member.all_objects.filter(user=user).exclude(pk=member.pk).exists():
            raise UserAlreadyMemberError(field="user")
        member.user = user
    if "name" in changes:
        member.name = changes["name"].strip()
    if "email" in changes:
        member.email = changes["email"]
    if "phone" in changes:
        member.phone = changes["phone"]
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as exc:
        raise UserAlreadyMemberError(field="user") from exc
    audit.record("library.member.update", actor=actor, target=member, changes=audit.changes_since(before, member))
    return member


@audit.audited("library.member.delete", "library.reservation.cancel")
@transaction.atomic
def delete_member(*, actor: User, member_id: int) -> None:
    """Close a membership (soft delete). Refused while the member has books; their holds are cancelled."""
    require_librarian(actor, "remove members")
    now = timezone.now()
    member = lock_member(member_id)
    on_loan = Loan.objects.filter(member=member, returned_at__isnull=True).count()
    if on_loan:
        raise CopiesOnLoanError(f"{member.name} still has {on_loan} unreturned loans; take them back first.")
    holds = Reservation.objects.filter(member=member, status__in=Reservation.ACTIVE_STATUSES).order_by("book_id")
    for hold in holds:
        book = lock_book(hold.book_id, include_inactive=True)
        previous = hold.status
        was_ready = hold.status == Reservation.Status.READY
        hold.status = Reservation.Status.CANCELLED
        hold.closed_at = now
        hold.save(update_fields=["status", "closed_at", "updated_at"])
        audit.record(
            "library.reservation.cancel", actor=actor, target=hold, changes={"status": (previous, hold.status)}
        )
        if was_ready:
            pass_copy_on(book, now=now, actor=actor)
    soft_delete(instance=member)
    audit.record("library.member.delete", actor=actor, target=member, changes={"is_active": (True, False)})

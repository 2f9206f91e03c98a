"""Circulation: issuing, returning and renewing loans, and the reminder e-mails."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from circulate.accounts.models import User
from circulate.audit import services as audit
from circulate.core.errors import PermissionDeniedError
from circulate.library import selectors
from circulate.library.errors import (
    AlreadyBorrowedError,
    LoanClosedError,
    LoanLimitReachedError,
    NoCopyAvailableError,
    RenewalRefusedError,
)
from circulate.library.models import (
    Book,
    Loan,
    LoanReminder,
    Member,
    Reservation,
)
from circulate.library.services._access import (
    lock_book,
    lock_loan,
    lock_member,
    publish_to_member_and_librarians,
    valid_card,
    visible_loan,
)
from circulate.library.services._queue import pass_copy_on, take_copy
from circulate.library.services.members import _acting_member_id

logger = logging.getLogger(__name__)


LOAN_FIELDS = ("book", "member", "issued_at", "due_at", "returned_at", "renewals")


DUE_SOON_WINDOW = timedelta(days=2)


def _loan_payload(loan: Loan, book: Book, member: Member) -> dict[str, Any]:
    return {
        "loan_id": loan.pk,
        "book_id": book.pk,
        "book_title": book.title,
        "member_id": member.pk,
        "due_at": loan.due_at.isoformat(),
        "returned_at": loan.returned_at.isoformat() if loan.returned_at else None,
        "copies_available": book.copies_available,
    }


@audit.audited("library.loan.issue", "library.reservation.fulfil")
@transaction.atomic
def issue_loan(*, actor: User, book_id: int, member_id: int | None = None, now: datetime | None = None) -> Loan:
    """Lend a copy: librarians to any member, members to themselves when their tier allows self-checkout."""
    now = now or timezone.now()
    member = lock_member(_acting_member_id(actor, member_id))
    book = lock_book(book_id)
    card = valid_card(member, now.date())
    tier = card.tier
    if not selectors.is_librarian(actor) and not tier.self_checkout:
        raise PermissionDeniedError(f"The {tier.name} tier does not allow self-checkout; ask a librarian.")
    open_loans = Loan.objects.filter(member=member, returned_at__isnull=True).count()
    if open_loans >= tier.loan_limit:
        raise LoanLimitReachedError(
            f"{member.name} already has {open_loans} unreturned loans; "
            f"the {tier.name} tier allows at most {tier.loan_limit}."
        )
    if Loan.objects.filter(member=member, book=book, returned_at__isnull=True).exists():
        raise AlreadyBorrowedError()
    holds = Reservation.objects.filter(member=member, book=book, status__in=Reservation.ACTIVE_STATUSES)
    if not holds.filter(status=Reservation.Status.READY).exists() and not take_copy(book):
        raise NoCopyAvailableError(f"No copy of “{book.title}” is free; reserve it to join the queue.")
    # The member's hold is served: a ready one gave its set-aside copy, a waiting one is no longer needed.
    for hold_id, hold_status in holds.values_list("pk", "status"):
        audit.record(
            "library.reservation.fulfil",
            actor=actor,
            object_type="library.reservation",
            object_id=hold_id,
            label=f"Reservation #{hold_id}",
            changes={"status": (hold_status, Reservation.Status.FULFILLED)},
        )
    holds.update(status=Reservation.Status.FULFILLED, closed_at=now, updated_at=now)
    loan = Loan.objects.create(
        book=book,
        member=member,
        issued_by=actor,
        issued_at=now,
        due_at=now + timedelta(days=tier.loan_period_days),
    )
    book.refresh_from_db(fields=["copies_available"])
    audit.record(
        "library.loan.issue",
        actor=actor,
        target=loan,
        label=f"{book.title} → {member.name}",
        changes=audit.created(loan, LOAN_FIELDS),
    )
    publish_to_member_and_librarians("loan.issued", _loan_payload(loan, book, member), member=member, actor=actor)
    return loan


def _lock_open_loan(actor: User, loan_id: int) -> tuple[Member, Book, Loan]:
    """Lock member, book and loan in the fixed order; the loan must be visible to ``actor`` and unreturned."""
    seen = visible_loan(actor, loan_id)
    member = lock_member(seen.member_id, include_inactive=True)
    book = lock_book(seen.book_id, include_inactive=True)
    loan = lock_loan(loan_id)
    if loan.returned_at is not None:
        raise LoanClosedError(f"Loan #{loan.pk} was already returned on {loan.returned_at:%Y-%m-%d}.")
    return member, book, loan


@audit.audited("library.loan.return")
@transaction.atomic
def return_loan(*, actor: User, loan_id: int, now: datetime | None = None) -> Loan:
    """Take a copy back; it goes to the first waiting hold, or back on the shelf."""
    now = now or timezone.now()
    member, book, loan = _lock_open_loan(actor, loan_id)
    loan.returned_at = now
    loan.save(update_fields=["returned_at", "updated_at"])
    audit.record(
        "library.loan.return",
        actor=actor,
        target=loan,
        label=f"{book.title} → {member.name}",
        changes={"returned_at": (None, now)},
    )
    pass_copy_on(book, now=now, actor=actor)
    publish_to_member_and_librarians("loan.returned", _loan_payload(loan, book, member), member=member, actor=actor)
    return loan


@audit.audited("library.loan.renew")
@transaction.atomic
def renew_loan(*, actor: User, loan_id: int, now: datetime | None = None) -> Loan:
    """Extend the due date by the tier's period, if renewals are left, it is not too late and nobody waits."""
    now = now or timezone.now()
    member, book, loan = _lock_open_loan(actor, loan_id)
    tier = valid_card(member, now.date()).tier
    if loan.renewals >= tier.max_renewals:
        raise RenewalRefusedError(
            f"This loan was renewed {loan.renewals} times, the most the {tier.name} tier allows; please return it."
        )
    if now > loan.due_at + timedelta(days=tier.renewal_grace_days):
        raise RenewalRefusedError(f"This loan was due on {loan.due_at:%Y-%m-%d}; it is too late to renew it.")
    if selectors.waiting_queue(book_id=book.pk).exists():
        raise RenewalRefusedError("Another member is waiting for this book, so it cannot be renewed; please return it.")
    before = audit.snapshot(loan, ("due_at", "renewals"))
    loan.due_at += timedelta(days=tier.loan_period_days)
    loan.renewals += 1
    loan.save(update_fields=["due_at", "renewals", "updated_at"])
    audit.record(
        "library.loan.renew",
        actor=actor,
        target=loan,
        label=f"{book.title} → {member.name}",
        changes=audit.changes_since(before, loan),
    )
    return loan


@dataclass
class ReminderReport:
    sent: int = 0
    already_sent: int = 0
    no_address: int = 0


@audit.audited("library.loan.remind")
def send_loan_reminders(*, now: datetime | None = None) -> ReminderReport:
    """E-mail members whose loans are due within two days or overdue: at most one e-mail per loan per day.

    The ``LoanReminder`` row (unique per loan and day) is written in the same
    transaction as the e-mail is handed over, so a second run the same day sends nothing.
    """
    now = now or timezone.now()
    today = now.date()
    report = ReminderReport()
    open_loans = Loan.objects.filter(returned_at__isnull=True).select_related("book", "member__user").order_by("pk")
    batches = (
        (LoanReminder.Kind.OVERDUE, open_loans.filter(due_at__lte=now)),
        (LoanReminder.Kind.DUE_SOON, open_loans.filter(due_at__gt=now, due_at__lte=now + DUE_SOON_WINDOW)),
    )
    for kind, loans in batches:
        for loan in loans.iterator():
            address = loan.member.contact_email
            if not address:
                report.no_address += 1
                continue
            try:
                with transaction.atomic():
                    reminder = LoanReminder.objects.create(loan=loan, kind=kind, sent_on=today)
                    _send_reminder_email(loan, kind, address, now)
                    audit.record(
                        "library.loan.remind",
                        actor=None,
                        target=loan,
                        label=f"{loan.book.title} → {loan.member.name}",
                        changes={"reminder": (None, f"{reminder.kind} {reminder.sent_on}")},
                    )
                report.sent += 1
            except IntegrityError:
                report.already_sent += 1
    logger.info("Loan reminders: %s", report)
    return report


def _send_reminder_email(loan: Loan, kind: str, address: str, now: datetime) -> None:
    context = {
        "member": loan.member,
        "book": loan.book,
        "loan": loan,
        "days_overdue": max((now - loan.due_at).days, 0),
    }
    subject = render_to_string(f"library/email/{kind}_subject.txt", context).strip()
    body = render_to_string(f"library/email/{kind}.txt", context)
    send_mail(subject, body, None, [address])

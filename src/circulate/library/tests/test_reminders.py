"""Daily reminders: due soon and overdue, at most one per loan per day, run through Celery tasks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from circulate.accounts.tests.factories import UserFactory
from circulate.library import services, tasks
from circulate.library.models import Loan, LoanReminder, Reservation
from circulate.library.tests.factories import (
    BookFactory,
    CardFactory,
    MemberFactory,
    make_librarian,
    member_with_card,
)

pytestmark = pytest.mark.django_db


def _loan_due_in(delta: timedelta, **member_fields: str) -> Loan:
    member = member_with_card()
    if member_fields:
        type(member).objects.filter(pk=member.pk).update(**member_fields)
    loan = services.issue_loan(actor=make_librarian(), book_id=BookFactory().pk, member_id=member.pk)
    Loan.objects.filter(pk=loan.pk).update(due_at=timezone.now() + delta)
    return loan


def test_due_soon_and_overdue_loans_get_one_email_each() -> None:
    # given loans due tomorrow, overdue, due next week, and returned
    soon = _loan_due_in(timedelta(days=1))
    late = _loan_due_in(timedelta(days=-3))
    _loan_due_in(timedelta(days=7))
    returned = _loan_due_in(timedelta(days=-1))
    services.return_loan(actor=make_librarian(), loan_id=returned.pk)
    # when
    report = services.send_loan_reminders()
    # then
    assert (report.sent, report.already_sent) == (2, 0)
    subjects = sorted(message.subject for message in mail.outbox)
    assert subjects[0].startswith("Overdue: please return")
    assert subjects[1].startswith("Reminder:")
    assert {(r.loan_id, r.kind) for r in LoanReminder.objects.all()} == {
        (soon.pk, LoanReminder.Kind.DUE_SOON),
        (late.pk, LoanReminder.Kind.OVERDUE),
    }
    assert "3 days ago" in next(m.body for m in mail.outbox if m.subject.startswith("Overdue"))


def test_running_twice_a_day_sends_nothing_more_but_the_next_day_does() -> None:
    # given an overdue loan already reminded today
    _loan_due_in(timedelta(days=-1))
    services.send_loan_reminders()
    # when
    again = services.send_loan_reminders()
    tomorrow = services.send_loan_reminders(now=timezone.now() + timedelta(days=1))
    # then
    assert (again.sent, again.already_sent) == (0, 1)
    assert tomorrow.sent == 1
    assert len(mail.outbox) == 2


def test_the_database_allows_one_reminder_per_loan_per_day() -> None:
    loan = _loan_due_in(timedelta(days=1))
    LoanReminder.objects.create(loan=loan, kind=LoanReminder.Kind.DUE_SOON, sent_on=timezone.localdate())
    with pytest.raises(IntegrityError), transaction.atomic():
        LoanReminder.objects.create(loan=loan, kind=LoanReminder.Kind.OVERDUE, sent_on=timezone.localdate())


def test_members_without_an_address_are_skipped_and_linked_users_are_reached() -> None:
    # given a walk-in reader without e-mail
    _loan_due_in(timedelta(days=-1), email="")
    # when
    report = services.send_loan_reminders()
    # then
    assert (report.sent, report.no_address) == (0, 1)
    assert mail.outbox == []


def test_member_without_own_email_is_reminded_at_the_user_address() -> None:
    # given
    user = UserFactory(email="reader@example.com")
    member = MemberFactory(user=user, email="")
    CardFactory(member=member)
    loan = services.issue_loan(actor=make_librarian(), book_id=BookFactory().pk, member_id=member.pk)
    Loan.objects.filter(pk=loan.pk).update(due_at=timezone.now() - timedelta(hours=1))
    # when
    services.send_loan_reminders()
    # then
    assert mail.outbox[0].to == ["reader@example.com"]


def test_tasks_run_the_services_and_are_on_the_beat_schedule() -> None:
    # given an overdue loan and an uncollected hold
    _loan_due_in(timedelta(days=-1))
    librarian = make_librarian()
    hold = services.reserve_book(actor=librarian, book_id=BookFactory().pk, member_id=member_with_card().pk)
    Reservation.objects.filter(pk=hold.pk).update(ready_until=timezone.now() - timedelta(minutes=1))
    # when
    reminders = tasks.send_loan_reminders.apply().get()
    expiry = tasks.expire_reservations.apply().get()
    # then
    assert reminders == {"sent": 1, "already_sent": 0, "no_address": 0}
    assert expiry == {"expired": 1}
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"circulate.library.tasks.send_loan_reminders", "circulate.library.tasks.expire_reservations"} <= scheduled

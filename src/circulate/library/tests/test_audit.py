"""Every library service records its audit entries: the action, the actor, the object and the diff."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from circulate.accounts.tests.factories import UserFactory
from circulate.audit.models import AuditEntry
from circulate.core.context import acting_as
from circulate.library import services
from circulate.library.errors import LoanLimitReachedError
from circulate.library.models import Loan, Reservation
from circulate.library.tests.factories import AuthorFactory, BookFactory, TierFactory, make_librarian, member_with_card

pytestmark = pytest.mark.django_db


def entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def only_entry(action: str) -> AuditEntry:
    found = entries(action)
    assert len(found) == 1, [entry.action for entry in AuditEntry.objects.all()]
    return found[0]


@pytest.fixture
def librarian() -> Any:
    return make_librarian(email="desk@example.com")


def test_catalogue_writes_are_recorded_with_their_changes(librarian) -> None:  # type: ignore[no-untyped-def]
    # given
    author = services.create_author(actor=librarian, name="Le Guin")
    # when
    book = services.create_book(actor=librarian, title="Earthsea", isbn="0-553-38304-3", authors=[author])
    services.update_book(actor=librarian, book_id=book.pk, title="A Wizard of Earthsea", copies_total=3)
    services.update_author(actor=librarian, author_id=author.pk, name="Ursula K. Le Guin")
    services.delete_book(actor=librarian, book_id=book.pk)
    services.delete_author(actor=librarian, author_id=author.pk)
    services.restore_author(actor=librarian, author_id=author.pk)
    # then
    created = only_entry("library.book.create")
    assert (created.actor_label, created.object_type, created.object_id) == (
        "desk@example.com",
        "library.book",
        str(book.pk),
    )
    assert created.changes["title"] == [None, "Earthsea"]
    assert created.changes["authors"] == [None, [author.pk]]
    assert only_entry("library.book.update").changes == {
        "title": ["Earthsea", "A Wizard of Earthsea"],
        "copies_total": [1, 3],
        "copies_available": [1, 3],
    }
    assert only_entry("library.author.create").changes == {"name": [None, "Le Guin"]}
    assert only_entry("library.author.update").changes == {"name": ["Le Guin", "Ursula K. Le Guin"]}
    assert only_entry("library.book.delete").changes == {"is_active": [True, False]}
    assert only_entry("library.author.delete").changes == {"is_active": [True, False]}
    assert only_entry("library.author.restore").changes == {"is_active": [False, True]}


def test_likes_are_recorded_only_when_they_change_something() -> None:
    # given
    reader = UserFactory()
    book = BookFactory()
    # when liking twice and unliking twice
    services.like_book(actor=reader, book_id=book.pk)
    services.like_book(actor=reader, book_id=book.pk)
    services.unlike_book(actor=reader, book_id=book.pk)
    services.unlike_book(actor=reader, book_id=book.pk)
    # then one entry each
    member_id = services.get_or_create_member_for_user(user=reader).pk
    assert only_entry("library.book.like").changes == {"liked_by": [None, member_id]}
    assert only_entry("library.book.unlike").changes == {"liked_by": [member_id, None]}
    assert only_entry("library.member.create").actor_id == reader.pk


def test_members_and_cards(librarian) -> None:  # type: ignore[no-untyped-def]
    # given
    gold = TierFactory(name="Gold")
    # when
    member = services.create_member(actor=librarian, name="Walter Walkin", email="w@example.com")
    services.update_member(actor=librarian, member_id=member.pk, phone="555-0100")
    issued = services.issue_or_renew_card(actor=librarian, member_id=member.pk, tier=gold)
    services.issue_or_renew_card(actor=librarian, member_id=member.pk)
    services.revoke_card(actor=librarian, member_id=member.pk)
    services.delete_member(actor=librarian, member_id=member.pk)
    # then
    assert only_entry("library.member.create").changes["name"] == [None, "Walter Walkin"]
    assert only_entry("library.member.update").changes == {"phone": ["", "555-0100"]}
    card_issue = only_entry("library.card.issue")
    assert card_issue.changes["number"] == [None, issued.card.number]
    assert card_issue.changes["tier"] == [None, gold.pk]
    assert set(only_entry("library.card.renew").changes) == {"valid_until"}
    assert only_entry("library.card.revoke").changes == {"is_active": [True, False]}
    assert only_entry("library.member.delete").changes == {"is_active": [True, False]}


def test_circulation_issue_renew_return_and_the_queue(librarian) -> None:  # type: ignore[no-untyped-def]
    # given a one-copy book, a borrower and a member who will wait for it
    book = BookFactory(title="Dune")
    borrower, waiter = member_with_card(), member_with_card()
    # when
    loan = services.issue_loan(actor=librarian, book_id=book.pk, member_id=borrower.pk)
    services.renew_loan(actor=librarian, loan_id=loan.pk)
    hold = services.reserve_book(actor=librarian, book_id=book.pk, member_id=waiter.pk)
    assert hold.status == Reservation.Status.WAITING
    services.return_loan(actor=librarian, loan_id=loan.pk)
    services.issue_loan(actor=librarian, book_id=book.pk, member_id=waiter.pk)
    # then
    issue = entries("library.loan.issue")[0]
    assert issue.object_label == f"Dune → {borrower.name}"
    assert issue.changes["book"] == [None, book.pk]
    assert issue.changes["member"] == [None, borrower.pk]
    renew = only_entry("library.loan.renew")
    assert renew.changes["renewals"] == [0, 1]
    assert set(renew.changes) == {"due_at", "renewals"}
    assert list(only_entry("library.loan.return").changes) == ["returned_at"]
    assert only_entry("library.reservation.create").changes["status"] == [None, "waiting"]
    assert only_entry("library.reservation.ready").changes["status"] == ["waiting", "ready"]
    assert only_entry("library.reservation.fulfil").changes == {"status": ["ready", "fulfilled"]}


def test_cancelling_and_expiring_holds(librarian) -> None:  # type: ignore[no-untyped-def]
    # given two ready holds on two books
    first = services.reserve_book(actor=librarian, book_id=BookFactory().pk, member_id=member_with_card().pk)
    second = services.reserve_book(actor=librarian, book_id=BookFactory().pk, member_id=member_with_card().pk)
    Reservation.objects.filter(pk=second.pk).update(ready_until=timezone.now() - timedelta(hours=1))
    # when one is cancelled and the other expires in the scheduled task
    services.cancel_reservation(actor=librarian, reservation_id=first.pk)
    with acting_as("task:library.expire_reservations"):
        services.expire_reservations()
    # then
    assert only_entry("library.reservation.cancel").changes == {"status": ["ready", "cancelled"]}
    expired = only_entry("library.reservation.expire")
    assert (expired.actor_id, expired.actor_label) == (None, "task:library.expire_reservations")
    assert expired.object_id == str(second.pk)


def test_reminders_are_recorded_per_e_mail_sent(librarian) -> None:  # type: ignore[no-untyped-def]
    # given an overdue loan
    loan = services.issue_loan(actor=librarian, book_id=BookFactory().pk, member_id=member_with_card().pk)
    Loan.objects.filter(pk=loan.pk).update(due_at=timezone.now() - timedelta(days=1))
    # when the job runs twice on one day
    services.send_loan_reminders()
    services.send_loan_reminders()
    # then
    reminder = only_entry("library.loan.remind")
    assert reminder.object_id == str(loan.pk)
    assert reminder.changes["reminder"][0] is None


def test_a_refused_service_call_records_nothing(librarian) -> None:  # type: ignore[no-untyped-def]
    # given a member at the limit of one loan
    member = member_with_card(loan_limit=1)
    services.issue_loan(actor=librarian, book_id=BookFactory().pk, member_id=member.pk)
    before = AuditEntry.objects.count()
    # when the second loan is refused
    with pytest.raises(LoanLimitReachedError):
        services.issue_loan(actor=librarian, book_id=BookFactory().pk, member_id=member.pk)
    # then
    assert AuditEntry.objects.count() == before


def test_admin_saves_without_a_service_are_recorded_with_their_form_changes() -> None:
    # given a superuser in the admin and a tier
    admin_user = UserFactory(is_staff=True, is_superuser=True, email="root@example.com")
    tier = TierFactory(name="Student", loan_limit=3)
    client = Client()
    client.force_login(admin_user)
    form = {
        "name": "Student",
        "loan_limit": "5",
        "loan_period_days": tier.loan_period_days,
        "max_renewals": tier.max_renewals,
        "renewal_grace_days": tier.renewal_grace_days,
        "hold_limit": tier.hold_limit,
        "pickup_window_days": tier.pickup_window_days,
        "card_validity_days": tier.card_validity_days,
        "self_checkout": "on",
        "is_active": "on",
    }
    # when
    response = client.post(f"/admin/library/membershiptier/{tier.pk}/change/", form)
    # then
    assert response.status_code == 302, response.content[:2000]
    entry = only_entry("library.membershiptier.admin_change")
    assert (entry.actor_label, entry.changes) == ("root@example.com", {"loan_limit": [3, 5]})


def test_admin_saves_through_a_service_are_recorded_once() -> None:
    # given
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    author = AuthorFactory(name="Anon")
    client = Client()
    client.force_login(admin_user)
    # when
    client.post(f"/admin/library/author/{author.pk}/change/", {"name": "Anonymous"})
    # then
    assert [entry.action for entry in AuditEntry.objects.all()] == ["library.author.update"]

"""Domain events: published after commit, to the right audience, with small self-contained payloads."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction

from circulate.accounts.roles import LIBRARIAN
from circulate.accounts.tests.factories import UserFactory
from circulate.library import services
from circulate.library.services import _access, catalogue
from circulate.library.tests.factories import AuthorFactory, BookFactory, make_librarian, member_with_card
from circulate.realtime import audience
from circulate.realtime.models import Event
from circulate.realtime.services import publish as real_publish

pytestmark = pytest.mark.django_db


@dataclass
class Published:
    type: str
    payload: dict[str, Any]
    audience: audience.Audience


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[Published]:
    """What the library hands to the platform's publisher, recorded once the transaction commits."""
    seen: list[Published] = []

    def record(event_type: str, payload: dict[str, Any], *, audience: audience.Audience, actor: Any = None) -> None:
        real_publish(event_type, payload, audience=audience, actor=actor)
        transaction.on_commit(lambda: seen.append(Published(event_type, payload, audience)))

    # Each services module imported ``publish`` by name; patch it wherever it is used.
    for module in (_access, catalogue):
        monkeypatch.setattr(module, "publish", record)
    return seen


def of_type(published: list[Published], event_type: str) -> list[Published]:
    return [p for p in published if p.type == event_type]


def test_catalogue_events_go_to_everyone(published, django_capture_on_commit_callbacks) -> None:
    # given
    user = UserFactory()
    author = AuthorFactory(name="Octavia E. Butler")
    # when
    with django_capture_on_commit_callbacks(execute=True):
        book = services.create_book(actor=user, title="Kindred", isbn="9780306406157", authors=[author])
    with django_capture_on_commit_callbacks(execute=True):
        services.update_book(actor=user, book_id=book.pk, copies_total=2)
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_book(actor=user, book_id=book.pk)
    # then
    assert [p.type for p in published] == ["book.created", "book.updated", "book.deleted"]
    assert {p.audience for p in published} == {audience.everyone()}
    assert published[0].payload == {
        "book_id": book.pk,
        "title": "Kindred",
        "isbn": "9780306406157",
        "copies_total": 1,
        "copies_available": 1,
        "is_available": True,
    }
    assert (published[1].payload["copies_total"], published[1].payload["copies_available"]) == (2, 2)
    assert published[2].payload == {"book_id": book.pk, "title": "Kindred"}
    assert Event.objects.filter(type="book.created", actor=user).exists()


def test_circulation_events_reach_the_member_and_the_librarians(published, django_capture_on_commit_callbacks) -> None:
    # given a self-service member, a second member who will wait, and a librarian
    librarian = make_librarian()
    reader = UserFactory()
    member = member_with_card(user=reader)
    waiting_user = UserFactory()
    waiting_member = member_with_card(user=waiting_user)
    book = BookFactory(title="Parable of the Sower")
    # when
    with django_capture_on_commit_callbacks(execute=True):
        loan = services.issue_loan(actor=librarian, book_id=book.pk, member_id=member.pk)
        hold = services.reserve_book(actor=waiting_user, book_id=book.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.return_loan(actor=reader, loan_id=loan.pk)
    # then
    both = [audience.users([reader.pk]), audience.role(LIBRARIAN)]
    issued = of_type(published, "loan.issued")
    assert [p.audience for p in issued] == both
    assert issued[0].payload == {
        "loan_id": loan.pk,
        "book_id": book.pk,
        "book_title": "Parable of the Sower",
        "member_id": member.pk,
        "due_at": loan.due_at.isoformat(),
        "returned_at": None,
        "copies_available": 0,
    }
    returned = of_type(published, "loan.returned")
    assert [p.audience for p in returned] == both
    assert returned[0].payload["returned_at"] is not None
    ready = of_type(published, "reservation.ready")
    assert [p.audience for p in ready] == [audience.users([waiting_user.pk]), audience.role(LIBRARIAN)]
    assert ready[0].payload["reservation_id"] == hold.pk
    assert ready[0].payload["member_id"] == waiting_member.pk
    assert set(ready[0].payload) == {"reservation_id", "book_id", "book_title", "member_id", "ready_until"}
    for event in published:
        json.dumps(event.payload)


def test_walk_in_members_events_go_to_librarians_only(published, django_capture_on_commit_callbacks) -> None:
    # given a member without an account
    librarian = make_librarian()
    member = member_with_card()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.issue_loan(actor=librarian, book_id=BookFactory().pk, member_id=member.pk)
    # then
    assert [p.audience for p in of_type(published, "loan.issued")] == [audience.role(LIBRARIAN)]


def test_member_created_goes_to_librarians_and_the_linked_user(published, django_capture_on_commit_callbacks) -> None:
    # given
    librarian = make_librarian()
    user = UserFactory()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        member = services.create_member(actor=librarian, name="Nnedi", user=user)
    # then
    created = of_type(published, "member.created")
    assert [p.audience for p in created] == [audience.users([user.pk]), audience.role(LIBRARIAN)]
    assert created[0].payload == {"member_id": member.pk, "name": "Nnedi", "user_id": user.pk}


def test_nothing_is_published_for_a_rolled_back_write(published, django_capture_on_commit_callbacks) -> None:
    # given a request that fails after adding a book
    user = UserFactory()

    def failing_request() -> None:
        with transaction.atomic():
            services.create_book(actor=user, title="Never", isbn="9780306406157")
            raise RuntimeError("the request failed after the write")

    # when
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        failing_request()
    # then
    assert published == []
    assert not Event.objects.exists()

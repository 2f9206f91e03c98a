"""Races on PostgreSQL: many requests at once never break a circulation rule.

Each test commits its data, then releases N threads together (a barrier) on the
same service; every thread uses its own database connection and closes it.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection

from circulate.accounts.tests.factories import UserFactory
from circulate.core.errors import DomainError
from circulate.library import services
from circulate.library.models import Book, Like, Loan, Reservation
from circulate.library.tests.factories import BookFactory, make_librarian, member_with_card

pytestmark = [pytest.mark.locking, pytest.mark.django_db(transaction=True)]


def run_together(count: int, action: Callable[[int], Any]) -> list[str]:
    """Run ``action(i)`` in ``count`` threads released at the same instant; return "ok" or the refusal code."""
    barrier = threading.Barrier(count)

    def attempt(i: int) -> str:
        try:
            barrier.wait(timeout=30)
            action(i)
            return "ok"
        except DomainError as exc:
            return exc.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(attempt, range(count)))


def copies(book: Book) -> int:
    return Book.all_objects.get(pk=book.pk).copies_available


def test_twenty_parallel_issues_for_a_member_with_limit_three_make_exactly_three_loans() -> None:
    # given
    librarian = make_librarian()
    member = member_with_card()
    books = [BookFactory() for _ in range(20)]
    # when
    outcomes = run_together(
        20, lambda i: services.issue_loan(actor=librarian, book_id=books[i].pk, member_id=member.pk)
    )
    # then
    assert Counter(outcomes) == {"ok": 3, "loan_limit_reached": 17}
    assert Loan.objects.filter(member=member, returned_at__isnull=True).count() == 3
    assert sum(copies(book) for book in books) == 17


def test_twenty_parallel_issues_of_a_book_with_two_copies_make_exactly_two_loans() -> None:
    # given
    librarian = make_librarian()
    book = BookFactory(copies_total=2)
    members = [member_with_card() for _ in range(20)]
    # when
    outcomes = run_together(
        20, lambda i: services.issue_loan(actor=librarian, book_id=book.pk, member_id=members[i].pk)
    )
    # then
    assert Counter(outcomes) == {"ok": 2, "no_copy_available": 18}
    assert Loan.objects.filter(book=book).count() == 2
    assert copies(book) == 0


def test_parallel_reservations_set_aside_one_copy_and_queue_the_rest_in_distinct_places() -> None:
    # given one copy and ten members
    librarian = make_librarian()
    book = BookFactory(copies_total=1)
    members = [member_with_card() for _ in range(10)]
    # when
    outcomes = run_together(
        10, lambda i: services.reserve_book(actor=librarian, book_id=book.pk, member_id=members[i].pk)
    )
    # then
    assert outcomes == ["ok"] * 10
    statuses = Counter(Reservation.objects.filter(book=book).values_list("status", flat=True))
    assert statuses == {"ready": 1, "waiting": 9}
    assert copies(book) == 0


def test_the_same_member_reserving_twice_at_once_gets_one_reservation() -> None:
    # given
    librarian = make_librarian()
    book = BookFactory(copies_total=1)
    member = member_with_card()
    # when
    outcomes = run_together(8, lambda i: services.reserve_book(actor=librarian, book_id=book.pk, member_id=member.pk))
    # then
    assert Counter(outcomes) == {"ok": 1, "already_reserved": 7}
    assert Reservation.objects.filter(book=book, member=member).count() == 1
    assert copies(book) == 0


def test_parallel_returns_of_one_loan_give_back_exactly_one_copy() -> None:
    # given
    librarian = make_librarian()
    book = BookFactory(copies_total=1)
    loan = services.issue_loan(actor=librarian, book_id=book.pk, member_id=member_with_card().pk)
    # when
    outcomes = run_together(10, lambda i: services.return_loan(actor=librarian, loan_id=loan.pk))
    # then
    assert Counter(outcomes) == {"ok": 1, "loan_returned": 9}
    assert copies(book) == 1


def test_returns_and_reservations_racing_never_lose_or_double_a_copy() -> None:
    # given two copies on loan and eight members about to reserve
    librarian = make_librarian()
    book = BookFactory(copies_total=2)
    loans = [services.issue_loan(actor=librarian, book_id=book.pk, member_id=member_with_card().pk) for _ in range(2)]
    members = [member_with_card() for _ in range(8)]

    def act(i: int) -> None:
        if i < 2:
            services.return_loan(actor=librarian, loan_id=loans[i].pk)
        else:
            services.reserve_book(actor=librarian, book_id=book.pk, member_id=members[i - 2].pk)

    # when
    outcomes = run_together(8, act)
    # then: both returned copies are set aside (six holds wanted them), first come first served
    assert outcomes == ["ok"] * 8
    holds = Reservation.objects.filter(book=book)
    ready = sorted(holds.filter(status=Reservation.Status.READY).values_list("pk", flat=True))
    waiting = sorted(holds.filter(status=Reservation.Status.WAITING).values_list("pk", flat=True))
    assert (len(ready), len(waiting)) == (2, 4)
    assert max(ready) < min(waiting)
    assert copies(book) == 0


def test_parallel_adds_of_one_isbn_make_one_active_book() -> None:
    # given eight members adding the same book at once, half of them by its ISBN-10, and a withdrawn copy
    users = [UserFactory() for _ in range(8)]
    withdrawn = BookFactory(isbn="9780306406157")
    services.delete_book(actor=make_librarian(), book_id=withdrawn.pk)
    forms = ["0-306-40615-2", "9780306406157"]
    # when
    outcomes = run_together(8, lambda i: services.create_book(actor=users[i], title=f"Copy {i}", isbn=forms[i % 2]))
    # then one is added; the database's unique index refuses the others (no lock guards the check before it)
    assert Counter(outcomes) == {"ok": 1, "isbn_taken": 7}
    assert Book.objects.filter(isbn="9780306406157").count() == 1
    assert Book.all_objects.filter(isbn="9780306406157").count() == 2


def test_parallel_likes_count_once_per_member() -> None:
    # given
    book = BookFactory()
    same_user = UserFactory()
    users = [UserFactory() for _ in range(6)]
    # when
    run_together(6, lambda i: services.like_book(actor=same_user, book_id=book.pk))
    run_together(6, lambda i: services.like_book(actor=users[i], book_id=book.pk))
    run_together(6, lambda i: services.unlike_book(actor=same_user, book_id=book.pk))
    # then
    assert Book.objects.get(pk=book.pk).likes_count == 6
    assert Like.objects.filter(book=book).count() == 6

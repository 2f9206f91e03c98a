"""Demo data and the bulk generator."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from circulate.accounts import demo as accounts_demo
from circulate.accounts.models import User
from circulate.library import demo, services
from circulate.library.filters import search_books
from circulate.library.models import Author, Book, Like, Loan, Member, Reservation

pytestmark = pytest.mark.django_db


def test_demo_data_covers_every_state_and_is_idempotent() -> None:
    # given the demo users
    accounts_demo.seed()
    # when
    demo.seed()
    counts = (Book.objects.count(), Member.objects.count(), Loan.objects.count(), Reservation.objects.count())
    demo.seed()
    # then
    assert counts == (
        Book.objects.count(),
        Member.objects.count(),
        Loan.objects.count(),
        Reservation.objects.count(),
    )
    assert Book.objects.count() >= 45
    assert set(Reservation.objects.values_list("status", flat=True)) == set(Reservation.Status.values)
    assert Loan.objects.filter(returned_at__isnull=False).exists()
    assert Loan.objects.filter(renewals__gt=0).exists()
    assert Member.objects.get(user__email="alice@circulate.local").card.tier.is_default
    assert Member.objects.filter(user__isnull=True).count() == 2
    for book in Book.objects.all():
        assert 0 <= book.copies_available <= book.copies_total
        assert book.likes_count == Like.objects.filter(book=book).count()


def test_demo_seed_runs_again_after_people_added_namesakes() -> None:
    # given a seeded demo where members then added an author and a book named like demo ones
    accounts_demo.seed()
    demo.seed()
    librarian = User.objects.get(email="librarian@circulate.local")
    namesake = services.create_author(actor=librarian, name="Jane Austen")
    services.create_book(actor=librarian, title="Emma", isbn="9780141439587", authors=[namesake], copies_total=1)
    books = Book.objects.count()
    # when
    summary = demo.seed()
    # then nothing is duplicated and the demo keeps its own rows
    assert "0 book(s) added" in summary
    assert Book.objects.count() == books
    assert Author.objects.filter(name="Jane Austen").count() == 2


def test_generate_library_adds_consistent_books_and_can_run_again() -> None:
    # when
    call_command("generate_library", books=120, authors=15, members=10, batch_size=50, stdout=StringIO())
    call_command("generate_library", books=30, authors=5, members=5, stdout=StringIO())
    # then
    assert Book.objects.count() == 150
    assert Author.objects.count() == 20
    assert Book.objects.filter(authors__isnull=True).count() == 0
    book = Book.objects.order_by("pk").prefetch_related("authors").first()
    assert book is not None
    surname = book.authors.all()[0].name.split()[-1]
    assert surname.upper() in book.search_text
    assert search_books(Book.objects.all(), surname.lower()).filter(pk=book.pk).exists()
    for row in Book.objects.all():
        assert row.likes_count == Like.objects.filter(book=row).count()
        assert row.copies_available == row.copies_total


@pytest.mark.postgres
def test_generate_library_analyzes_what_it_loaded() -> None:
    # when
    call_command("generate_library", books=300, authors=40, members=10, batch_size=100, stdout=StringIO())
    # then the planner knows the new sizes without waiting for autovacuum
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reltuples FROM pg_class WHERE relname IN ('library_book', 'library_author')")
        estimates = dict(cursor.fetchall())
    assert estimates == {"library_book": 300, "library_author": 40}

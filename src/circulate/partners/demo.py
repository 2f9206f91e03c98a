"""Demo data for partner branches (``manage.py seed_demo``). Idempotent.

Registers the local branch service (``services/branch``, started by ``make run`` on
``PARTNERS_DEMO_BRANCH_URL``) as "Riverside branch", and stocks that branch's own database
(``BRANCH_DATABASE_URL``) with copies of a dozen demo titles (two of them with no free copy),
so reserving at a branch works on the first ``make run``. Titles the branch already holds
are left as they are.
"""

from __future__ import annotations

from django.conf import settings

from circulate.library.models import Book
from circulate.partners.models import PartnerBranch
from circulate_branch.seeding import stock_missing_books

DEMO_TITLES = 12
# Copies per demo title, in catalogue order: mostly some, a few none (the "no free copy" case).
COPIES = (3, 1, 2, 0, 4, 1, 2, 0, 1, 3, 2, 1)


def seed() -> str:
    branch, created = PartnerBranch.all_objects.get_or_create(
        code="riverside",
        defaults={
            "name": "Riverside branch",
            "base_url": settings.PARTNERS_DEMO_BRANCH_URL,
            "token": settings.PARTNERS_DEMO_BRANCH_TOKEN,
        },
    )
    books = list(Book.objects.order_by("title", "id")[:DEMO_TITLES])
    stock = [(book.isbn, book.title, COPIES[i % len(COPIES)]) for i, book in enumerate(books)]
    added = stock_missing_books(settings.BRANCH_DATABASE_URL, stock)
    return f"{'registered' if created else 'kept'} {branch.name} at {branch.base_url}; {added} title(s) stocked there"

"""Races on PostgreSQL: many reservations of one book at once, through the real branch service."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from circulate.bikes.tests.test_concurrency import run_together
from circulate.library.tests.factories import make_librarian, member_with_card
from circulate.partners import services
from circulate.partners.models import PartnerBranch, PartnerReservation
from circulate.partners.tests.branch_servers import BranchService

pytestmark = [pytest.mark.locking, pytest.mark.django_db(transaction=True)]


def test_a_double_click_reserves_once(
    alice: Any, book: Any, branch: PartnerBranch, branch_service: BranchService
) -> None:
    # given
    branch_service.stock(book.isbn, 5)

    # when
    outcomes = run_together(
        10, lambda i: services.reserve_at_branch(actor=alice, book_id=book.pk, branch_id=branch.pk).pk
    )

    # then: every click answered with the one reservation, or that it is already open
    ids = {o for o in outcomes if isinstance(o, int)}
    assert len(ids) == 1
    assert set(outcomes) - ids <= {"partner_reservation_open"}
    assert PartnerReservation.objects.count() == 1
    assert branch_service.status(book.isbn)["holds"] == 1


def test_ten_members_race_for_the_last_copy(book: Any, branch: PartnerBranch, branch_service: BranchService) -> None:
    # given
    branch_service.stock(book.isbn, 1)
    users = [member_with_card(user=None) for _ in range(10)]
    librarian = make_librarian()

    # when
    outcomes = run_together(
        10,
        lambda i: (
            services.reserve_at_branch(
                actor=librarian, book_id=book.pk, branch_id=branch.pk, member_id=users[i].pk
            ).status
        ),
    )

    # then
    assert Counter(outcomes) == {"pending": 1, "partner_no_copies": 9}
    assert branch_service.status(book.isbn)["copies_available"] == 0

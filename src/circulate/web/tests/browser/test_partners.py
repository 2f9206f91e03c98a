"""Partner branches in the console: a member on a phone reserves at a branch and cancels; a
librarian sees the branch's copies on a book's relations view and the call log, and a stopped
branch's refusal beside the button. Against the real branch service on a loopback port."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from circulate.accounts.roles import LIBRARIAN
from circulate.accounts.tests.factories import UserFactory
from circulate.library import services as library
from circulate.partners.models import PartnerBranch, PartnerReservation
from circulate.partners.tests.branch_servers import TOKEN, BranchService
from circulate.web.tests.browser.conftest import assert_accessible, isbn13, screenshot, sign_in, standard_tier

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def branch_service(tmp_path: Path) -> Iterator[BranchService]:
    service = BranchService(tmp_path).start()
    yield service
    service.stop()


def _branch(service: BranchService) -> PartnerBranch:
    return PartnerBranch.objects.create(
        name="Riverside branch", code="riverside", base_url=service.url, token=TOKEN, read_timeout=1, max_attempts=1
    )


def _ready(page: Page) -> None:
    expect(page.locator("body")).to_have_attribute("data-ready", "true")


def test_a_member_on_a_phone_reserves_at_a_branch_and_cancels(
    new_page: Callable[..., Page], branch_service: BranchService
) -> None:
    # given Alice with a card, a book the branch holds one copy of
    librarian = UserFactory(roles=[LIBRARIAN])
    alice = UserFactory(username="alice", full_name="Alice Reader")
    me = library.get_or_create_member_for_user(user=alice)
    library.issue_or_renew_card(actor=librarian, member_id=me.pk, tier=standard_tier())
    dune = library.create_book(actor=librarian, title="Dune", isbn=isbn13(41))
    branch_service.stock(dune.isbn, 1, title="Dune")
    _branch(branch_service)
    page = new_page(phone=True)
    sign_in(page, alice.email)

    # when she opens the book at the branches
    page.goto(f"/partners/?book={dune.pk}")
    _ready(page)

    # then she sees the branch's copy, and no call log
    tabs = [text.strip() for text in page.locator('[role="tab"]:visible').all_inner_texts()]
    assert tabs == ["Find at branches", "Reservations", "Branches"]
    row = page.locator('#partner-panel tr[data-branch="riverside"]')
    expect(row).to_contain_text("1 of 1 free")
    assert_accessible(page, "a book at the branches on a phone")
    screenshot(page, "member-phone-partner-branches")

    # when she reserves there
    row.get_by_role("button", name="Reserve at Riverside branch").click()

    # then the answer is beside the button and the branch holds the copy for her
    expect(row.locator(".outcome")).to_have_text("201 Created: Reserved at Riverside branch: pending.")
    assert branch_service.status(dune.isbn)["holds"] == 1

    # when she cancels it on the reservations tab
    page.get_by_role("tab", name="Reservations").click()
    reservation = PartnerReservation.objects.get()
    line = page.locator(f'[data-table="partner-reservations"] tr[data-id="{reservation.pk}"]')
    expect(line).to_contain_text("pending")
    assert_accessible(page, "partner reservations on a phone")
    line.get_by_role("button", name="Cancel Dune at Riverside branch").click()

    # then
    expect(line).to_contain_text("cancelled")
    assert branch_service.status(dune.isbn)["copies_available"] == 1


def test_a_librarian_sees_branch_copies_on_the_relations_view_and_the_call_log(
    new_page: Callable[..., Page], branch_service: BranchService
) -> None:
    # given
    librarian = UserFactory(roles=[LIBRARIAN])
    member, other = (library.create_member(actor=librarian, name=name) for name in ("Walter Walk-in", "Erin"))
    for reader in (member, other):
        library.issue_or_renew_card(actor=librarian, member_id=reader.pk, tier=standard_tier())
    emma = library.create_book(actor=librarian, title="Emma", isbn=isbn13(42))
    branch_service.stock(emma.isbn, 2, title="Emma")
    _branch(branch_service)
    page = new_page()
    sign_in(page, librarian.email)

    # when the librarian reserves for Walter from the book's relations view
    page.goto(f"/library/relations/?book={emma.pk}")
    _ready(page)
    panel = page.locator('[data-kind="partner-branches"]')
    expect(panel).to_contain_text("2 of 2 free")
    panel.get_by_label("For member (id)").fill(str(member.pk))
    panel.get_by_role("button", name="Reserve at Riverside branch").click()

    # then
    expect(panel.locator(".outcome")).to_contain_text("201 Created")
    assert PartnerReservation.objects.get().member_id == member.pk
    assert_accessible(page, "the relations view with partner branches")

    # when the branch stops and she reserves for another member: the refusal shows beside the button
    branch_service.stop()
    page.goto(f"/partners/?book={emma.pk}")
    _ready(page)
    row = page.locator('#partner-panel tr[data-branch="riverside"]')
    expect(row).to_contain_text("1 of 2 free")  # the stored answer is still fresh
    page.locator("#partner-panel").get_by_label("For member (id)").fill(str(other.pk))
    row.get_by_role("button", name="Reserve at Riverside branch").click()
    expect(row.locator(".outcome")).to_contain_text("503 Service unavailable: Riverside branch does not answer now")

    # and the call log lists every call, the failed one included
    page.get_by_role("tab", name="Call log").click()
    calls = page.locator('[data-table="partner-calls"] tbody')
    expect(calls).to_contain_text("POST")
    expect(calls).to_contain_text("no answer")
    assert_accessible(page, "the call log")
    screenshot(page, "librarian-partner-calls")

"""The library page for the people who use it: each role its own way through, answers beside the button.

A member on a phone reserves and cancels; a librarian at the desk issues, renews and returns
by ISBN and card number; a refusal shows beside the button that caused it; filtered views are
URLs to bookmark; axe-core finds no serious accessibility violation on any tab; events that
arrive while the socket is down appear in the notifications panel when it reconnects.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, WebSocketRoute, expect

from circulate.accounts.roles import LIBRARIAN
from circulate.accounts.tests.factories import UserFactory
from circulate.library import services as library
from circulate.library.models import Loan
from circulate.web.tests.browser.conftest import assert_accessible, isbn13, screenshot, sign_in, standard_tier

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIBRARIAN_TABS = ["Desk", "Catalogue", "Members", "Loans", "Holds", "Authors"]
MEMBER_TABS = ["Catalogue", "My loans", "My holds", "My card"]


def visible_tabs(page: Page) -> list[str]:
    return [text.strip() for text in page.locator('[role="tab"]:visible').all_inner_texts()]


def book_row(page: Page, book_id: int) -> Any:
    return page.locator(f'#books-body tr[data-id="{book_id}"]')


def test_a_member_on_a_phone_reserves_and_cancels_and_sees_only_their_own_way(new_page: Callable[..., Page]) -> None:
    # given Alice with a card, a book whose only copy is out, and a book on the shelf
    librarian = UserFactory(roles=[LIBRARIAN])
    tier = standard_tier()
    alice = UserFactory(username="alice", full_name="Alice Reader")
    me = library.get_or_create_member_for_user(user=alice)
    card = library.issue_or_renew_card(actor=librarian, member_id=me.pk, tier=tier).card
    borrower = library.create_member(actor=librarian, name="Bob Borrower")
    library.issue_or_renew_card(actor=librarian, member_id=borrower.pk, tier=tier)
    dune = library.create_book(actor=librarian, title="Dune", isbn=isbn13(31))
    library.create_book(actor=librarian, title="Emma", isbn=isbn13(32))
    library.issue_loan(actor=librarian, book_id=dune.pk, member_id=borrower.pk)
    page = new_page(phone=True)
    sign_in(page, alice.email)

    # then she sees her own tabs, no desk, and no staff links
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    assert visible_tabs(page) == MEMBER_TABS
    navbar = page.locator(".navbar nav")
    expect(navbar.get_by_role("link", name="Admin")).to_be_hidden()
    expect(navbar.get_by_role("link", name="Dev outbox")).to_be_hidden()
    row = book_row(page, dune.pk)
    expect(row.get_by_role("button", name="Reserve Dune")).to_be_visible()
    for forbidden in ("Edit Dune", "Delete Dune", "Lend Dune at the desk"):
        expect(row.get_by_role("button", name=forbidden)).to_have_count(0)
    assert_accessible(page, "the member's catalogue on a phone")

    # when she reserves Dune, whose copy is out
    row.get_by_role("button", name="Reserve Dune").click()

    # then the answer is in Dune's row: she is first in the queue
    expect(row.locator(".outcome")).to_have_text("201 Created: Reserved. You are number 1 in the queue.")

    # when she reserves it again, the refusal shows beside the same button, in words
    row.get_by_role("button", name="Reserve Dune").click()
    expect(row.locator(".outcome")).to_contain_text("409 Refused: This member already has an active reservation")
    screenshot(page, "member-phone-catalogue")

    # when she opens her holds
    page.get_by_role("tab", name="My holds").click()
    hold = page.locator('[data-table="myholds"] tbody tr', has_text="Dune")
    expect(hold).to_contain_text("waiting")
    expect(hold.locator("td").nth(2)).to_have_text("1")
    assert_accessible(page, "the member's holds on a phone")
    screenshot(page, "member-phone-holds")

    # and cancels the hold: the row says so in place
    hold.get_by_role("button", name="Cancel the hold on Dune").click()
    expect(hold.locator(".outcome")).to_have_text("200 OK: Hold cancelled.")
    expect(hold).to_contain_text("cancelled")
    expect(hold.get_by_role("button", name="Cancel the hold on Dune")).to_have_count(0)

    # and her card is on its own tab
    page.get_by_role("tab", name="My card").click()
    expect(page.locator("#my-card-number")).to_have_text(card.number)
    assert_accessible(page, "the member's card on a phone")
    screenshot(page, "member-phone-card")


def test_a_librarian_at_the_desk_issues_renews_and_returns(new_page: Callable[..., Page]) -> None:
    # given a walk-in reader whose tier allows 3 loans, and 4 books
    librarian = UserFactory(username="lena", roles=[LIBRARIAN])
    tier = standard_tier()
    wendy = library.create_member(actor=librarian, name="Walk-in Wendy")
    card = library.issue_or_renew_card(actor=librarian, member_id=wendy.pk, tier=tier).card
    books = [library.create_book(actor=librarian, title=f"Book number {n}", isbn=isbn13(100 + n)) for n in range(4)]
    page = new_page()
    sign_in(page, librarian.email)

    # then the desk is the first tab; a librarian who is not staff gets no admin links
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    assert visible_tabs(page) == LIBRARIAN_TABS
    expect(page.get_by_role("tab", name="Desk")).to_have_attribute("aria-selected", "true")
    expect(page.locator(".navbar nav").get_by_role("link", name="Admin")).to_be_hidden()
    assert_accessible(page, "the desk")
    outcome = page.locator("#desk-issue-outcome")

    def issue(isbn: str) -> None:
        page.get_by_label("Book ISBN (scan or type)").first.fill(isbn)
        page.get_by_label("Member card number", exact=True).fill(card.number)
        page.get_by_role("button", name="Issue", exact=True).click()

    # when the librarian issues three loans by ISBN and card number (the first ISBN typed with hyphens)
    isbn = books[0].isbn
    issue(f"{isbn[:3]}-{isbn[3]}-{isbn[4:9]}-{isbn[9:12]}-{isbn[12]}")
    expect(outcome).to_contain_text("201 Created: “Book number 0” lent to Walk-in Wendy. Due")
    for book in books[1:3]:
        issue(book.isbn)
        expect(outcome).to_contain_text(f"201 Created: “{book.title}” lent to Walk-in Wendy.")

    # then the fourth is refused beside the Issue button, with the limit in words
    issue(books[3].isbn)
    expect(outcome).to_contain_text("409 Refused")
    expect(outcome).to_contain_text("at most 3")
    screenshot(page, "librarian-desk")

    # when the librarian renews the first loan on the Loans tab
    page.get_by_role("tab", name="Loans").click()
    loans = page.locator('[data-table="loans"] tbody tr')
    expect(loans).to_have_count(3)
    first = loans.filter(has_text="Book number 0")
    first.get_by_role("button", name="Renew Book number 0").click()
    expect(first.locator(".outcome")).to_contain_text("200 OK: Renewed: now due")
    assert_accessible(page, "the loans tab")

    # and takes it back at the desk by its ISBN
    page.get_by_role("tab", name="Desk").click()
    page.locator("#desk-return-isbn").fill(books[0].isbn)
    page.get_by_role("button", name="Return", exact=True).click()
    expect(page.locator("#desk-return-outcome")).to_have_text("200 OK: “Book number 0” is back from Walk-in Wendy.")
    assert Loan.objects.get(book=books[0]).renewals == 1
    assert Loan.objects.get(book=books[0]).returned_at is not None

    # then the Loans tab lists the two still out
    page.get_by_role("tab", name="Loans").click()
    expect(loans).to_have_count(2)
    for tab in ("Members", "Holds", "Authors", "Catalogue"):
        page.get_by_role("tab", name=tab).click()
        expect(page.locator(f'[role="tabpanel"][data-tab="{tab.lower()}"] caption')).not_to_be_empty()
        assert_accessible(page, f"the librarian's {tab} tab")
    screenshot(page, "librarian-catalogue")

    # and a librarian on a phone gets the same desk
    phone = new_page(phone=True)
    sign_in(phone, librarian.email)
    expect(phone.locator("body")).to_have_attribute("data-ready", "true")
    assert_accessible(phone, "the desk on a phone")
    screenshot(phone, "librarian-phone-desk")


def test_an_unknown_isbn_or_card_is_refused_beside_the_button(new_page: Callable[..., Page]) -> None:
    # given
    librarian = UserFactory(roles=[LIBRARIAN])
    page = new_page()
    sign_in(page, librarian.email)
    # when
    page.get_by_label("Book ISBN (scan or type)").first.fill(isbn13(999))
    page.get_by_label("Member card number", exact=True).fill("LIB-NOSUCHCARD")
    page.get_by_role("button", name="Issue", exact=True).click()
    # then
    expect(page.locator("#desk-issue-outcome")).to_contain_text(f"404 Not found: No book with ISBN {isbn13(999)}")
    # and a malformed ISBN gets the API's own words
    page.get_by_label("Book ISBN (scan or type)").first.fill("12345")
    page.get_by_role("button", name="Issue", exact=True).click()
    expect(page.locator("#desk-issue-outcome")).to_contain_text("400 Invalid input: isbn:")


def test_a_filtered_view_is_a_url_to_bookmark_and_share(new_page: Callable[..., Page]) -> None:
    # given a catalogue of seven books
    adder = UserFactory()
    titles = ["Kindred", "Dawn", "Wild Seed", "Parable of the Sower", "Fledgling", "Bloodchild", "Imago"]
    books = {
        title: library.create_book(actor=adder, title=title, isbn=isbn13(200 + n)) for n, title in enumerate(titles)
    }
    reader = UserFactory()
    page = new_page()
    sign_in(page, reader.email)

    # when a search is typed, the URL records it and the page size
    page.get_by_label("Title, author or ISBN").fill("Seed")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#books-body tr")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"[?&]books\.search=Seed(&|$)"))
    page.get_by_label("Rows per page").select_option("5")
    page.get_by_label("Title, author or ISBN").fill("")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#books-body tr")).to_have_count(5)
    page.get_by_role("button", name="Next").click()
    expect(page.locator("#books-body tr")).to_have_count(2)
    shared = page.url
    assert "books.page=2" in shared
    assert "books.page_size=5" in shared

    # then someone else opening that URL sees the same page
    other = new_page()
    sign_in(other, UserFactory().email)
    other.goto(shared)
    expect(other.locator("#books-body tr")).to_have_count(2)
    expect(other.locator('[data-table="books"] caption')).to_have_text("6\N{EN DASH}7 of 7")

    # and a bookmarked filter opens filtered
    other.goto("/library/?tab=catalogue&books.search=Kindred")
    expect(other.locator("#books-body tr")).to_have_count(1)
    expect(book_row(other, books["Kindred"].pk)).to_be_visible()
    expect(other.get_by_label("Title, author or ISBN")).to_have_value("Kindred")


def test_events_missed_while_the_socket_was_down_appear_in_the_panel(new_page: Callable[..., Page]) -> None:
    # given Alice signed in, her notification socket going through a switch the test controls
    adder = UserFactory()
    alice = UserFactory(username="alice")
    page = new_page()
    sockets: list[WebSocketRoute] = []
    network = {"down": False}

    def route(socket: WebSocketRoute) -> None:
        if network["down"]:
            socket.close(code=4000, reason="network down")
            return
        sockets.append(socket)
        socket.connect_to_server()

    page.route_web_socket("**/ws/notifications/**", route)
    sign_in(page, alice.email)
    expect(page.locator("#bell")).to_have_attribute("data-live", "true")
    page.locator("#bell").click()
    expect(page.locator("#notifications-list")).to_contain_text("Nothing yet.")

    # when the connection drops and two books are added meanwhile
    network["down"] = True
    sockets[-1].close(code=4000, reason="network down")
    expect(page.locator("#bell")).to_have_attribute("data-live", "false")
    library.create_book(actor=adder, title="Missed One", isbn=isbn13(301))
    library.create_book(actor=adder, title="Missed Two", isbn=isbn13(302))

    # and the connection comes back
    network["down"] = False

    # then both events appear in the open panel, marked as arrived while offline
    panel = page.locator("#notifications-list")
    expect(panel.locator("li", has_text="New book: Missed One")).to_contain_text("while offline")
    expect(panel.locator("li", has_text="New book: Missed Two")).to_contain_text("while offline")
    expect(page.locator(".toast", has_text="2 notifications arrived while you were offline")).to_be_visible()
    expect(page.locator("#bell")).to_have_attribute("data-live", "true")
    screenshot(page, "notifications-replayed")

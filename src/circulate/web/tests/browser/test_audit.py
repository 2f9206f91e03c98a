"""The audit trail in the console: staff read and filter it; a book's history on the relations view.

Staff open /audit/ and see every change newest first, narrow it by an action prefix, jump to
one object's history from its row (a URL to bookmark), and page back with "Older"; a member
gets no Audit link and a refusal in words; the relations view of a book shows staff its history.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from circulate.accounts.tests.factories import UserFactory
from circulate.library import services as library
from circulate.web.tests.browser.conftest import assert_accessible, isbn13, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_filter_the_trail_and_open_one_objects_history(new_page: Callable[..., Page]) -> None:
    # given a member who added three books and edited one of them
    adder = UserFactory()
    dune = library.create_book(actor=adder, title="Dune", isbn=isbn13(901))
    library.create_book(actor=adder, title="Emma", isbn=isbn13(902))
    library.create_book(actor=adder, title="Ulysses", isbn=isbn13(903))
    library.update_book(actor=adder, book_id=dune.pk, title="Dune Messiah")
    staff = UserFactory(is_staff=True)
    page = new_page()
    sign_in(page, staff.email)

    # when staff open the audit trail from the navbar
    page.get_by_role("link", name="Audit", exact=True).click()
    page.wait_for_selector("body[data-ready=true]")
    rows = page.locator('[data-table="audit"] tbody tr')
    # then the newest entry comes first, with its change as old → new
    expect(rows.first).to_contain_text("library.book.update")
    expect(rows.first).to_contain_text("title: Dune → Dune Messiah")
    assert_accessible(page, "the audit trail")

    # when they narrow it to one action, the URL records the filter
    page.get_by_label("Action").fill("library.book.create")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(3)
    expect(page).to_have_url(re.compile(r"[?&]audit\.action=library\.book\.create(&|$)"))

    # when they open Dune's history from its row
    page.get_by_label("Action").fill("")
    page.get_by_role("button", name="Filter").click()
    page.locator('[data-table="audit"] tbody tr', has_text="library.book.update").get_by_role(
        "button", name="Dune Messiah"
    ).click()
    # then only that book's entries remain, and the view is a URL another staff member can open
    expect(rows).to_have_count(2)
    expect(page.get_by_label("Object")).to_have_value(f"library.book:{dune.pk}")
    shared = page.url
    assert f"audit.object=library.book%3A{dune.pk}" in shared or f"audit.object=library.book:{dune.pk}" in shared
    screenshot(page, "staff-audit-object-history")

    other = new_page()
    sign_in(other, UserFactory(is_staff=True).email)
    other.goto(shared)
    expect(other.locator('[data-table="audit"] tbody tr')).to_have_count(2)


def test_the_cursor_pages_through_older_entries(new_page: Callable[..., Page]) -> None:
    # given seven books added, one entry each
    adder = UserFactory()
    for n in range(7):
        library.create_book(actor=adder, title=f"Book {n}", isbn=isbn13(910 + n))
    page = new_page()
    sign_in(page, UserFactory(is_staff=True).email)
    page.goto("/audit/?audit.page_size=5")
    rows = page.locator('[data-table="audit"] tbody tr')
    # then five rows, the newest first; "Older" shows the other two and "Newer" comes back
    expect(rows).to_have_count(5)
    expect(rows.first).to_contain_text("Book 6")
    page.get_by_role("button", name="Older").click()
    expect(rows).to_have_count(2)
    expect(rows.last).to_contain_text("Book 0")
    expect(page).to_have_url(re.compile(r"[?&]audit\.cursor="))
    page.get_by_role("button", name="Newer").click()
    expect(rows).to_have_count(5)
    expect(rows.first).to_contain_text("Book 6")


def test_a_member_gets_no_audit_link_and_a_refusal_in_words(new_page: Callable[..., Page]) -> None:
    # given a member
    page = new_page(phone=True)
    sign_in(page, UserFactory().email)
    # then the navbar offers no audit trail
    expect(page.get_by_role("link", name="Audit", exact=True)).to_be_hidden()
    # and opening the page anyway says why nothing is shown
    page.goto("/audit/")
    page.wait_for_selector("body[data-ready=true]")
    expect(page.locator("#audit-refused")).to_have_text("Only staff may read the audit trail.")
    expect(page.locator('[data-table="audit"]')).to_be_hidden()


def test_the_relations_view_shows_staff_the_books_history(new_page: Callable[..., Page]) -> None:
    # given a book added and renamed
    adder = UserFactory()
    book = library.create_book(actor=adder, title="Kindred", isbn=isbn13(920))
    library.update_book(actor=adder, book_id=book.pk, title="Kindred (2nd ed.)")
    # when staff open its relations
    page = new_page()
    sign_in(page, UserFactory(is_staff=True).email)
    page.goto(f"/library/relations/?book={book.pk}")
    page.wait_for_selector("body[data-ready=true]")
    # then the history panel lists its two entries, newest first, and links to the trail
    history = page.locator('[data-table="history"] tbody tr')
    expect(history).to_have_count(2)
    expect(history.first).to_contain_text("title: Kindred → Kindred (2nd ed.)")
    expect(page.locator("#history-link")).to_have_attribute(
        "href", re.compile(rf"audit\.object=library\.book%3A{book.pk}")
    )
    # and a member sees no history panel
    member = new_page()
    sign_in(member, adder.email)
    member.goto(f"/library/relations/?book={book.pk}")
    member.wait_for_selector("body[data-ready=true]")
    expect(member.locator("#history-panel")).to_be_hidden()

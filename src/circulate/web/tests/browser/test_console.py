"""The console end to end, in headless Chromium against a real ASGI server.

Each scenario is what a person does with the buttons: sign up and confirm through the
dev outbox; watch the bell count another member's new book live; change a password and stay
signed in. The library's role-aware views are in ``test_library_roles.py``. Screenshots of
every page land in test-artifacts/screenshots/.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from circulate.accounts.models import User
from circulate.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from circulate.library import services as library
from circulate.web.tests.browser.conftest import isbn13, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_and_confirm_through_the_dev_outbox(new_page: Callable[..., Page]) -> None:
    # given an administrator who may read the dev outbox
    admin = UserFactory(is_staff=True, is_superuser=True)
    visitor = new_page()

    # when a visitor signs up
    visitor.goto("/")
    screenshot(visitor, "landing")
    visitor.get_by_role("link", name="Create an account").click()
    visitor.get_by_label("E-mail").fill("newcomer@example.com")
    visitor.get_by_label("Username").fill("newcomer")
    visitor.get_by_label("Full name").fill("Nora Newcomer")
    visitor.get_by_label("Password").fill("a-long-and-unusual-passphrase")
    visitor.get_by_role("button", name="Sign up").click()

    # then the page says where the confirmation went
    expect(visitor.locator("#sign-up-next")).to_contain_text("newcomer@example.com")
    screenshot(visitor, "sign-up-done")

    # when the administrator opens the confirmation link from the dev outbox
    staff = new_page()
    sign_in(staff, admin.email)
    staff.get_by_role("link", name="Dev outbox").click()
    message = staff.locator("article.outbox-message", has_text="newcomer@example.com").first
    expect(message).to_be_visible()
    screenshot(staff, "outbox")
    message.locator('a[href*="/confirm-email/?token="]').click()

    # then the address is confirmed
    expect(staff.locator("#confirm-outcome")).to_contain_text("confirmed")
    screenshot(staff, "confirm-email")
    assert User.objects.get(email="newcomer@example.com").email_verified_at is not None

    # and the newcomer signs in, confirmed, and signs out again
    sign_in(visitor, "newcomer", "a-long-and-unusual-passphrase")
    expect(visitor.locator("#nav-user")).to_contain_text("newcomer")
    expect(visitor.locator("#nav-user")).not_to_contain_text("not confirmed")
    visitor.get_by_role("button", name="Sign out").click()
    expect(visitor.locator("#signed-out-notice")).to_be_visible()
    expect(visitor.get_by_role("link", name="Sign in").first).to_be_visible()
    screenshot(visitor, "sign-in")
    visitor.get_by_role("link", name="Forgot your password?").click()
    expect(visitor.get_by_role("heading", name="Reset your password")).to_be_visible()
    screenshot(visitor, "reset-password")


def test_a_new_book_rings_the_other_members_bell_live(new_page: Callable[..., Page]) -> None:
    # given two members signed in, each in their own browser
    author = library.create_author(actor=UserFactory(), name="Ursula K. Le Guin")
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    page_a, page_b = new_page(), new_page()
    sign_in(page_a, alice.email)
    sign_in(page_b, bob.email)
    expect(page_b.locator("#bell")).to_have_attribute("data-live", "true")
    expect(page_b.locator("#bell-count")).to_have_text("0")

    # when A adds a book with the form, choosing its author by name
    page_a.locator("#book-form-title").click()
    page_a.get_by_label("Title", exact=True).fill("The Dispossessed")
    page_a.get_by_label("ISBN (10 or 13 digits)").fill(isbn13(1))
    page_a.get_by_label("Copies", exact=True).fill("2")
    page_a.get_by_label("Authors (type to find, pick any number)").fill("Le Guin")
    page_a.get_by_role("checkbox", name=author.name).check()
    page_a.get_by_role("button", name="Add the book").click()
    expect(page_a.locator("#book-form-outcome")).to_contain_text("201")

    # then B's bell shows 1 and a toast names the book, without a reload; B's list has the book
    expect(page_b.locator("#bell-count")).to_have_text("1")
    expect(page_b.locator(".toast")).to_contain_text("The Dispossessed")
    expect(page_b.locator("#books-body")).to_contain_text("The Dispossessed")
    screenshot(page_b, "library-bell")

    # when B opens the notifications list
    page_b.locator("#bell").click()

    # then the event is listed and the counter resets
    expect(page_b.locator("#notifications-list")).to_contain_text("New book: The Dispossessed")
    expect(page_b.locator("#bell-count")).to_have_text("0")
    screenshot(page_b, "notifications")
    # and A, who acted, was not notified of their own book
    expect(page_a.locator("#bell-count")).to_have_text("0")


def test_a_member_changes_their_password_on_the_account_page_and_stays_signed_in(
    new_page: Callable[..., Page],
) -> None:
    # given a signed-in member and a book on the shelf
    member = UserFactory(username="paula", full_name="Paula Passwort")
    library.create_book(actor=member, title="The Left Hand of Darkness", isbn=isbn13(21))
    page = new_page(phone=True)
    sign_in(page, member.email)

    # when the member opens their account from the navbar
    page.locator("#nav-account").click()
    page.wait_for_url("**/account/")

    # then the profile is shown
    expect(page.locator("#profile-email")).to_have_text(member.email)
    expect(page.locator("#profile-full-name")).to_have_text("Paula Passwort")

    # when the member changes the password
    page.locator("#password-form").get_by_label("Current password").fill(DEFAULT_PASSWORD)
    page.get_by_label("New password").fill("a-brand-new-passphrase-42")
    page.get_by_role("button", name="Change the password").click()

    # then the success is shown in words
    expect(page.locator("#password-outcome")).to_contain_text("200 OK: Your password is changed")
    screenshot(page, "account-password-changed")

    # and the console stays signed in: the library loads, and the profile loads again after a reload
    page.goto("/library/")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    expect(page.locator("#nav-user")).to_contain_text("paula")
    expect(page.locator("#books-body")).to_contain_text("The Left Hand of Darkness")
    page.goto("/account/")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    expect(page.locator("#profile-email")).to_have_text(member.email)
    expect(page.locator("#profile-outcome")).to_be_empty()

    # and after signing out the member signs in with the new password
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("#signed-out-notice")).to_be_visible()
    sign_in(page, "paula", "a-brand-new-passphrase-42")

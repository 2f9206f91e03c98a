"""The API docs (Swagger UI and Redoc) render in the browser with no request off the machine.

The ``new_page`` fixture aborts and records any request to a host other than loopback and
fails the test with it: web fonts, CDN scripts or an online validator badge would show here.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from circulate.accounts.tests.factories import UserFactory
from circulate.web.tests.browser.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_redoc_renders_the_schema_offline(new_page: Callable[..., Page]) -> None:
    # given
    page = new_page()
    # when
    page.goto("/api/redoc/")
    # then the schema is rendered and every request it caused has been made
    expect(page.get_by_role("heading", name="Circulate API", exact=False).first).to_be_visible()
    page.wait_for_load_state("networkidle")
    # The window only: Redoc lays out every operation on one page, tens of thousands of pixels
    # tall, and a full-page capture of it ran past the 30 s timeout on a busy machine.
    screenshot(page, "api-redoc", full_page=False)


def test_swagger_ui_renders_the_schema_offline_for_a_signed_in_user(new_page: Callable[..., Page]) -> None:
    # given a signed-in user (Swagger UI then sends the session cookie with "Try it out")
    user = UserFactory()
    page = new_page()
    sign_in(page, user.email)
    # when
    page.goto("/api/docs/")
    # then
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Circulate API")
    expect(page.locator(".opblock").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    screenshot(page, "api-swagger")

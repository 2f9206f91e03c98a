"""End-to-end fixtures: a real ASGI server (uvicorn) on the test database, and headless Chromium.

The server runs in a subprocess, so the tests use ``django_db(transaction=True)``: what a
test creates is committed and the server sees it. The server gets no EMAIL_* variables,
so mail goes to the dev outbox in the same database.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Route, expect, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from circulate.accounts.tests.factories import DEFAULT_PASSWORD
from circulate.core.asgi_server import free_loopback_port, running_asgi_server
from circulate.core.testing import database_url_of_this_connection
from circulate.library.models import MembershipTier

REPO = Path(__file__).resolve().parents[5]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
TIMEOUT_MS = 30_000
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
PHONE = {"width": 390, "height": 844}
# axe-core impacts that fail a test; "moderate" and "minor" findings are reported, not fatal.
BLOCKING_IMPACTS = {"serious", "critical"}


@pytest.fixture(scope="module")
def server_url(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """uvicorn serving ``circulate.asgi:application`` (HTTP and WebSocket) against the test database."""
    with django_db_blocker.unblock():
        database_url = database_url_of_this_connection()
    port = free_loopback_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("EMAIL_")}
    env.pop("TEST_DATABASE_NAME", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(
        CIRCULATE_VAR_DIR=str(tmp_path_factory.mktemp("server-var")),
        DATABASE_URL=database_url,
        # Links in e-mails (the confirmation link the sign-up test follows) point at this server.
        PUBLIC_URL=f"http://127.0.0.1:{port}",
        # Tasks (e-mails) run in the server process: these tests start no Celery worker.
        CELERY_TASK_ALWAYS_EAGER="true",
        # Every sign-in of the suite comes from one address; throttling has its own tests.
        THROTTLE_LOGIN="1000/minute",
        THROTTLE_REGISTER="1000/hour",
        THROTTLE_ANON="10000/minute",
        THROTTLE_USER="10000/minute",
    )
    with running_asgi_server(env, port=port, capture_output=True) as url:
        yield url


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    # Playwright's sync API keeps an event loop running in this thread (in a greenlet), so Django
    # would take the tests' plain synchronous ORM calls for calls from async code and refuse them.
    # Module scope: the loop and this switch end with the browser tests, before any other test runs.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as instance:
            yield instance
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is needed at {CHROMIUM} (apt-get install chromium)")
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


@pytest.fixture
def new_page(browser: Browser, server_url: str) -> Iterator[Callable[..., Page]]:
    """``new_page()``: a page in a fresh browser context (its own storage, like a second person).

    An uncaught JavaScript error on any page fails the test, and so does any request to a host
    other than this machine (the console and the docs must work offline: no CDN, no web fonts).
    """
    contexts: list[BrowserContext] = []
    script_errors: list[str] = []
    outside: list[str] = []
    expect.set_options(timeout=TIMEOUT_MS)

    def stay_on_this_machine(route: Route) -> None:
        host = urlsplit(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in LOOPBACK_HOSTS:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    def make(*, phone: bool = False) -> Page:
        viewport = PHONE if phone else {"width": 1280, "height": 900}
        context = browser.new_context(base_url=server_url, viewport=viewport)
        context.set_default_timeout(TIMEOUT_MS)
        context.route("**/*", stay_on_this_machine)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: script_errors.append(f"{page.url}: {error}"))
        return page

    yield make
    for context in contexts:
        context.close()
    assert script_errors == [], "uncaught JavaScript errors"
    assert outside == [], "requests left the machine"


def sign_in(page: Page, login: str, password: str = DEFAULT_PASSWORD) -> None:
    """Signs in through the sign-in page and waits for the navbar to show the user."""
    page.goto("/sign-in/")
    page.get_by_label("E-mail or username").fill(login)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    try:
        page.wait_for_url("**/library/")
    except PlaywrightTimeoutError:
        raise AssertionError(f"sign-in failed: {page.locator('#sign-in-outcome').text_content()}") from None
    expect(page.locator("#nav-user")).to_be_visible()


def isbn13(serial: int) -> str:
    """A valid ISBN-13 (978 prefix) for a serial number."""
    body = f"978{serial:09d}"
    check = (10 - sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body)) % 10) % 10
    return f"{body}{check}"


def standard_tier() -> MembershipTier:
    # Transactional tests empty the tables, so the tier the migration creates may be gone.
    tier, _ = MembershipTier.objects.update_or_create(
        name="Standard", defaults={"is_default": True, "loan_limit": 3, "loan_period_days": 14}
    )
    return tier


def assert_accessible(page: Page, what: str) -> None:
    """axe-core finds no serious or critical accessibility violation on the page as it is now."""
    results = Axe().run(page)
    blocking = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(str(node["target"]) for node in violation["nodes"][:5])
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]
    assert blocking == [], f"accessibility violations on {what}:\n" + "\n".join(blocking)


def screenshot(page: Page, name: str, *, full_page: bool = True) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)

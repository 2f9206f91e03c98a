"""Fixtures shared by every app's tests."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from circulate.core.testing import CommittingClient

# In CI the suite runs once against real servers; there a test marked for a server must run, not skip.
REQUIRE_SERVICES = os.environ.get("CIRCULATE_REQUIRE_SERVICES") == "1"


def _rabbitmq_reachable() -> bool:
    url = urlsplit(os.environ.get("CIRCULATE_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//"))
    try:
        with socket.create_connection((url.hostname or "127.0.0.1", url.port or 5672), timeout=2):
            return True
    except OSError:
        return False


@pytest.hookimpl(trylast=True)  # after -m deselection: a deselected test needs no server
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from django.conf import settings

    vendor = connection.vendor
    on_postgres = vendor == "postgresql"
    # Row locks and unique indexes that make concurrent requests wait: PostgreSQL and MariaDB/MySQL.
    on_locking_server = on_postgres or vendor == "mysql"
    has_redis = bool(settings.REDIS_URL)
    has_browser = os.access(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"), os.X_OK)
    no_browser = "needs Chromium: apt-get install chromium (or set CHROMIUM_PATH)"
    has_rabbitmq = any("rabbitmq" in item.keywords for item in items) and _rabbitmq_reachable()
    for item in items:
        if "rabbitmq" in item.keywords and not has_rabbitmq:
            if REQUIRE_SERVICES:
                raise pytest.UsageError(f"{item.nodeid} needs RabbitMQ on 127.0.0.1:5672 (CIRCULATE_TEST_AMQP_URL)")
            item.add_marker(pytest.mark.skip(reason="needs RabbitMQ: set CIRCULATE_TEST_AMQP_URL or run it locally"))
        if "browser" in item.keywords and not has_browser:
            if REQUIRE_SERVICES:
                raise pytest.UsageError(f"{item.nodeid} {no_browser}")
            item.add_marker(pytest.mark.skip(reason=no_browser))
        if "postgres" in item.keywords and not on_postgres:
            if REQUIRE_SERVICES:
                raise pytest.UsageError(f"{item.nodeid} needs PostgreSQL but DATABASE_URL is not PostgreSQL")
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://..."))
        if "locking" in item.keywords and not on_locking_server:
            if REQUIRE_SERVICES:
                raise pytest.UsageError(f"{item.nodeid} needs PostgreSQL or MariaDB but DATABASE_URL is neither")
            item.add_marker(pytest.mark.skip(reason="needs row locks: set DATABASE_URL=postgres://... or mysql://..."))
        if "redis" in item.keywords and not has_redis:
            if REQUIRE_SERVICES:
                raise pytest.UsageError(f"{item.nodeid} needs Redis but REDIS_URL is not set")
            item.add_marker(pytest.mark.skip(reason="needs Redis: set REDIS_URL=redis://..."))


@pytest.fixture(autouse=True, scope="session")
def _tasks_stay_in_this_process() -> Iterator[None]:
    """Tasks the code under test enqueues go to an in-memory broker that no worker reads.

    Otherwise they would land in the broker of the machine the tests run on (on one
    machine, the file-system broker of ``make run``), for a real worker to run later against
    the wrong database. Tests that need a worker start one and send to it with a Celery app
    of their own (``test_pricing_worker.py``, ``test_token_cleanup_worker.py``).
    """
    from circulate.celery import app

    previous = app.conf.broker_url
    app.conf.broker_url = "memory://"
    yield
    app.conf.broker_url = previous


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    """Throttle counters and lockouts live in the cache; every test starts clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _shared_read_caches_off(settings: Any) -> None:
    """The shared read caches (``READ_CACHE_SECONDS``, on by default with Redis) are off in every test.

    So a test counts the same queries on SQLite and on PostgreSQL with Redis. The tests of the
    caches themselves turn them on (``library/tests/test_catalogue_cache.py``,
    ``bikes/tests/test_fleet_cache.py``, ``accounts/tests/test_kept_user.py``).
    """
    settings.READ_CACHE_SECONDS = 0


@pytest.fixture
def api_client(django_capture_on_commit_callbacks: Any) -> APIClient:
    """A client whose requests run their on-commit callbacks (e-mails, events), as a real commit would.

    A test runs inside one transaction that never commits; without this, nothing
    deferred with ``transaction.on_commit`` would happen.
    """
    return CommittingClient(django_capture_on_commit_callbacks)


@pytest.fixture
def auth_client(django_capture_on_commit_callbacks: Any) -> Callable[[Any], APIClient]:
    """``auth_client(user)``: a committing API client sending that user's JWT access token."""

    def make(user: Any) -> APIClient:
        client = CommittingClient(django_capture_on_commit_callbacks)
        token = RefreshToken.for_user(user).access_token
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return client

    return make


@pytest.fixture
def db_vendor() -> str:
    return connection.vendor

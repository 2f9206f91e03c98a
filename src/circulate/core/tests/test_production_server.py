"""The production servers under concurrent clients: no 5xx, and a bounded number of database connections.

Both tiers run as compose runs them (``deploy/gunicorn.conf.py`` for HTTP under WSGI,
``deploy/gunicorn_ws.conf.py`` for the ASGI tier) in the production profile against the
test database. With persistent per-thread connections the ASGI tier once opened a
connection per request thread until PostgreSQL refused clients ("too many clients
already") and answered 500; the connection pool bounds them by workers x pool size.
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection
from websockets.sync.client import connect

from circulate.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from circulate.core.asgi_server import running_gunicorn
from circulate.core.testing import database_url_of_this_connection
from circulate.library.tests.factories import AuthorFactory, BookFactory, make_librarian

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WORKERS = 2
POOL_MAX = 3
CLIENTS = 32
REQUESTS_PER_CLIENT = 12
# libpq names the servers' connections, so the sampler counts theirs and not the idle
# connections other tests left in this process's own pool.
SERVER_APPLICATION_NAME = "circulate-production-server-test"


def _server_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("EMAIL_", "TEST_DATABASE"))}
    env.update(
        DJANGO_ENV="production",
        SECRET_KEY="production-server-test-" + "k" * 40,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=database_url_of_this_connection(),
        DB_POOL_MAX_SIZE=str(POOL_MAX),
        WEB_CONCURRENCY=str(WORKERS),
        WS_CONCURRENCY=str(WORKERS),
        THROTTLE_USER="100000/minute",
        THROTTLE_ANON="100000/minute",
        THROTTLE_LOGIN="1000/minute",
        CELERY_TASK_ALWAYS_EAGER="true",
        PGAPPNAME=SERVER_APPLICATION_NAME,
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def _call(url: str, token: str = "", method: str = "GET", body: dict[str, Any] | None = None) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _log_in(base: str, login: str) -> str:
    status, body = _call(f"{base}/api/auth/login/", method="POST", body={"login": login, "password": DEFAULT_PASSWORD})
    assert status == 200, body
    return str(body["access"])


class ConnectionSampler:
    """Counts the servers' backends on the test database, every 50 ms, and keeps the maximum."""

    def __init__(self, database: str, application_name: str) -> None:
        self.database = database
        self.application_name = application_name
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psycopg

        settings = connection.settings_dict
        with psycopg.connect(
            host=settings["HOST"] or "127.0.0.1", port=settings["PORT"] or 5432, user=settings["USER"] or "postgres",
            password=settings["PASSWORD"] or None, dbname="postgres", autocommit=True,
        ) as sampler:  # fmt: skip
            while not self._stop.is_set():
                row = sampler.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND application_name = %s",
                    (self.database, self.application_name),
                ).fetchone()
                self.peak = max(self.peak, int(row[0]) if row else 0)
                time.sleep(0.05)

    def __enter__(self) -> ConnectionSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


@pytest.fixture
def production_servers() -> Iterator[tuple[str, str]]:
    env = _server_env()
    with (
        running_gunicorn("circulate.wsgi:application", "deploy/gunicorn.conf.py", env) as http_tier,
        running_gunicorn(
            "circulate.asgi:application", "deploy/gunicorn_ws.conf.py", env, bind_variable="GUNICORN_WS_BIND"
        ) as ws_tier,
    ):
        yield http_tier, ws_tier


def test_concurrent_clients_get_no_5xx_and_connections_stay_bounded(production_servers) -> None:  # type: ignore[no-untyped-def]
    # given a catalogue and a librarian, and both production tiers
    librarian = make_librarian(password=DEFAULT_PASSWORD)
    author = AuthorFactory()
    books = [BookFactory(authors=[author]) for _ in range(30)]
    http_tier, ws_tier = production_servers
    token = _log_in(http_tier, librarian.email)
    connection.close()

    def client(n: int) -> list[int]:
        statuses = []
        for i in range(REQUESTS_PER_CLIENT):
            # Every request shape: lists, details, writes; the ASGI tier gets HTTP too (health checks, API).
            base = ws_tier if i % 4 == 3 else http_tier
            book = books[(n + i) % len(books)]
            if i % 3 == 0:
                status, _ = _call(f"{base}/api/library/books/?search=book&ordering=-likes_count", token)
            elif i % 3 == 1:
                status, _ = _call(f"{base}/api/library/books/{book.pk}/", token)
            else:
                status, _ = _call(f"{base}/api/library/books/{book.pk}/like/", token, method="POST", body={})
            statuses.append(status)
        return statuses

    # when 32 clients send their requests at once
    with (
        ConnectionSampler(connection.settings_dict["NAME"], SERVER_APPLICATION_NAME) as sampler,
        ThreadPoolExecutor(CLIENTS) as pool,
    ):
        statuses = Counter(status for result in pool.map(client, range(CLIENTS)) for status in result)

    # then every answer is a success, and the servers never held more connections than their pools allow
    assert sum(statuses.values()) == CLIENTS * REQUESTS_PER_CLIENT
    assert set(statuses) <= {200, 201}, statuses
    bound = 2 * WORKERS * POOL_MAX
    assert 0 < sampler.peak <= bound, f"{sampler.peak} connections at peak; the pools allow {bound}"


def test_connections_the_database_kills_are_replaced_without_a_restart(production_servers) -> None:  # type: ignore[no-untyped-def]
    # given both tiers serving, each with its pooled connections open
    librarian = make_librarian(password=DEFAULT_PASSWORD)
    book = BookFactory(authors=[AuthorFactory()])
    http_tier, ws_tier = production_servers
    token = _log_in(http_tier, librarian.email)
    connection.close()

    def burst() -> Counter[int]:
        def one(i: int) -> int:
            base = ws_tier if i % 2 else http_tier
            path = "/api/library/books/" if i % 3 else f"/api/library/books/{book.pk}/"
            return _call(f"{base}{path}", token)[0]

        with ThreadPoolExecutor(8) as pool:
            return Counter(pool.map(one, range(48)))

    assert set(burst()) == {200}

    # when PostgreSQL terminates every connection the servers hold (a failover, an operator, idle limits)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = %s",
            [SERVER_APPLICATION_NAME],
        )
        killed = cursor.fetchone()[0]
    connection.close()

    # then the very next requests succeed: the pools notice and open new connections
    statuses = burst()
    assert killed > 0
    assert statuses == Counter({200: 48}), statuses


def test_the_websocket_tier_declines_per_message_deflate(production_servers) -> None:  # type: ignore[no-untyped-def]
    # given a signed-in member whose client offers per-message deflate, as browsers do
    member = UserFactory()
    http_tier, ws_tier = production_servers
    token = _log_in(http_tier, member.email)
    connection.close()
    # when the socket opens on the WebSocket tier
    url = ws_tier.replace("http://", "ws://") + f"/ws/notifications/?token={token}"
    with connect(url, compression="deflate", open_timeout=10) as socket:
        first = json.loads(socket.recv(timeout=10))
        extensions = socket.response.headers.get("Sec-WebSocket-Extensions") if socket.response else "no response"
    # then it is served, uncompressed (circulate.realtime.server.WebSocketWorker)
    assert first["type"] == "unread"
    assert extensions is None

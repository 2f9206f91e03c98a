"""Redis goes away and comes back while the platform runs on it (cache and channel layer).

A real server (uvicorn, the whole ASGI application) runs on the test database with a private
Redis that the test stops and starts again on the same port. While Redis is down the HTTP API
keeps reading, writing and signing people in, events are stored, and ``/health/ready/`` says
503 naming the cache; once it is back, without restarting anything, the readiness probe is
green again, a socket that reconnects gets the events it missed, and new events arrive live.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from rest_framework_simplejwt.tokens import AccessToken
from websockets.sync.client import ClientConnection, connect

from circulate.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from circulate.core.asgi_server import free_loopback_port, running_asgi_server, running_redis
from circulate.core.testing import database_url_of_this_connection
from circulate.web.tests.browser.conftest import isbn13

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _call(base: str, method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def _socket(base: str, token: str, after: int | None = None) -> ClientConnection:
    query = f"?token={token}" + (f"&after={after}" if after is not None else "")
    return connect(f"ws{base.removeprefix('http')}/ws/notifications/{query}", origin=base, open_timeout=10)


def _next_event(socket: ClientConnection) -> dict[str, Any]:
    while True:
        message = json.loads(socket.recv(timeout=10))
        if message["type"] != "unread":
            return message  # type: ignore[no-any-return]


def _wait_ready(base: str, expected: int) -> dict[str, Any]:
    deadline = time.monotonic() + 15
    while True:
        status, body = _call(base, "GET", "/health/ready/")
        if status == expected or time.monotonic() > deadline:
            assert status == expected, body
            return body  # type: ignore[no-any-return]
        time.sleep(0.2)


@pytest.fixture
def server(tmp_path: Any) -> Iterator[tuple[str, int]]:
    """The application on a free port, its cache and channel layer on a private Redis port that the test starts."""
    redis_port = free_loopback_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("EMAIL_", "CELERY_"))}
    for key in ("TEST_DATABASE_NAME", "DJANGO_ALLOW_ASYNC_UNSAFE", "CHANNELS_REDIS_URL"):
        env.pop(key, None)
    env.update(
        CIRCULATE_VAR_DIR=str(tmp_path),
        DATABASE_URL=database_url_of_this_connection(),
        REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
        CELERY_TASK_ALWAYS_EAGER="true",
        THROTTLE_LOGIN="1000/minute",
    )
    with running_asgi_server(env) as base:
        yield base, redis_port


def test_the_api_outlives_a_redis_outage_and_recovers_without_a_restart(server: tuple[str, int]) -> None:
    # given a server on Redis, a writer and a reader whose socket is open
    base, redis_port = server
    writer, reader = UserFactory(), UserFactory()
    writer_token, reader_token = str(AccessToken.for_user(writer)), str(AccessToken.for_user(reader))
    with running_redis(redis_port):
        _wait_ready(base, 200)
        with _socket(base, reader_token) as socket:
            status, _ = _call(base, "POST", "/api/library/books/", {"title": "Before", "isbn": isbn13(1)}, writer_token)
            assert status == 201
            before = _next_event(socket)
        assert before["data"]["title"] == "Before"

    # when Redis is gone, reads, writes and sign-ins still work
    assert _call(base, "GET", "/api/library/books/", token=writer_token)[0] == 200
    status, during = _call(base, "POST", "/api/library/books/", {"title": "During", "isbn": isbn13(2)}, writer_token)
    assert status == 201
    status, tokens = _call(base, "POST", "/api/auth/login/", {"login": writer.email, "password": DEFAULT_PASSWORD})
    assert status == 200
    assert "access" in tokens
    # and the readiness probe names the cache
    down = _wait_ready(base, 503)
    assert down["checks"]["cache"].startswith("down")
    assert down["checks"]["database"] == "ok"

    # when Redis is back on the same port, nothing restarted
    with running_redis(redis_port):
        ready = _wait_ready(base, 200)
        assert ready["checks"]["cache"] == "ok"
        # then a reconnecting socket gets the event it missed, and the next one arrives live
        with _socket(base, reader_token, after=before["seq"]) as socket:
            missed = _next_event(socket)
            status, _ = _call(base, "POST", "/api/library/books/", {"title": "After", "isbn": isbn13(3)}, writer_token)
            assert status == 201
            live = _next_event(socket)
        assert (missed["type"], missed["data"]["title"]) == ("book.created", during["title"])
        assert missed["seq"] > before["seq"]
        assert (live["type"], live["data"]["title"]) == ("book.created", "After")


def test_a_socket_open_through_a_redis_restart_receives_events_again(server: tuple[str, int]) -> None:
    # given a reader whose socket is open and subscribed, and Redis restarted under it
    base, redis_port = server
    writer, reader = UserFactory(), UserFactory()
    writer_token, reader_token = str(AccessToken.for_user(writer)), str(AccessToken.for_user(reader))
    with contextlib.ExitStack() as open_socket:  # one socket, open across both runs of Redis
        with running_redis(redis_port):
            _wait_ready(base, 200)
            socket = open_socket.enter_context(_socket(base, reader_token))
            assert json.loads(socket.recv(timeout=10))["type"] == "unread"
        with running_redis(redis_port):
            _wait_ready(base, 200)
            # when books are added after the restart (the layer re-subscribes when its connection comes back;
            # an event published before that reaches no one live, and the socket would replay it on reconnect)
            titles: list[str] = []
            deadline = time.monotonic() + 15
            received: dict[str, Any] = {}
            while not received and time.monotonic() < deadline:
                titles.append(f"After restart {len(titles)}")
                book = {"title": titles[-1], "isbn": isbn13(10 + len(titles))}
                status, _ = _call(base, "POST", "/api/library/books/", book, writer_token)
                assert status == 201
                with contextlib.suppress(TimeoutError):
                    received = json.loads(socket.recv(timeout=1))
            # then the same socket, never reconnected, receives them live again
            assert received["type"] == "book.created"
            assert received["data"]["title"] in titles

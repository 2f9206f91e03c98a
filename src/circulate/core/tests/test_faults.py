"""Faults survived under a running server (loopback only): PostgreSQL connections killed, Redis down.

The HTTP tier runs as compose runs it (gunicorn, ``deploy/gunicorn.conf.py``, production
profile) against the test database; its connections carry an application name of their own
so that the test kills exactly those (``pg_terminate_backend``) between requests.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from typing import Any

import pytest
from django.db import connection

from circulate.accounts.tests.factories import DEFAULT_PASSWORD
from circulate.core.asgi_server import free_loopback_port, running_asgi_server, running_gunicorn
from circulate.core.testing import database_url_of_this_connection
from circulate.library.tests.factories import BookFactory, make_librarian

pytestmark = pytest.mark.django_db(transaction=True)

APPLICATION_NAME = "circulate-fault-test"


def _server_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("EMAIL_", "TEST_DATABASE"))}
    env.update(
        DJANGO_ENV="production",
        SECRET_KEY="fault-test-" + "k" * 50,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=database_url_of_this_connection(),
        DB_POOL_MAX_SIZE="3",
        WEB_CONCURRENCY="2",
        THROTTLE_USER="100000/minute",
        THROTTLE_ANON="100000/minute",
        THROTTLE_LOGIN="1000/minute",
        CELERY_TASK_ALWAYS_EAGER="true",
        PGAPPNAME=APPLICATION_NAME,
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


def _kill_server_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = %s AND pid <> pg_backend_pid()",
            [APPLICATION_NAME],
        )
        return int(cursor.fetchone()[0])


@pytest.mark.postgres
def test_killed_database_connections_are_replaced_without_a_restart() -> None:
    # given a running HTTP tier whose pooled connections are open
    librarian = make_librarian()
    BookFactory()
    with running_gunicorn("circulate.wsgi:application", "deploy/gunicorn.conf.py", _server_env()) as base:
        credentials = {"login": librarian.email, "password": DEFAULT_PASSWORD}
        status, body = _call(f"{base}/api/auth/login/", method="POST", body=credentials)
        assert status == 200, body
        token = str(body["access"])
        warm = [_call(f"{base}/api/library/books/", token)[0] for _ in range(10)]
        assert set(warm) == {200}
        # when PostgreSQL ends every connection of the server, twice, with requests in between
        killed = _kill_server_connections()
        after_first = [_call(f"{base}/api/library/books/", token)[0] for _ in range(10)]
        created = [_call(f"{base}/api/library/authors/", token, "POST", {"name": f"Author {n}"})[0] for n in range(5)]
        killed += _kill_server_connections()
        after_second = [_call(f"{base}/api/library/books/", token)[0] for _ in range(10)]
        # then the connections were really killed, and every request after it was answered
        assert killed >= 2
        assert set(after_first) == {200}
        assert set(created) == {201}
        assert set(after_second) == {200}


def _start_redis(port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.redis
@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")
def test_with_redis_down_the_api_serves_readiness_names_it_and_it_recovers(tmp_path: Any) -> None:
    # given a server whose cache and channel layer are a Redis of this test's own
    librarian = make_librarian()
    redis_port = free_loopback_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("EMAIL_", "TEST_DATABASE"))}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.pop("CHANNELS_REDIS_URL", None)
    env.update(
        DATABASE_URL=database_url_of_this_connection(),
        REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
        CIRCULATE_VAR_DIR=str(tmp_path),
        CELERY_TASK_ALWAYS_EAGER="true",
        THROTTLE_LOGIN="1000/minute",
    )
    redis = _start_redis(redis_port)
    try:
        with running_asgi_server(env) as base:
            credentials = {"login": librarian.email, "password": DEFAULT_PASSWORD}
            status, body = _call(f"{base}/api/auth/login/", method="POST", body=credentials)
            assert status == 200, body
            token = str(body["access"])
            # when Redis goes away
            _stop(redis)
            read = _call(f"{base}/api/library/books/", token)[0]
            write = _call(f"{base}/api/library/authors/", token, "POST", {"name": "Written without Redis"})[0]
            ready_down, readiness = _call(f"{base}/health/ready/")
            # then reads and writes are served, and readiness says what is down
            assert (read, write) == (200, 201)
            assert ready_down == 503
            assert f"127.0.0.1:{redis_port}" in str(readiness)
            # when Redis comes back, everything recovers without a restart
            redis = _start_redis(redis_port)
            for _ in range(50):
                if _call(f"{base}/health/ready/")[0] == 200:
                    break
                time.sleep(0.2)
            assert _call(f"{base}/health/ready/")[0] == 200
            assert _call(f"{base}/api/library/books/", token)[0] == 200
    finally:
        _stop(redis)

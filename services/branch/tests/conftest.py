"""The suite runs on a fresh SQLite file per test, or on MariaDB/MySQL when
``BRANCH_TEST_DATABASE_URL`` names one (``mysql://root@127.0.0.1:3306/circ_branch_test``):
that database is created when missing and emptied before each test."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.serving import BaseWSGIServer, make_server

from circulate_branch import create_app
from circulate_branch.config import Settings
from circulate_branch.db import make_engine, migrate

TOKEN = "test-branch-token"
MARIADB_URL = os.environ.get("BRANCH_TEST_DATABASE_URL", "")


def pytest_report_header() -> str:
    return f"branch database: {make_url(MARIADB_URL).render_as_string() if MARIADB_URL else 'SQLite (a file per test)'}"


@pytest.fixture(scope="session")
def _mariadb_engine() -> Iterator[Engine | None]:
    if not MARIADB_URL:
        yield None
        return
    url = make_url(MARIADB_URL)
    server = create_engine(url.set(drivername="mysql+pymysql", database=""))
    with server.begin() as connection:
        connection.execute(text(f"CREATE DATABASE IF NOT EXISTS `{url.database}` CHARACTER SET utf8mb4"))
    server.dispose()
    engine = make_engine(MARIADB_URL)
    with engine.begin() as connection:
        for table in ("request_log", "reservations", "branch_books", "alembic_version"):
            connection.execute(text(f"DROP TABLE IF EXISTS {table}"))
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(_mariadb_engine: Engine | None, tmp_path: Path) -> Iterator[Engine]:
    if _mariadb_engine is not None:
        with _mariadb_engine.begin() as connection:
            for table in ("request_log", "reservations", "branch_books"):
                connection.execute(text(f"DELETE FROM {table}"))
        yield _mariadb_engine
        return
    engine = make_engine(f"sqlite:///{tmp_path / 'branch.sqlite3'}")
    yield engine
    engine.dispose()


@pytest.fixture
def settings(engine: Engine) -> Settings:
    return Settings(database_url=engine.url.render_as_string(hide_password=False), api_token=TOKEN)


@pytest.fixture
def app(settings: Settings, engine: Engine) -> Flask:
    return create_app(settings, engine=engine)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def stock(client: FlaskClient, auth: dict[str, str]) -> Any:
    def add(isbn: str = "9780441013593", title: str = "Dune", copies: int = 2) -> dict[str, Any]:
        response = client.put(f"/books/{isbn}", json={"title": title, "copies_total": copies}, headers=auth)
        assert response.status_code in (200, 201), response.json
        return response.json  # type: ignore[no-any-return]

    return add


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app on a loopback port with a thread per request, as parallel clients need."""
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()

"""Helpers for tests that start other processes (a Celery worker, a uvicorn server)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from django.db import connection
from rest_framework.test import APIClient


def database_url_of_this_connection() -> str:
    """``DATABASE_URL`` for a child process, so it uses the database the test is using."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = settings["USER"] or "postgres"
    host = settings["HOST"] or "127.0.0.1"
    port = settings["PORT"] or 5432
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"


class CommittingClient(APIClient):
    """Runs the on-commit callbacks of each request, as the commit of a real request would."""

    def __init__(self, capture: Callable[..., AbstractContextManager[Any]], **defaults: Any) -> None:
        super().__init__(**defaults)
        self._capture = capture

    def request(self, **kwargs: Any) -> Any:
        with self._capture(execute=True):
            return super().request(**kwargs)

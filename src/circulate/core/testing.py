"""Helpers for tests that start other processes (a Celery worker, a uvicorn server)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import IO, Any
from unittest import mock

from django.core.cache import caches
from django.db import connection
from rest_framework.test import APIClient


def database_url_of_this_connection() -> str:
    """``DATABASE_URL`` for a child process, so it uses the database the test is using."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    mysql = connection.vendor == "mysql"
    user = settings["USER"] or ("root" if mysql else "postgres")
    host = settings["HOST"] or "127.0.0.1"
    port = settings["PORT"] or (3306 if mysql else 5432)
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    scheme = "mysql" if mysql else "postgres"
    return f"{scheme}://{user}{password}@{host}:{port}/{settings['NAME']}"


@contextmanager
def cache_reads() -> Iterator[list[list[str]]]:
    """The reads of the default cache inside the block, each the list of keys it asked for at once.

    A ``get`` counts as a read of one key; the ``get`` calls a memory cache makes inside its own
    ``get_many`` (it reads key by key, where Redis sends one MGET) do not count again.
    """
    backend = caches["default"]
    reads: list[list[str]] = []
    inside_get_many = False
    get, get_many = backend.get, backend.get_many

    def one(key: str, *args: Any, **kwargs: Any) -> Any:
        if not inside_get_many:
            reads.append([key])
        return get(key, *args, **kwargs)

    def several(keys: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal inside_get_many
        reads.append(list(keys))
        inside_get_many = True
        try:
            return get_many(keys, *args, **kwargs)
        finally:
            inside_get_many = False

    with mock.patch.object(backend, "get", one), mock.patch.object(backend, "get_many", several):
        yield reads


class CommittingClient(APIClient):
    """Runs the on-commit callbacks of each request, as the commit of a real request would."""

    def __init__(self, capture: Callable[..., AbstractContextManager[Any]], **defaults: Any) -> None:
        super().__init__(**defaults)
        self._capture = capture

    def request(self, **kwargs: Any) -> Any:
        with self._capture(execute=True):
            return super().request(**kwargs)


REPO = Path(__file__).resolve().parents[3]


class CeleryWorker:
    """A ``celery worker`` process on ``broker`` (one queue, or Celery's default), on the test database.

    Its output goes to a file; ``wait_for`` reads it.
    """

    def __init__(self, broker: str, name: str, *, queue: str = "celery") -> None:
        env = dict(os.environ, CELERY_BROKER_URL=broker, DATABASE_URL=database_url_of_this_connection())
        env.pop("TEST_DATABASE_NAME", None)
        env.pop("CELERY_TASK_ALWAYS_EAGER", None)
        self.log: IO[bytes] = tempfile.NamedTemporaryFile(prefix=f"{name}-", suffix=".log")  # noqa: SIM115
        command = [
            sys.executable, "-m", "celery", "-A", "circulate", "worker", "--pool=solo", "--loglevel=INFO",
            "-Q", queue, f"--hostname={name}-{uuid.uuid4().hex[:6]}@%h",
            "--without-heartbeat", "--without-gossip", "--without-mingle",
        ]  # fmt: skip
        self.final_output = ""
        self.process = subprocess.Popen(  # noqa: S603 - a fixed command
            command, cwd=REPO, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )

    def output(self) -> str:
        if self.log.closed:
            return self.final_output
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def wait_for(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"worker never logged {text!r}:\n{self.output()}")
            time.sleep(0.2)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.final_output = self.output()
        self.log.close()

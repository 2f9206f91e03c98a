"""Run servers in child processes on loopback: Circulate under uvicorn (HTTP + WebSockets) or
gunicorn, and a private Redis that a test or benchmark may stop and start again.

Used by the browser tests, the production-server and fault tests and the benchmarks, which
need a real server. Importing this module does not set Django up.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def free_loopback_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def running_asgi_server(
    env: dict[str, str], *, port: int | None = None, extra_args: Sequence[str] = (), capture_output: bool = False
) -> Iterator[str]:
    """Start uvicorn serving ``circulate.asgi:application``; yield its base URL once /health/ answers.

    With ``capture_output`` its output goes to a temporary file, part of the error when it fails to
    start. Never a pipe: the application logs a line per request, and a pipe nobody reads fills up
    and stalls the server (the browser tests' pages then time out mid-suite).
    """
    port = port or free_loopback_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable, "-m", "uvicorn", "circulate.asgi:application",
        "--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--log-level", "warning",
        "--ws-per-message-deflate", "false", *extra_args,  # as the WebSocket tier (circulate.realtime.server)
    ]  # fmt: skip
    with tempfile.TemporaryFile() if capture_output else contextlib.nullcontext() as output:
        server = subprocess.Popen(  # noqa: S603 - fixed command, loopback only
            command, cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT if capture_output else None
        )
        try:
            try:
                _wait_until_up(server, url)
            except RuntimeError as exc:
                if output is None:
                    raise
                output.seek(0)
                raise RuntimeError(f"{exc}\n{output.read().decode(errors='replace')}") from None
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=10)


@contextlib.contextmanager
def running_gunicorn(
    app: str, config: str, env: dict[str, str], *, port: int | None = None, bind_variable: str = "GUNICORN_BIND"
) -> Iterator[str]:
    """Start gunicorn with a config file of ``deploy/`` (as compose runs it); yield its base URL once it answers.

    Its output goes to a temporary file (a full pipe would stall the server) and is part of the
    error when it fails to start.
    """
    port = port or free_loopback_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "gunicorn", app, "-c", str(REPO / config)]
    server_env = {"GUNICORN_ACCESS_LOG": "", **env, bind_variable: f"127.0.0.1:{port}"}
    with tempfile.TemporaryFile() as output:
        # Its own process group, so that the workers go with it: a master killed after its
        # graceful timeout (30 s, which open WebSockets use up) used to leave a worker behind.
        server = subprocess.Popen(  # noqa: S603 - fixed command, loopback only
            command, cwd=REPO, env=server_env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            try:
                _wait_until_up(server, url)
            except RuntimeError as exc:
                output.seek(0)
                raise RuntimeError(f"{exc}\n{output.read().decode(errors='replace')}") from None
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=10)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGKILL)


@contextlib.contextmanager
def running_redis(port: int | None = None) -> Iterator[str]:
    """A private ``redis-server`` on loopback that keeps nothing on disk; yields its URL (no db number)."""
    port = port or free_loopback_port()
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL)  # noqa: S603 - fixed command, loopback only
    try:
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on port {port}")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def _wait_until_up(server: subprocess.Popen[bytes], url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            output = server.stdout.read().decode() if server.stdout else ""
            raise RuntimeError(f"the server exited with {server.returncode}:\n{output}")
        with contextlib.suppress(OSError), urllib.request.urlopen(f"{url}/health/", timeout=2) as response:  # noqa: S310
            if response.status == 200:
                return
        time.sleep(0.2)
    raise RuntimeError("the server did not answer /health/ within 60 seconds")

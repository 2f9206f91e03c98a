"""Live notification fan-out: how long until every open socket has a new book.

Starts uvicorn (``circulate.asgi:application``) on a free loopback port against a
scratch database it migrates itself, opens N WebSocket clients (``websockets``),
each signed in as its own user, then adds a book through ``POST /api/library/books/``
as another user and measures, per client, the time from sending the request to
receiving ``book.created`` (which carries the new unread count). Repeats
for several rounds after one warm-up round (printing each round's spread), for the in-memory and/or the Redis
channel layer, and prints p50 / p99 / max.

    python -m bench.realtime_ws                       # 500 clients, both layers
    python -m bench.realtime_ws --clients 200 --layer memory
    python -m bench.realtime_ws --layer redis --redis-url redis://127.0.0.1:6379/3
    python -m bench.realtime_ws --layer redis --workers 2 --clients 2000   # the production WebSocket tier

With ``--workers N`` the servers are the production tiers instead: gunicorn with
``deploy/gunicorn_ws.conf.py`` and N uvicorn workers (``WS_CONCURRENCY``) hold the sockets, and
the POST goes to the HTTP tier (gunicorn WSGI workers, ``deploy/gunicorn.conf.py``), as nginx
routes it; only the Redis layer carries an event from the process that took the POST to the
sockets, so N > 1 needs ``--layer redis``.

Only loopback addresses are used: the server binds 127.0.0.1 and the Redis and
database URLs must point at this machine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson
import redis
import uvloop
from websockets.asyncio.client import ClientConnection, connect

from circulate.core.asgi_server import free_loopback_port, running_asgi_server, running_gunicorn

ROOT = Path(__file__).resolve().parents[1]
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
CONNECT_BATCH = 50
DELIVERY_TIMEOUT = 60.0

# Run in a child process with the server's environment: creates the users, prints their tokens.
PREPARE_USERS = """
import json, secrets, sys
import django
django.setup()
from rest_framework_simplejwt.tokens import AccessToken
from circulate.accounts.models import User

run, count = secrets.token_hex(4), int(sys.argv[1])
users = [User(email=f"bench-{run}-{n}@bench.invalid", username=f"bench-{run}-{n}") for n in range(count + 1)]
for user in users:
    user.set_unusable_password()
User.objects.bulk_create(users, batch_size=500)
tokens = [str(AccessToken.for_user(user)) for user in User.objects.filter(username__startswith=f"bench-{run}-")]
print(json.dumps({"author": tokens[0], "readers": tokens[1:]}))
"""


@dataclass
class Result:
    layer: str
    clients: int
    rounds: int
    event: list[float] = field(default_factory=list)
    answered: list[float] = field(default_factory=list)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(math.ceil(pct / 100 * len(ordered)), 1)
    return ordered[rank - 1]


def require_loopback(url: str, what: str) -> None:
    host = urlsplit(url).hostname or ""
    if url.startswith("sqlite:") or host in LOOPBACK:
        return
    raise SystemExit(f"{what} must point at this machine (127.0.0.1, localhost or ::1), not {host!r}.")


def redis_answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping())
    except redis.RedisError:
        return False


def server_env(scratch: Path, layer: str, args: argparse.Namespace) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CHANNELS_REDIS_URL", "DATABASE_URL"}}
    env.update(
        {
            "CIRCULATE_VAR_DIR": str(scratch),
            "DJANGO_SETTINGS_MODULE": "circulate.settings",
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")]),
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "WARNING",
            "THROTTLE_USER": "100000/minute",
        }
    )
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    if layer == "redis":
        env["CHANNELS_REDIS_URL"] = args.redis_url
    return env


def add_book(port: int, token: str, title: str, isbn: str) -> None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/library/books/",
        data=json.dumps({"title": title, "isbn": isbn}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        if response.status != 201:
            raise SystemExit(f"adding a book answered {response.status}")


def isbn13(n: int) -> str:
    """A valid, distinct ISBN-13 for the n-th book of a run."""
    body = f"979{(int(time.time()) % 10**5):05d}{n:04d}"
    check = (10 - sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body)) % 10) % 10
    return f"{body}{check}"


def warm_http_tier(port: int, token: str, workers: int) -> None:
    """Add a few books at once before any client connects, so that every WSGI worker has served one.

    A worker's first request opens its database and Redis connections and builds what Django and
    DRF build lazily (~100 ms more); in a measured round that would be the POST's time, not the
    fan-out's. Concurrent requests reach every worker, where a sequence could keep reaching one.
    """
    with ThreadPoolExecutor(max_workers=4 * workers) as pool:
        titles = [f"Warm-up {n} {time.time_ns()}" for n in range(4 * workers)]
        list(pool.map(lambda n: add_book(port, token, titles[n], isbn13(1000 + n)), range(len(titles))))


class Arrivals:
    """Counts the clients that have had a round's messages; one event when the last one has.

    (One waiter for the round, not one task per client: creating 2,000 tasks while the messages
    arrive would compete with the clients themselves and lengthen the very times measured.)
    """

    def __init__(self) -> None:
        self.waiting = 0
        self.all_arrived = asyncio.Event()

    def start(self, clients: int) -> None:
        self.waiting = clients
        self.all_arrived.clear()

    def arrived(self) -> None:
        self.waiting -= 1
        if self.waiting == 0:
            self.all_arrived.set()


class Client:
    """One socket that records when the awaited book arrives (with the unread count, in the same frame)."""

    def __init__(self, connection: ClientConnection, arrivals: Arrivals) -> None:
        self.connection = connection
        self.arrivals = arrivals
        self.expected: str | None = None
        self.event_at: float | None = None

    def expect(self, title: str) -> None:
        self.expected, self.event_at = title, None

    async def listen(self) -> None:
        async for raw in self.connection:
            message = orjson.loads(raw)
            now = time.perf_counter()
            if message["type"] == "book.created" and message["data"].get("title") == self.expected:
                self.event_at = now
                self.arrivals.arrived()


async def open_client(url: str, origin: str, arrivals: Arrivals) -> tuple[Client, asyncio.Task[None]]:
    connection = await connect(
        url,
        origin=origin,
        proxy=None,
        open_timeout=60,
        compression=os.environ.get("BENCH_COMPRESSION", "deflate") or None,
    )
    first = json.loads(await connection.recv())
    if first.get("type") != "unread":
        raise SystemExit(f"unexpected first message {first}")
    client = Client(connection, arrivals)
    return client, asyncio.create_task(client.listen())


async def measure(port: int, http_port: int, tokens: dict[str, Any], args: argparse.Namespace, layer: str) -> Result:
    origin = f"http://127.0.0.1:{port}"
    clients: list[Client] = []
    arrivals = Arrivals()
    listeners: list[asyncio.Task[None]] = []
    readers: list[str] = tokens["readers"]
    for start in range(0, len(readers), CONNECT_BATCH):
        batch = readers[start : start + CONNECT_BATCH]
        url = f"ws://127.0.0.1:{port}/ws/notifications/?token="
        opened = await asyncio.gather(*(open_client(url + token, origin, arrivals) for token in batch))
        for client, listener in opened:
            clients.append(client)
            listeners.append(listener)
    # The clients' own objects (2,000 connections) would make each full garbage collection of this
    # process a pause of tens of milliseconds, counted as delivery time by every socket behind it.
    gc.collect()
    gc.freeze()
    result = Result(layer=layer, clients=len(clients), rounds=args.rounds)
    try:
        for round_no in range(args.rounds + 1):  # round 0 warms up
            title = f"Bench {layer} {round_no} {time.time_ns()}"
            for client in clients:
                client.expect(title)
            arrivals.start(len(clients))
            sent = time.perf_counter()
            await asyncio.to_thread(add_book, http_port, tokens["author"], title, isbn13(round_no))
            answered = time.perf_counter()
            try:
                await asyncio.wait_for(arrivals.all_arrived.wait(), DELIVERY_TIMEOUT)
            except TimeoutError:
                missing = sum(1 for c in clients if c.event_at is None)
                raise SystemExit(
                    f"{missing} clients did not receive the book within {DELIVERY_TIMEOUT:.0f} s"
                ) from None
            if round_no == 0:
                continue
            times = sorted((c.event_at or sent) - sent for c in clients)
            result.event.extend(times)
            result.answered.append(answered - sent)
            print(
                f"  round {round_no}: POST answered in {(answered - sent) * 1000:.0f} ms; "
                f"first socket {times[0] * 1000:.0f}, median {percentile(times, 50) * 1000:.0f}, "
                f"last {times[-1] * 1000:.0f} ms",
                flush=True,
            )
    finally:
        for listener in listeners:
            listener.cancel()
        await asyncio.gather(*(c.connection.close() for c in clients), return_exceptions=True)
    return result


def run_layer(layer: str, args: argparse.Namespace) -> Result:
    scratch = Path(tempfile.mkdtemp(prefix=f"circulate-bench-{layer}-"))
    (scratch / "static").mkdir()
    try:
        env = server_env(scratch, layer, args)
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
        prepared = subprocess.run(
            [sys.executable, "-c", PREPARE_USERS, str(args.clients)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        tokens = json.loads(prepared.stdout.strip().splitlines()[-1])
        port = free_loopback_port()
        with contextlib.ExitStack() as servers:
            if args.workers > 1:
                # The production tiers: the sockets on uvicorn workers, the POST on the WSGI workers
                # (nginx routes /ws/ to the one and everything else to the other).
                env = {
                    **env,
                    "WS_CONCURRENCY": str(args.workers),
                    "WEB_CONCURRENCY": str(args.workers),
                    "GUNICORN_ACCESS_LOG": "",
                }
                servers.enter_context(
                    running_gunicorn(
                        "circulate.asgi:application",
                        "deploy/gunicorn_ws.conf.py",
                        env,
                        port=port,
                        bind_variable="GUNICORN_WS_BIND",
                    )
                )
                http = servers.enter_context(
                    running_gunicorn("circulate.wsgi:application", "deploy/gunicorn.conf.py", env)
                )
                http_port = int(http.rsplit(":", 1)[1])
                warm_http_tier(http_port, tokens["author"], args.workers)
            else:
                servers.enter_context(running_asgi_server(env, port=port, extra_args=["--backlog", "4096"]))
                http_port = port
            # The clients share the machine with the servers they measure: uvloop and orjson keep their
            # own share of the two cores small (the standard loop and json cost them ~1/3 more CPU).
            with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
                return runner.run(measure(port, http_port, tokens, args, layer))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def report(results: list[Result], args: argparse.Namespace) -> None:
    database = "PostgreSQL" if (args.database_url or "").startswith("postgres") else "SQLite (scratch file)"
    server = f"gunicorn, {args.workers} uvicorn workers" if args.workers > 1 else "uvicorn, one process"
    print(f"\n{args.clients} clients, {args.rounds} rounds after a warm-up, {server}, database {database}")
    print("milliseconds from sending POST /api/library/books/ until each client had the message\n")
    print("| layer | p50 | p99 | max | POST answered (median) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for result in results:
        values = result.event
        cells = " | ".join(f"{v * 1000:.1f}" for v in (percentile(values, 50), percentile(values, 99), max(values)))
        print(f"| {result.layer} | {cells} | {percentile(result.answered, 50) * 1000:.1f} |")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.realtime_ws", description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=500, help="WebSocket clients (default 500)")
    parser.add_argument("--rounds", type=int, default=5, help="measured books (default 5, after one warm-up)")
    parser.add_argument("--layer", choices=["memory", "redis", "both"], default="both")
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
        help="Redis for the redis layer (default $REDIS_URL or redis://127.0.0.1:6379/0)",
    )
    parser.add_argument(
        "--database-url", default="", help="a scratch database to migrate and use (default: a new SQLite file)"
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="serve with gunicorn and this many uvicorn workers (needs --layer redis)"
    )
    args = parser.parse_args(argv)
    if args.clients < 1 or args.rounds < 1:
        parser.error("--clients and --rounds must be at least 1")
    if args.workers > 1 and args.layer != "redis":
        parser.error("--workers above 1 needs --layer redis: the in-memory layer does not cross processes")
    layers = ["memory", "redis"] if args.layer == "both" else [args.layer]
    if "redis" in layers:
        require_loopback(args.redis_url, "--redis-url")
        if not redis_answers(args.redis_url):
            if args.layer == "redis":
                raise SystemExit(f"no Redis answers at {args.redis_url}")
            print(f"skipping the redis layer: no Redis answers at {args.redis_url}")
            layers.remove("redis")
    if args.database_url:
        require_loopback(args.database_url, "--database-url")
    results = []
    for layer in layers:
        print(f"running the {layer} layer with {args.clients} clients...", flush=True)
        results.append(run_layer(layer, args))
    report(results, args)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

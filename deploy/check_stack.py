"""Checks a running Circulate stack end to end through its public address (used by local-stack.sh).

Readiness through nginx, a static asset served by nginx, /metrics not served through nginx, a Celery task round trip
through the broker to a worker process, and WebSocket upgrades through nginx (refused without a token, served with one).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
import urllib.error
import urllib.request
from email.message import Message

import django


class StackCheckFailedError(Exception):
    pass


def require(condition: bool, message: object) -> None:
    if not condition:
        raise StackCheckFailedError(message)


def fetch(url: str) -> tuple[int, Message, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback URL from the caller
        return response.status, response.headers, response.read()


def check_ready(base: str) -> None:
    status, _, body = fetch(f"{base}/health/ready/")
    checks = json.loads(body)["checks"]
    require(status == 200 and set(checks.values()) == {"ok"}, checks)
    print(f"readiness through nginx: {checks}")


def check_static(base: str) -> None:
    _, _, html = fetch(f"{base}/api/docs/")
    asset = re.search(rb'(/static/[^"]+\.js)', html)
    if asset is None:
        raise StackCheckFailedError("no static asset referenced by /api/docs/")
    status, headers, _ = fetch(base + asset.group(1).decode())
    cache_control = ", ".join(headers.get_all("Cache-Control") or [])
    require(status == 200 and "immutable" in cache_control, dict(headers))
    print(f"static asset served by nginx: {asset.group(1).decode()}")


def check_metrics_not_public(base: str) -> None:
    for path in ("/metrics", "//metrics", "/m%65trics"):
        try:
            fetch(base + path)
        except urllib.error.HTTPError as error:
            require(error.code == 404 and b"circulate_" not in error.read(), f"{path}: {error.code}")
        else:
            raise StackCheckFailedError(f"{path} is served through nginx")
    print("/metrics is not served through nginx (404)")


def check_worker() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "circulate.settings")
    django.setup()
    from circulate.accounts.tasks import flush_expired_tokens

    outcome = flush_expired_tokens.delay().get(timeout=30)
    require(outcome["worker_pid"] != os.getpid(), outcome)
    print(f"task ran in worker process {outcome['worker_pid']}")


async def check_websocket(base: str) -> None:
    import websockets

    url = base.replace("http://", "ws://") + "/ws/notifications/"
    code = None
    async with websockets.connect(url, origin=base) as socket:
        try:
            await asyncio.wait_for(socket.recv(), timeout=10)
        except websockets.ConnectionClosed as closed:
            code = closed.rcvd.code if closed.rcvd else None
    require(code == 4401, f"expected close code 4401, got {code}")
    print("WebSocket upgraded through nginx; unauthenticated socket closed with 4401")


def log_in(base: str, login: str = "alice@circulate.local") -> str:
    request = urllib.request.Request(  # noqa: S310 - loopback URL from the caller
        f"{base}/api/auth/login/",
        data=json.dumps({"login": login, "password": "circulate-demo"}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return str(json.loads(response.read())["access"])


async def check_signed_in_socket(base: str, access: str) -> None:
    import websockets

    url = base.replace("http://", "ws://") + f"/ws/notifications/?token={access}"
    async with websockets.connect(url, origin=base) as socket:
        message = json.loads(await asyncio.wait_for(socket.recv(), timeout=10))
    require(message.get("type") == "unread", message)
    print(f"signed-in socket through nginx received {message}")


def post_json(url: str, access: str, body: dict[str, object]) -> dict[str, object]:
    request = urllib.request.Request(  # noqa: S310 - loopback URL from the caller
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {access}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return dict(json.loads(response.read()))


async def check_event_across_tiers(base: str) -> None:
    """A write served by the HTTP (WSGI) tier reaches a socket held by the WebSocket (ASGI) tier."""
    import websockets

    alice, librarian = log_in(base), log_in(base, "librarian@circulate.local")
    url = base.replace("http://", "ws://") + f"/ws/notifications/?token={alice}"
    async with websockets.connect(url, origin=base) as socket:
        await asyncio.wait_for(socket.recv(), timeout=10)  # the unread count on connect
        isbn = f"979{int.from_bytes(os.urandom(4)) % 10**9:09d}"
        isbn += str((10 - sum((3 if i % 2 else 1) * int(d) for i, d in enumerate(isbn)) % 10) % 10)
        book = await asyncio.to_thread(
            post_json, f"{base}/api/library/books/", librarian, {"title": "Stack check", "isbn": isbn}
        )
        while True:
            message = json.loads(await asyncio.wait_for(socket.recv(), timeout=10))
            if message.get("type") == "book.created":
                break
    require(message["data"]["book_id"] == book["id"], message)
    print(f"book #{book['id']} added over HTTP (WSGI tier) reached a socket on the ASGI tier as book.created")


def main() -> int:
    base = sys.argv[1].rstrip("/")
    check_ready(base)
    check_static(base)
    check_metrics_not_public(base)
    check_worker()
    asyncio.run(check_websocket(base))
    asyncio.run(check_signed_in_socket(base, log_in(base)))
    asyncio.run(check_event_across_tiers(base))
    return 0


if __name__ == "__main__":
    sys.exit(main())

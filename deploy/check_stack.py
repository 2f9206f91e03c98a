"""Checks a running Circulate stack end to end through its public address (used by local-stack.sh).

Readiness through nginx, a static asset served by nginx, /metrics not served through nginx, a Celery
task round trip through the broker to a worker process, WebSocket upgrades through nginx (refused without
a token, served with one, with or without an Origin), the partner branch service answering through
Circulate, and the limits: a body too large for nginx or for the app is a JSON 413, and a client that sends
its headers or body too slowly is cut off (408).
"""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import re
import socket
import sys
import time
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


def check_gbfs_kept_and_compressed(base: str) -> None:
    """nginx keeps a GBFS feed for its ttl (one build per ttl) and compresses JSON for clients that ask."""
    url = f"{base}/gbfs/v3/station_information.json"
    seen = []
    for _ in range(3):
        status, headers, body = fetch(url)
        require(status == 200 and json.loads(body)["version"] == "3.0", (status, body[:200]))
        seen.append(headers.get("X-Cache-Status"))
    require(seen[0] in ("MISS", "HIT", "EXPIRED") and seen[1:] == ["HIT", "HIT"], seen)
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})  # noqa: S310 - loopback stack
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback stack
        encoding, packed = response.headers.get("Content-Encoding"), response.read()
    require(encoding == "gzip" and json.loads(gzip.decompress(packed))["ttl"] > 0, encoding)
    print(f"GBFS feed kept by nginx for its ttl ({' -> '.join(map(str, seen))}) and gzip-compressed")


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

    outcome = flush_expired_tokens.apply_async(ignore_result=False).get(timeout=30)
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


def check_partner_branch(base: str) -> None:
    """The branch service answers Circulate's client: a demo title's copies asked live, through nginx."""
    alice = log_in(base)
    request = urllib.request.Request(  # noqa: S310 - loopback URL from the caller
        f"{base}/api/library/books/?ordering=title&page_size=1", headers={"Authorization": f"Bearer {alice}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        book = json.loads(response.read())["results"][0]
    request = urllib.request.Request(  # noqa: S310
        f"{base}/api/library/books/{book['id']}/partner-status/", headers={"Authorization": f"Bearer {alice}"}
    )
    with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
        branches = json.loads(response.read())["branches"]
    require(branches and branches[0]["outcome"] == "ok", branches)
    first = branches[0]
    print(f"partner branch {first['branch']['name']} holds {first['copies_available']} of {book['title']!r}")


async def check_token_socket_without_origin(base: str, access: str) -> None:
    """A client that is not a browser sends no Origin; with a token it is served."""
    import websockets

    url = base.replace("http://", "ws://") + f"/ws/notifications/?token={access}"
    async with websockets.connect(url) as socket_:
        message = json.loads(await asyncio.wait_for(socket_.recv(), timeout=10))
    require(message.get("type") == "unread", message)
    print("token socket without an Origin served through nginx")


def raw_exchange(base: str, head: bytes, body: bytes = b"", wait: float = 10.0) -> bytes:
    """Send ``head`` (and ``body``) on a fresh connection; what the server answers until it closes or ``wait``."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=wait) as conn:
        conn.sendall(head + body)
        received = b""
        deadline = time.monotonic() + wait
        try:
            while time.monotonic() < deadline:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                received += chunk
        except (TimeoutError, ConnectionResetError):
            pass
    return received


def check_limits(base: str, slow_timeout: float) -> None:
    host = base.removeprefix("http://")
    # A body over nginx's client_max_body_size: refused from its Content-Length, in the API's shape.
    head = (
        f"POST /api/library/authors/ HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {9 * 1024 * 1024}\r\nConnection: close\r\n\r\n"
    ).encode()
    answer = raw_exchange(base, head)
    require(answer.startswith(b"HTTP/1.1 413") and b'"payload_too_large"' in answer, answer[:300])
    print("a 9 MB body is refused by nginx: 413 payload_too_large")
    # A body nginx passes on but over the app's REQUEST_BODY_MAX_BYTES: the app's JSON 413.
    body = b'{"name": "' + b"a" * (3 * 1024 * 1024) + b'"}'
    head = (
        f"POST /api/library/authors/ HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    answer = raw_exchange(base, head, body)
    require(answer.startswith(b"HTTP/1.1 413") and b"larger than" in answer, answer[:300])
    print("a 3 MB body is refused by the app: 413 payload_too_large")
    # Headers sent too slowly (slowloris): nginx ends the connection after client_header_timeout.
    started = time.monotonic()
    answer = raw_exchange(base, f"GET /health/ HTTP/1.1\r\nHost: {host}\r\n".encode(), wait=slow_timeout * 4)
    require(b"200 OK" not in answer and time.monotonic() - started < slow_timeout * 4, answer[:300])
    print(f"headers never finished: connection ended by nginx after {time.monotonic() - started:.1f} s")
    # A body sent too slowly: 408 after client_body_timeout.
    head = (
        f"POST /api/auth/login/ HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        "Content-Length: 100\r\n\r\n"
    ).encode()
    started = time.monotonic()
    answer = raw_exchange(base, head, b'{"login": ', wait=slow_timeout * 4)
    require(b"200 OK" not in answer and time.monotonic() - started < slow_timeout * 4, answer[:300])
    print(f"body never finished: ended by nginx after {time.monotonic() - started:.1f} s ({answer[:12]!r})")


def main() -> int:
    base = sys.argv[1].rstrip("/")
    check_ready(base)
    check_static(base)
    check_metrics_not_public(base)
    check_gbfs_kept_and_compressed(base)
    check_worker()
    asyncio.run(check_websocket(base))
    asyncio.run(check_signed_in_socket(base, log_in(base)))
    asyncio.run(check_event_across_tiers(base))
    check_partner_branch(base)
    asyncio.run(check_token_socket_without_origin(base, log_in(base)))
    check_limits(base, slow_timeout=float(os.environ.get("STACK_SLOW_CLIENT_TIMEOUT", "10")))
    return 0


if __name__ == "__main__":
    sys.exit(main())

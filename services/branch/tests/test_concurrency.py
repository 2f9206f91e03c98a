"""Twenty members of other libraries reserve the branch's one copy at the same moment."""

from __future__ import annotations

import http.client
import json
import threading
from typing import Any
from urllib.parse import urlsplit

from flask.testing import FlaskClient

from tests.conftest import TOKEN

ISBN = "9780441013593"


def _post(base: str, path: str, body: dict[str, Any], headers: dict[str, str]) -> int:
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        connection.request("POST", path, json.dumps(body), {"Content-Type": "application/json", **headers})
        return connection.getresponse().status
    finally:
        connection.close()


def _parallel(count: int, call: Any) -> list[int]:
    statuses: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(count)

    def run(i: int) -> None:
        barrier.wait()
        status = call(i)
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_twenty_parallel_reservations_of_one_copy_give_exactly_one(
    live_server: str, client: FlaskClient, auth: dict[str, str], stock: Any
) -> None:
    # given
    stock(copies=1)
    headers = {"Authorization": f"Bearer {TOKEN}"}

    # when
    statuses = _parallel(20, lambda i: _post(live_server, "/reserve", {"isbn": ISBN, "member_ref": f"m-{i}"}, headers))

    # then
    assert sorted(statuses) == [201] + [409] * 19
    status = client.get(f"/status/{ISBN}", headers=auth).json
    assert status is not None
    assert (status["copies_available"], status["holds"]) == (0, 1)


def test_twenty_parallel_retries_with_one_key_reserve_once(
    live_server: str, client: FlaskClient, auth: dict[str, str], stock: Any
) -> None:
    # given
    stock(copies=5)
    headers = {"Authorization": f"Bearer {TOKEN}", "Idempotency-Key": "same-key"}

    # when
    statuses = _parallel(20, lambda i: _post(live_server, "/reserve", {"isbn": ISBN, "member_ref": "m-1"}, headers))

    # then
    assert statuses == [201] * 20
    status = client.get(f"/status/{ISBN}", headers=auth).json
    assert status is not None
    assert (status["copies_available"], status["holds"]) == (4, 1)

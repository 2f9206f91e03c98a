"""``/metrics`` under gunicorn with 2 workers (as deployed): every worker's counts, protected by the token.

gunicorn runs with ``deploy/gunicorn.conf.py`` in the production profile against the test
database. Whichever worker answers the scrape, it reports the requests both workers served
(prometheus_client's multi-process mode, one file per process in PROMETHEUS_MULTIPROC_DIR).
"""

from __future__ import annotations

import os
import re
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection
from prometheus_client.parser import text_string_to_metric_families

from circulate.core.asgi_server import running_gunicorn
from circulate.core.testing import database_url_of_this_connection
from circulate.library import services
from circulate.library.tests.factories import BookFactory, make_librarian, member_with_card

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = "gunicorn-metrics-test-token"
REQUESTS = 60


def get(url: str, token: str = "") -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def pids_with(metrics_dir: str, prefix: str) -> set[str]:
    return {match.group(1) for name in os.listdir(metrics_dir) if (match := re.match(rf"{prefix}_(\d+)\.db$", name))}


def wait_for_workers(metrics_dir: str, count: int) -> None:
    deadline = time.monotonic() + 90
    while len(pids_with(metrics_dir, "gauge_livesum")) < count:
        assert time.monotonic() < deadline, os.listdir(metrics_dir)
        time.sleep(0.2)


def readiness_requests(text: str) -> float:
    """Requests to /health/ready/ (whatever their status), which only this test sends; /health/ is the start probe's."""
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "circulate_http_requests_total" and sample.labels.get("view") == "health-ready"
    )


def gauge(text: str, name: str) -> float:
    (value,) = [s.value for f in text_string_to_metric_families(text) for s in f.samples if s.name == name]
    return value


def test_metrics_add_up_every_worker_and_need_the_token() -> None:
    # given an open loan, and gunicorn with 2 workers, a metrics directory and a token
    librarian = make_librarian()
    services.issue_loan(actor=librarian, book_id=BookFactory().pk, member_id=member_with_card().pk)
    connection.close()
    metrics_dir = tempfile.mkdtemp(prefix="circulate-metrics-test-")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("EMAIL_", "TEST_DATABASE"))}
    env.update(
        DJANGO_ENV="production",
        SECRET_KEY="metrics-gunicorn-test-" + "k" * 40,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=database_url_of_this_connection(),
        WEB_CONCURRENCY="2",
        PROMETHEUS_MULTIPROC_DIR=metrics_dir,
        METRICS_TOKEN=TOKEN,
        CELERY_TASK_ALWAYS_EAGER="true",
    )
    with running_gunicorn("circulate.wsgi:application", "deploy/gunicorn.conf.py", env) as base:
        # (gunicorn answers once one worker is up; each worker creates its gauge file when it loads the app)
        wait_for_workers(metrics_dir, 2)
        # when 60 requests come at once, spread over both workers
        with ThreadPoolExecutor(12) as pool:
            statuses = list(pool.map(lambda _: get(f"{base}/health/ready/")[0], range(REQUESTS)))
        assert set(statuses) <= {200, 503}, statuses
        # then every scrape, whichever worker answers it, counts all of them
        scrapes = [get(f"{base}/metrics", TOKEN) for _ in range(4)]
        # and without the token (even from loopback in production) /metrics is refused
        refused, _ = get(f"{base}/metrics")
        wrong, _ = get(f"{base}/metrics", "not-the-token")
    assert [status for status, _ in scrapes] == [200] * 4
    assert {readiness_requests(text) for _, text in scrapes} == {REQUESTS}
    assert (refused, wrong) == (401, 401)
    # and both workers served requests and wrote their own counts
    pids = pids_with(metrics_dir, "counter")
    assert len(pids) >= 2, sorted(Path(metrics_dir).iterdir())
    # and the domain gauge read the database
    assert gauge(scrapes[-1][1], "circulate_library_open_loans") == 1

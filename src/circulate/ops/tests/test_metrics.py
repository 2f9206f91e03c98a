"""``/metrics``: what it counts, the domain gauges, and who may read it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from circulate.accounts.tests.factories import UserFactory
from circulate.asgi import application
from circulate.audit.tasks import purge_expired_entries
from circulate.library.models import Loan
from circulate.library.tests.factories import BookFactory, make_librarian, member_with_card
from circulate.ops import metrics
from circulate.realtime.tests.conftest import ORIGIN, token_for

REPO = Path(__file__).resolve().parents[4]


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a text exposition, by name and labels."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(text: str, name: str, **labels: str) -> float:
    return samples(text).get((name, frozenset(labels.items())), 0.0)


def scrape(client: Client | None = None, **headers: Any) -> str:
    response = (client or Client()).get("/metrics", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    return response.content.decode()


@pytest.mark.django_db
def test_requests_queries_tasks_and_domain_gauges_are_counted(auth_client: Any) -> None:
    # given one open loan and one returned, and what /metrics said before
    librarian = make_librarian()
    issue = {"actor": librarian, "member_id": member_with_card().pk}
    from circulate.library import services

    services.issue_loan(book_id=BookFactory().pk, **issue)
    returned = services.issue_loan(book_id=BookFactory().pk, **issue)
    services.return_loan(actor=librarian, loan_id=returned.pk)
    before = scrape()
    # when the librarian lists books twice, an anonymous client is refused once, and a task runs
    client = auth_client(librarian)
    assert client.get("/api/library/books/").status_code == 200
    assert client.get("/api/library/books/").status_code == 200
    assert auth_client(UserFactory()).get("/api/audit/").status_code == 403
    purge_expired_entries.apply()
    after = scrape()

    # then requests are counted by view, method and status
    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("circulate_http_requests_total", view="library:book-list", method="GET", status="200") == 2
    assert grew("circulate_http_requests_total", view="audit:entry-list", method="GET", status="403") == 1
    book_list = {"view": "library:book-list", "method": "GET", "status": "200"}
    assert grew("circulate_http_request_duration_seconds_count", **book_list) == 2
    # and the queries each request ran, and all of them
    assert grew("circulate_http_request_db_queries_count", view="library:book-list") == 2
    assert grew("circulate_http_request_db_queries_sum", view="library:book-list") >= 6
    assert grew("circulate_db_queries_total", database="default") >= 6
    # and task runs with their outcome and duration
    task = "circulate.audit.tasks.purge_expired_entries"
    assert grew("circulate_celery_task_runs_total", task=task, outcome="success") == 1
    assert grew("circulate_celery_task_duration_seconds_count", task=task) == 1
    # and the domain gauges read the database now
    assert value(after, "circulate_library_open_loans") == 1 == Loan.objects.filter(returned_at__isnull=True).count()
    assert value(after, "circulate_bikes_active_rentals") == 0
    assert value(after, "circulate_dealership_open_offers") == 0
    assert value(after, "circulate_partners_open_reservations") == 0
    assert {
        "circulate_library_open_loans",
        "circulate_bikes_active_rentals",
        "circulate_dealership_open_offers",
        "circulate_dealership_cars_in_stock",
        "circulate_partners_open_reservations",
        "circulate_partners_unconfirmed_reservations",
    } <= set(metrics.domain_gauge_names())


def test_a_failed_task_run_is_counted_as_a_failure() -> None:
    # given
    name = "circulate.test.always_fails"
    before = metrics.TASK_FAILURES.labels(task=name)._value.get()
    # when
    metrics.observe_task(name=name, outcome="failure", duration=0.5)
    # then
    assert metrics.TASK_FAILURES.labels(task=name)._value.get() == before + 1
    assert metrics.TASK_RUNS.labels(task=name, outcome="failure")._value.get() >= 1


@pytest.mark.django_db(transaction=True)
async def test_open_websockets_are_a_gauge() -> None:
    # given a signed-in user and the gauge now
    from channels.db import database_sync_to_async

    user = await database_sync_to_async(UserFactory)()
    before = metrics.WEBSOCKETS_OPEN._value.get()
    socket = WebsocketCommunicator(application, f"/ws/notifications/?token={token_for(user)}", headers=[ORIGIN])
    # when a socket opens
    connected, _ = await socket.connect(5)
    assert connected
    await socket.receive_json_from(5)
    # then it is counted, and no longer once it closes
    assert metrics.WEBSOCKETS_OPEN._value.get() == before + 1
    await socket.disconnect()
    assert metrics.WEBSOCKETS_OPEN._value.get() == before


@pytest.mark.django_db
class TestProtection:
    def test_loopback_may_read_by_default_in_development(self) -> None:
        assert "circulate_http_requests_total" in scrape()

    def test_with_a_token_others_get_401_and_the_bearer_200(self, settings: Any) -> None:
        # given
        settings.METRICS_TOKEN = "scrape-secret"
        settings.METRICS_ALLOWED_IPS = []
        # when / then
        refused = Client().get("/metrics")
        assert refused.status_code == 401
        assert refused.json()["code"] == "not_authenticated"
        assert refused["WWW-Authenticate"].startswith("Bearer")
        assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
        assert "circulate_" in scrape(HTTP_AUTHORIZATION="Bearer scrape-secret")

    def test_allowed_networks_are_matched_against_the_direct_peer_only(self, settings: Any) -> None:
        # given
        settings.METRICS_TOKEN = ""
        settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8"]
        settings.NUM_PROXIES = 1
        # when / then: a peer in the network may read
        assert "circulate_" in scrape(REMOTE_ADDR="10.1.2.3")
        # and another may not, whatever X-Forwarded-For says
        refused = Client().get("/metrics", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="10.1.2.3")
        assert refused.status_code == 403
        assert refused.json()["code"] == "permission_denied"

    def test_nothing_configured_serves_no_one(self, settings: Any) -> None:
        settings.METRICS_TOKEN = ""
        settings.METRICS_ALLOWED_IPS = []
        assert Client().get("/metrics").status_code == 403


def test_the_shipped_nginx_config_does_not_publish_metrics() -> None:
    # nginx answers /metrics itself with a 404 before the catch-all location could proxy it to the app
    conf = (REPO / "deploy" / "nginx.conf").read_text()
    block = re.search(r"location = /metrics \{([^}]*)\}", conf)
    assert block is not None
    assert re.search(r"return 404;", block.group(1))

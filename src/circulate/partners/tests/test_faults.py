"""A branch that is stopped, silent or failing: 503 partner_unavailable within the timeout, the
breaker opens and later recovers, every attempt is logged, and the rest of the library keeps working."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from circulate.partners.client import BranchClient, breaker_state
from circulate.partners.errors import PartnerUnavailableError
from circulate.partners.models import PartnerBranch, PartnerCall
from circulate.partners.tests.branch_servers import BranchService, LoopbackServer, SilentServer, answering
from circulate.partners.tests.conftest import make_branch

pytestmark = pytest.mark.django_db


def _reserve(client: Any, book: Any, branch: PartnerBranch) -> Any:
    return client.post(f"/api/library/books/{book.pk}/partner-reservations/", {"branch": branch.pk}, format="json")


def test_a_stopped_branch_is_503_then_the_breaker_opens_then_it_recovers(
    auth_client: Any, alice: Any, book: Any, branch: PartnerBranch, branch_service: BranchService
) -> None:
    # given a branch that was stocked, then stopped
    branch_service.stock(book.isbn, 1)
    branch_service.stop()
    client = auth_client(alice)

    # when: two failed calls (the threshold), then a third
    first = _reserve(client, book, branch)
    second = _reserve(client, book, branch)
    calls_before = PartnerCall.objects.count()
    refused = _reserve(client, book, branch)

    # then
    assert first.status_code == second.status_code == refused.status_code == 503
    assert first.json()["code"] == "partner_unavailable"
    branch.refresh_from_db()
    assert breaker_state(branch) == "open"
    assert PartnerCall.objects.count() == calls_before + 1  # the open breaker asked nobody
    assert PartnerCall.objects.latest("id").error == "circuit open"
    assert PartnerCall.objects.filter(attempt=3, status=None).exists()  # each call was retried

    # when: the cool-down has passed and the branch is back
    PartnerBranch.objects.filter(pk=branch.pk).update(breaker_open_until=timezone.now() - timedelta(seconds=1))
    branch_service.start()
    recovered = _reserve(client, book, branch)

    # then: the half-open trial went through and closed the breaker; the first key was re-sent
    assert recovered.status_code == 201, recovered.json()
    branch.refresh_from_db()
    assert (breaker_state(branch), branch.breaker_failures, branch.last_error) == ("closed", 0, "")
    assert branch_service.status(book.isbn)["holds"] == 1


def test_half_open_lets_one_trial_through_and_a_failed_trial_opens_again(branch: PartnerBranch) -> None:
    # given an open breaker whose cool-down has passed, and a branch still down
    PartnerBranch.objects.filter(pk=branch.pk).update(
        breaker_failures=2, breaker_open_until=timezone.now() - timedelta(seconds=1), base_url="http://127.0.0.1:9"
    )
    branch.refresh_from_db()

    # when
    with pytest.raises(PartnerUnavailableError):
        BranchClient(branch).status("9780441013593")

    # then
    branch.refresh_from_db()
    assert breaker_state(branch) == "open"
    assert PartnerCall.objects.filter(attempt__gte=1).count() == 3  # the trial was made, with its retries


def test_a_silent_branch_times_out_to_503_and_every_attempt_is_logged(auth_client: Any, alice: Any, book: Any) -> None:
    # given
    silent = SilentServer()
    branch = make_branch(silent.url, code="slow", read_timeout=0.2, max_attempts=2)

    # when
    response = _reserve(auth_client(alice), book, branch)
    silent.stop()

    # then
    assert response.status_code == 503
    assert response.json()["code"] == "partner_unavailable"
    assert "ReadTimeout" in response.json()["detail"]
    logged = list(PartnerCall.objects.filter(branch=branch).order_by("id").values_list("attempt", "status"))
    assert logged == [(1, None), (2, None)]
    assert all("ReadTimeout" in error for error in PartnerCall.objects.values_list("error", flat=True))


@pytest.mark.parametrize(("status", "attempts"), [(503, 3), (502, 3), (500, 1)])
def test_a_failing_branch_is_retried_on_gateway_errors_only(
    auth_client: Any, alice: Any, book: Any, status: int, attempts: int
) -> None:
    # given
    app, seen = answering(status)
    server = LoopbackServer(app).start()
    branch = make_branch(server.url, code="failing")

    # when
    response = _reserve(auth_client(alice), book, branch)
    server.stop()

    # then
    assert response.status_code == 503
    assert len(seen) == attempts
    assert PartnerCall.objects.filter(branch=branch, status=status).count() == attempts


def test_with_a_branch_down_the_library_and_partner_status_still_answer(
    auth_client: Any, alice: Any, book: Any, branch: PartnerBranch, branch_service: BranchService
) -> None:
    # given
    branch_service.stop()
    client = auth_client(alice)

    # when
    status = client.get(f"/api/library/books/{book.pk}/partner-status/")
    catalogue = client.get("/api/library/books/")

    # then
    assert status.status_code == 200
    assert status.json()["branches"][0]["outcome"] == "unavailable"
    assert catalogue.status_code == 200

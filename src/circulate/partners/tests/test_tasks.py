"""The beat jobs: availability refreshed in batches, remote statuses brought home."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from circulate.audit.models import AuditEntry
from circulate.library.tests.factories import BookFactory, member_with_card
from circulate.partners import tasks
from circulate.partners.models import PartnerAvailability, PartnerBranch, PartnerReservation
from circulate.partners.tests.branch_servers import BranchService
from circulate.partners.tests.conftest import make_branch
from circulate.realtime.models import Event, EventRecipient

pytestmark = pytest.mark.django_db


def test_refresh_asks_every_catalogued_isbn_in_batches(
    settings: Any, branch: PartnerBranch, branch_service: BranchService
) -> None:
    # given
    settings.PARTNERS_REFRESH_BATCH = 2
    held = [BookFactory(), BookFactory()]
    not_held = BookFactory()
    branch_service.stock(held[0].isbn, 3)
    branch_service.stock(held[1].isbn, 1)
    down = make_branch("http://127.0.0.1:9", code="closed", max_attempts=1)

    # when
    report = tasks.refresh_availability()

    # then
    rows = {row.isbn: (row.outcome, row.copies_available) for row in PartnerAvailability.objects.filter(branch=branch)}
    assert rows == {held[0].isbn: ("ok", 3), held[1].isbn: ("ok", 1), not_held.isbn: ("not_held", 0)}
    assert report["branches"]["riverside"] == {"refreshed": 3}
    assert "error" in report["branches"]["closed"]
    branch.refresh_from_db()
    down.refresh_from_db()
    assert branch.last_refresh_at is not None
    assert down.last_refresh_at is None


def test_refresh_updates_rows_it_stored_before(branch: PartnerBranch, branch_service: BranchService) -> None:
    # given
    book = BookFactory()
    branch_service.stock(book.isbn, 3)
    tasks.refresh_availability()
    branch_service.stock(book.isbn, 1)

    # when
    tasks.refresh_availability()

    # then
    assert PartnerAvailability.objects.get(branch=branch, isbn=book.isbn).copies_available == 1


def test_sync_brings_the_ready_status_home_and_tells_the_member(
    auth_client: Any,
    alice: Any,
    book: Any,
    branch: PartnerBranch,
    branch_service: BranchService,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given a reservation the branch has since put on its hold shelf
    branch_service.stock(book.isbn, 1)
    reservation = (
        auth_client(alice)
        .post(f"/api/library/books/{book.pk}/partner-reservations/", {"branch": branch.pk}, format="json")
        .json()
    )
    branch_service.call("POST", f"/reservations/{reservation['remote_id']}/ready")

    # when
    with django_capture_on_commit_callbacks(execute=True):
        counts = tasks.sync_reservations()

    # then
    row = PartnerReservation.objects.get(pk=reservation["id"])
    assert row.status == "ready"
    assert row.pickup_until is not None
    assert counts == {"checked": 1, "changed": 1, "ready": 1, "skipped": 0}
    assert Event.objects.filter(type="partner_reservation.ready", audience="role", role="librarian").exists()
    assert EventRecipient.objects.filter(event__type="partner_reservation.ready", user=alice).exists()
    entry = AuditEntry.objects.get(action="partners.reservation.sync")
    assert entry.actor_label == "partners.sync_reservations"


def test_sync_confirms_a_reservation_the_branch_never_answered(
    auth_client: Any, alice: Any, book: Any, branch: PartnerBranch, branch_service: BranchService
) -> None:
    # given the branch was down when the member reserved
    branch_service.stock(book.isbn, 1)
    branch_service.stop()
    refused = auth_client(alice).post(
        f"/api/library/books/{book.pk}/partner-reservations/", {"branch": branch.pk}, format="json"
    )
    assert refused.status_code == 503
    PartnerBranch.objects.filter(pk=branch.pk).update(breaker_open_until=None, breaker_failures=0)
    branch_service.start()

    # when
    counts = tasks.sync_reservations()

    # then
    row = PartnerReservation.objects.get()
    assert (row.status, counts["changed"]) == ("pending", 1)
    assert branch_service.status(book.isbn)["holds"] == 1


def test_sync_skips_a_branch_that_is_down(
    alice: Any, book: Any, branch: PartnerBranch, branch_service: BranchService
) -> None:
    # given two unconfirmed reservations at a stopped branch

    for member in (member_with_card(), member_with_card()):
        PartnerReservation.objects.create(branch=branch, book=book, member=member)
    branch_service.stop()

    # when
    counts = tasks.sync_reservations()

    # then
    assert counts == {"checked": 1, "changed": 0, "ready": 0, "skipped": 1}
    assert set(PartnerReservation.objects.values_list("status", flat=True)) == {"requested"}


def test_beat_refreshes_every_15_minutes_and_syncs_every_5(settings: Any) -> None:
    # when
    schedule = settings.CELERY_BEAT_SCHEDULE

    # then
    assert schedule["partners.refresh_availability"] == {
        "task": "circulate.partners.tasks.refresh_availability",
        "schedule": timedelta(minutes=15),
    }
    assert schedule["partners.sync_reservations"]["schedule"] == timedelta(minutes=5)
    assert tasks.refresh_availability.name == schedule["partners.refresh_availability"]["task"]
    assert tasks.sync_reservations.name == schedule["partners.sync_reservations"]["task"]

"""What partner branches hold: refreshed in batches by beat, or asked live when the stored answer is stale."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from circulate.library.models import Book
from circulate.partners import selectors
from circulate.partners.client import BranchClient, breaker_state
from circulate.partners.errors import PartnerUnavailableError
from circulate.partners.models import PartnerAvailability, PartnerBranch

UPDATED_FIELDS = ["copies_available", "copies_total", "holds", "checked_at", "outcome"]


def _store(branch: PartnerBranch, rows: list[dict[str, Any]], missing: list[str], *, now: datetime) -> None:
    records = [
        PartnerAvailability(
            branch=branch,
            isbn=row["isbn"],
            copies_available=max(0, int(row.get("copies_available", 0))),
            copies_total=max(0, int(row.get("copies_total", 0))),
            holds=max(0, int(row.get("holds", 0))),
            checked_at=now,
            outcome=PartnerAvailability.Outcome.OK,
        )
        for row in rows
    ] + [
        PartnerAvailability(branch=branch, isbn=isbn, checked_at=now, outcome=PartnerAvailability.Outcome.NOT_HELD)
        for isbn in missing
    ]
    # MariaDB/MySQL upsert on any unique key and take no conflict target; the others need it.
    target = ["branch", "isbn"] if connection.features.supports_update_conflicts_with_target else None
    PartnerAvailability.objects.bulk_create(
        records, update_conflicts=True, unique_fields=target, update_fields=UPDATED_FIELDS
    )


def refresh_availability(*, batch_size: int | None = None) -> dict[str, Any]:
    """Ask every enabled branch about every catalogued ISBN, ``batch_size`` ISBNs per request.

    A branch that stops answering is skipped for the rest of this run (its stored rows stay,
    with their ``checked_at``); the others are still refreshed.
    """
    batch_size = batch_size or settings.PARTNERS_REFRESH_BATCH
    isbns = sorted(set(Book.objects.values_list("isbn", flat=True)))
    report: dict[str, Any] = {"isbns": len(isbns), "branches": {}}
    for branch in selectors.enabled_branches():
        client = BranchClient(branch)
        refreshed = 0
        try:
            for start in range(0, len(isbns), batch_size):
                answer = client.statuses(isbns[start : start + batch_size])
                if answer.status != 200 or not isinstance(answer.data, dict):
                    raise PartnerUnavailableError(f"{branch.name} answered {answer.status} to a status request.")
                _store(branch, answer.data.get("results", []), answer.data.get("missing", []), now=timezone.now())
                refreshed += len(answer.data.get("results", [])) + len(answer.data.get("missing", []))
        except PartnerUnavailableError as exc:
            report["branches"][branch.code] = {"refreshed": refreshed, "error": exc.detail}
            continue
        PartnerBranch.objects.filter(pk=branch.pk).update(last_refresh_at=timezone.now())
        report["branches"][branch.code] = {"refreshed": refreshed}
    return report


def _entry(branch: PartnerBranch, row: PartnerAvailability | None, *, source: str, outcome: str) -> dict[str, Any]:
    return {
        "branch": {"id": branch.pk, "name": branch.name, "code": branch.code, "breaker": breaker_state(branch)},
        "outcome": outcome,
        "source": source,
        "copies_available": row.copies_available if row else None,
        "copies_total": row.copies_total if row else None,
        "holds": row.holds if row else None,
        "checked_at": row.checked_at if row else None,
    }


def partner_status(*, book: Book) -> list[dict[str, Any]]:
    """Availability of ``book`` per enabled branch: the stored refresh when fresh, else asked live.

    A branch that does not answer shows ``outcome: unavailable`` (with the last stored numbers,
    if any); it never fails the whole answer.
    """
    stored = selectors.stored_availability(isbn=book.isbn)
    fresh_since = selectors.fresh_since()
    entries = []
    for branch in selectors.enabled_branches():
        row = stored.get(branch.pk)
        if row is not None and row.checked_at >= fresh_since:
            entries.append(_entry(branch, row, source="stored", outcome=row.outcome))
            continue
        try:
            answer = BranchClient(branch).status(book.isbn)
        except PartnerUnavailableError:
            branch.refresh_from_db(fields=["breaker_open_until"])
            entries.append(_entry(branch, row, source="stored", outcome=PartnerAvailability.Outcome.UNAVAILABLE))
            continue
        now = timezone.now()
        if answer.status == 200 and isinstance(answer.data, dict):
            _store(branch, [answer.data], [], now=now)
        elif answer.status == 404:
            _store(branch, [], [book.isbn], now=now)
        else:
            entries.append(_entry(branch, row, source="stored", outcome=PartnerAvailability.Outcome.UNAVAILABLE))
            continue
        live = PartnerAvailability.objects.get(branch=branch, isbn=book.isbn)
        entries.append(_entry(branch, live, source="live", outcome=live.outcome))
    return entries

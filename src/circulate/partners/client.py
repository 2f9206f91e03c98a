"""The one HTTP client for partner branches (the seed's "Requester"), on ``requests``.

Every call has a connect and a read timeout (per branch). GETs, ``/reserve`` (which carries
an ``Idempotency-Key``, so the branch never reserves twice) and cancel (a no-op when repeated)
are retried on a dropped connection, a timeout or a 502/503/504, with exponential back-off
and full jitter. A circuit breaker per branch, kept on the branch row so every process shares
it, refuses calls at once for ``PARTNERS_BREAKER_COOLDOWN`` seconds after
``PARTNERS_BREAKER_THRESHOLD`` failed calls in a row; then one trial call is let through
(half-open): success closes the breaker, failure opens it again. Every attempt, and every
call the breaker refused, is written to ``PartnerCall``.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import requests
from django.conf import settings
from django.db.models import F
from django.utils import timezone

from circulate.partners.errors import PartnerUnavailableError
from circulate.partners.models import PartnerBranch, PartnerCall

logger = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({502, 503, 504})


@dataclass(frozen=True)
class BranchAnswer:
    status: int
    data: Any


def backoff_seconds(attempt: int) -> float:
    """Full jitter: a random wait up to base * 2^(attempt-1), capped."""
    ceiling = min(settings.PARTNERS_RETRY_BACKOFF * 2 ** (attempt - 1), settings.PARTNERS_RETRY_BACKOFF_MAX)
    return random.uniform(0, ceiling)  # noqa: S311 - spreading retries, not a secret


class BranchClient:
    def __init__(self, branch: PartnerBranch, *, session: requests.Session | None = None) -> None:
        self.branch = branch
        self.session = session or requests.Session()

    # --- the calls ---------------------------------------------------------------------------------

    def status(self, isbn: str) -> BranchAnswer:
        return self._call("GET", f"/status/{isbn}", retry=True)

    def statuses(self, isbns: list[str]) -> BranchAnswer:
        # A read, though sent as POST: safe to retry.
        return self._call("POST", "/status/batch", json={"isbns": isbns}, retry=True)

    def reserve(
        self, *, isbn: str, member_ref: str, idempotency_key: str, pickup_days: int | None = None
    ) -> BranchAnswer:
        body: dict[str, Any] = {"isbn": isbn, "member_ref": member_ref}
        if pickup_days:
            body["pickup_days"] = pickup_days
        return self._call("POST", "/reserve", json=body, headers={"Idempotency-Key": idempotency_key}, retry=True)

    def reservation(self, remote_id: int) -> BranchAnswer:
        return self._call("GET", f"/reservations/{remote_id}", retry=True)

    def cancel(self, remote_id: int) -> BranchAnswer:
        return self._call("POST", f"/reservations/{remote_id}/cancel", retry=True)

    def health(self) -> BranchAnswer:
        return self._call("GET", "/health/ready", retry=False)

    # --- the machinery -----------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        headers: dict[str, str] | None = None,
        retry: bool,
    ) -> BranchAnswer:
        branch = self.branch
        url = branch.base_url.rstrip("/") + path
        if not self._breaker_allows():
            self._log(method, url, status=None, duration_ms=0, attempt=0, error="circuit open")
            raise PartnerUnavailableError(f"{branch.name} is not answering; its circuit breaker is open.")
        attempts = branch.max_attempts if retry else 1
        send_headers = {"Authorization": f"Bearer {branch.token}", "Accept": "application/json", **(headers or {})}
        last_error = ""
        for attempt in range(1, attempts + 1):
            started = time.monotonic()
            try:
                response = self.session.request(
                    method,
                    url,
                    json=json,
                    headers=send_headers,
                    timeout=(branch.connect_timeout, branch.read_timeout),
                )
            except requests.RequestException as exc:
                last_error = f"{type(exc).__name__}: {exc}"[:300]
                self._log(method, url, status=None, duration_ms=_ms(started), attempt=attempt, error=last_error)
            else:
                self._log(method, url, status=response.status_code, duration_ms=_ms(started), attempt=attempt)
                if response.status_code not in RETRY_STATUSES and response.status_code < 500:
                    self._breaker_success()
                    return BranchAnswer(response.status_code, _json(response))
                last_error = f"HTTP {response.status_code}"
                if response.status_code not in RETRY_STATUSES:
                    break  # a 500 is the branch's bug: asking again will not help
            if attempt < attempts:
                time.sleep(backoff_seconds(attempt))
        self._breaker_failure(last_error)
        raise PartnerUnavailableError(f"{branch.name} does not answer now ({last_error}); try again later.")

    def _log(
        self, method: str, url: str, *, status: int | None, duration_ms: int, attempt: int, error: str = ""
    ) -> None:
        try:
            PartnerCall.objects.create(
                branch_id=self.branch.pk,
                method=method,
                url=url[:500],
                status=status,
                duration_ms=duration_ms,
                attempt=attempt,
                error=error[:300],
            )
        except Exception:  # the call log must never turn an answer into an error
            logger.exception("could not log a call to %s", url)

    def _breaker_allows(self) -> bool:
        """Closed: go. Open: refuse until the cool-down ends; then exactly one caller gets the trial call."""
        now = timezone.now()
        row = PartnerBranch.all_objects.filter(pk=self.branch.pk).values("breaker_open_until").first()
        open_until = row["breaker_open_until"] if row else None
        if open_until is None:
            return True
        if open_until > now:
            return False
        # Half-open: whoever moves the deadline first makes the trial; the others keep failing fast.
        cooldown = timedelta(seconds=settings.PARTNERS_BREAKER_COOLDOWN)
        won = PartnerBranch.all_objects.filter(pk=self.branch.pk, breaker_open_until=open_until).update(
            breaker_open_until=now + cooldown
        )
        return bool(won)

    def _breaker_success(self) -> None:
        PartnerBranch.all_objects.filter(pk=self.branch.pk).update(
            breaker_failures=0, breaker_open_until=None, last_error="", last_success_at=timezone.now()
        )

    def _breaker_failure(self, error: str) -> None:
        now = timezone.now()
        PartnerBranch.all_objects.filter(pk=self.branch.pk).update(
            breaker_failures=F("breaker_failures") + 1, last_error=error[:300]
        )
        PartnerBranch.all_objects.filter(
            pk=self.branch.pk, breaker_failures__gte=settings.PARTNERS_BREAKER_THRESHOLD
        ).update(breaker_open_until=now + timedelta(seconds=settings.PARTNERS_BREAKER_COOLDOWN))


def breaker_state(branch: PartnerBranch) -> str:
    if branch.breaker_open_until is None:
        return "closed"
    return "open" if branch.breaker_open_until > timezone.now() else "half_open"


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None

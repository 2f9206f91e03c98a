"""Celery entry points of the bike rental; each calls a service and is safe to run twice.

| task | schedule (``CELERY_BEAT_SCHEDULE``) |
| --- | --- |
| ``price_rental`` | enqueued when a ride is finished (after the commit) |
| ``reprice_overdue`` | every minute: rides still unpriced 5 minutes after they ended are enqueued again |

``price_rental`` is acknowledged only after it ran (``acks_late``) and is requeued when its
worker dies (``reject_on_worker_lost``), so a crash mid-task hands it to another worker; the
service prices a ride only while it is pending, so running it again changes nothing. A
failure (the database or the file storage away) is retried with exponential back-off and
jitter; after the last retry the ride is marked ``failed`` for staff to look at.
"""

from __future__ import annotations

import random
from typing import Any

from celery import Task, shared_task

from circulate.bikes import selectors, services
from circulate.core.errors import NotFoundError

MAX_PRICING_RETRIES = 8


def backoff_seconds(retries: int) -> float:
    """5 s, 10 s, 20 s, ... at most 10 minutes, each with up to 20 % jitter."""
    base = float(min(5 * 2**retries, 600))
    return base + random.uniform(0, base / 5)  # noqa: S311 - spreading retries, not a secret


@shared_task(
    name="circulate.bikes.tasks.price_rental",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_PRICING_RETRIES,
)
def price_rental(self: Task, rental_id: int) -> dict[str, Any]:
    try:
        rental = services.price_rental(rental_id=rental_id)
    except NotFoundError:
        return {"rental_id": rental_id, "cost_status": "missing"}
    except Exception as exc:
        if self.request.retries >= MAX_PRICING_RETRIES:
            services.fail_pricing(rental_id=rental_id, error=f"{type(exc).__name__}: {exc}")
            raise
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries)) from exc
    return {"rental_id": rental.pk, "cost_status": rental.cost_status, "cost": str(rental.cost)}


@shared_task(name="circulate.bikes.tasks.reprice_overdue")
def reprice_overdue() -> dict[str, int]:
    ids = list(selectors.pricing_overdue(older_than=selectors.PRICING_OVERDUE_AFTER).values_list("pk", flat=True)[:500])
    for rental_id in ids:
        price_rental.delay(rental_id)
    return {"enqueued": len(ids)}

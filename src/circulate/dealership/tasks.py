"""Celery entry points of the dealership market; each calls a trading service and is safe to run twice.

| task | schedule (``CELERY_BEAT_SCHEDULE``) |
| --- | --- |
| ``restock`` | every 10 minutes: dealerships buy what their preferences want from the cheapest supplier |
| ``match_offers`` | every minute: active offers, oldest first, get the cheapest matching car they can pay for |

Both are one transaction per dealership or per offer under row locks, so a cycle that
overlaps the previous one (a slow run, two beat instances) never overdraws or sells twice.
"""

from __future__ import annotations

from celery import shared_task

from circulate.core import context
from circulate.dealership import services


@shared_task(name="circulate.dealership.tasks.restock")
def restock() -> dict[str, int]:
    with context.acting_as("task:dealership.restock"):
        purchases = services.restock()
    return {"purchases": len(purchases), "units": sum(p.quantity for p in purchases)}


@shared_task(name="circulate.dealership.tasks.match_offers")
def match_offers() -> dict[str, int]:
    with context.acting_as("task:dealership.match_offers"):
        sales = services.match_offers()
    return {"sales": len(sales)}

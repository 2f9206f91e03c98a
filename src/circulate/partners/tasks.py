"""Celery entry points of the partners app; each calls a service and is safe to run twice.

| task | schedule (``CELERY_BEAT_SCHEDULE``) |
| --- | --- |
| ``refresh_availability`` | every 15 minutes: every catalogued ISBN at every enabled branch, in batches |
| ``sync_reservations`` | every 5 minutes: open reservations' statuses from their branches; members told when ready |
"""

from __future__ import annotations

from typing import Any

from celery import shared_task

from circulate.core.context import acting_as
from circulate.partners import services


@shared_task(name="circulate.partners.tasks.refresh_availability")
def refresh_availability() -> dict[str, Any]:
    return services.refresh_availability()


@shared_task(name="circulate.partners.tasks.sync_reservations")
def sync_reservations() -> dict[str, int]:
    with acting_as("partners.sync_reservations"):
        return services.sync_reservations()

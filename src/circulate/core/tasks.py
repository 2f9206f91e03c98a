"""Celery entry points of the platform's own housekeeping.

| task | schedule (``CELERY_BEAT_SCHEDULE``) |
| --- | --- |
| ``purge_idempotency_keys`` | hourly |
"""

from __future__ import annotations

from celery import shared_task

from circulate.core import idempotency


@shared_task(name="circulate.core.tasks.purge_idempotency_keys")
def purge_idempotency_keys() -> dict[str, int]:
    return {"deleted": idempotency.purge_expired_keys()}

"""Celery entry points of the audit trail.

| task | schedule (``CELERY_BEAT_SCHEDULE``) |
| --- | --- |
| ``purge_expired_entries`` | daily at 03:30 UTC |
"""

from __future__ import annotations

from celery import shared_task

from circulate.audit import services


@shared_task(name="circulate.audit.tasks.purge_expired_entries")
def purge_expired_entries() -> dict[str, int]:
    return {"removed": services.purge_expired_entries()}

"""Celery entry points of the library; each calls one service and is safe to run twice.

| task | schedule (``CELERY_BEAT_SCHEDULE``) |
| --- | --- |
| ``send_loan_reminders`` | daily at 08:00 UTC |
| ``expire_reservations`` | every 15 minutes |
"""

from __future__ import annotations

from dataclasses import asdict

from celery import shared_task

from circulate.library import services


@shared_task(name="circulate.library.tasks.send_loan_reminders")
def send_loan_reminders() -> dict[str, int]:
    return asdict(services.send_loan_reminders())


@shared_task(name="circulate.library.tasks.expire_reservations")
def expire_reservations() -> dict[str, int]:
    return {"expired": services.expire_reservations()}

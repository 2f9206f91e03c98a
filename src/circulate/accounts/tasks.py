"""Celery entry points of the accounts app.

| task | schedule |
| --- | --- |
| ``flush_expired_tokens`` | hourly (beat) and once when a worker starts |
"""

from __future__ import annotations

import os
from typing import Any

from celery import shared_task
from celery.signals import worker_ready

from circulate.accounts import services


@shared_task(name="circulate.accounts.tasks.flush_expired_tokens")
def flush_expired_tokens() -> dict[str, int]:
    deleted = services.flush_expired_tokens()
    return {"deleted": deleted, "worker_pid": os.getpid()}


@worker_ready.connect
def _flush_on_worker_start(sender: Any = None, **kwargs: Any) -> None:
    # Shows at start-up, in the worker's own log, that the worker consumes from the broker.
    flush_expired_tokens.delay()

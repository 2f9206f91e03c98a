"""Liveness and readiness probes."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def health_live(request: HttpRequest) -> JsonResponse:
    """The process answers HTTP; nothing else is checked."""
    return JsonResponse({"status": "ok"})


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache() -> None:
    key = "circulate:health"
    value = str(time.monotonic())
    if hasattr(cache, "ping"):  # the fail-soft Redis cache answers misses when down: ask Redis itself
        cache.ping()
    cache.set(key, value, timeout=10)
    if cache.get(key) != value:
        raise RuntimeError("value written to the cache could not be read back")


def _check_broker() -> None:
    from circulate.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


CHECKS = {"database": _check_database, "cache": _check_cache, "broker": _check_broker}


@never_cache
@require_safe
def health_ready(request: HttpRequest) -> JsonResponse:
    """Database, cache and Celery broker reachable: 200, else 503 naming what is down."""
    results: dict[str, str] = {}
    down: list[str] = []
    for name, check in CHECKS.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # a probe must report, never raise
            logger.warning("readiness check %s failed: %s", name, exc)
            results[name] = f"down: {exc.__class__.__name__}" if settings.DEBUG is False else f"down: {exc}"
            down.append(name)
    if down:
        return JsonResponse(
            {"status": "unavailable", "detail": f"Not ready: {', '.join(down)} down.", "checks": results},
            status=503,
        )
    return JsonResponse({"status": "ok", "checks": results})

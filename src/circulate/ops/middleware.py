"""One log line and the metrics of each request: method, path, status, duration, user id and request id."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from circulate.ops import metrics

logger = logging.getLogger("circulate.request")


def view_name(request: HttpRequest) -> str:
    """The route's name (``library:book-list``), or its pattern, or ``unmatched``: few values, whatever the URL."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return match.view_name or match.route or "unmatched"


def user_id(request: HttpRequest) -> int | None:
    # DRF sets the authenticated user (JWT or session) on the Django request too.
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None


class RequestLogMiddleware:
    """Logs and counts each request once it is answered (under ``RequestContextMiddleware``, so the line has its id)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        _, queries = metrics.start_request()
        response = self.get_response(request)
        duration = time.perf_counter() - started
        status = response.status_code
        view = view_name(request)
        metrics.observe_request(view=view, method=request.method or "", status=status, started=started, queries=queries)
        level = logging.ERROR if status >= 500 else logging.WARNING if status >= 400 else logging.INFO
        logger.log(
            level,
            "%s %s %s",
            request.method,
            request.path,
            status,
            extra={
                "method": request.method,
                "path": request.path,
                "status": status,
                "duration_ms": round(duration * 1000, 2),
                "user_id": user_id(request),
                "view": view,
                "db_queries": queries[0],
            },
        )
        return response

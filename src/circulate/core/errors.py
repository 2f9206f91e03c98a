"""One JSON error shape for every error status, and the domain error base class.

Every error answer looks like::

    {"detail": "Human-readable sentence.", "code": "machine_code", "errors": {"field": ["..."]},
     "request_id": "..."}

``errors`` is empty unless the input had per-field problems. ``request_id`` is added on the
way out by ``core.middleware.RequestContextMiddleware`` (the same id as the ``X-Request-ID``
header, the log lines and the audit entries of the request). Domain services raise
subclasses of :class:`DomainError`; the API maps them to their status (409 by
default) here, once, so no view needs a try/except.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from psycopg_pool import PoolTimeout
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from circulate.core.limits import PayloadTooLarge

logger = logging.getLogger(__name__)


class DomainError(Exception):
    """A rule of the domain refused the request (conflict with the current state)."""

    status_code: int = status.HTTP_409_CONFLICT
    code: str = "conflict"
    default_detail: str = "The request conflicts with the current state."

    def __init__(self, detail: str | None = None, *, code: str | None = None, field: str | None = None) -> None:
        self.detail = detail or self.default_detail
        if code:
            self.code = code
        self.field = field
        super().__init__(self.detail)


class NotFoundError(DomainError):
    status_code = status.HTTP_404_NOT_FOUND
    code = "not_found"
    default_detail = "Not found."


class PermissionDeniedError(DomainError):
    status_code = status.HTTP_403_FORBIDDEN
    code = "permission_denied"
    default_detail = "You do not have permission to perform this action."


class InvalidInputError(DomainError):
    status_code = status.HTTP_400_BAD_REQUEST
    code = "invalid"
    default_detail = "Invalid input."


def error_body(detail: str, code: str, errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"detail": detail, "code": code, "errors": errors or {}}


def _flatten(value: Any) -> list[str]:
    if isinstance(value, list):
        out: list[str] = []
        for item in value:
            out.extend(_flatten(item))
        return out
    if isinstance(value, dict):
        return [f"{key}: {msg}" for key, sub in value.items() for msg in _flatten(sub)]
    return [str(value)]


def _field_errors(data: Any) -> dict[str, list[str]]:
    if isinstance(data, dict):
        return {str(field): _flatten(messages) for field, messages in data.items()}
    return {"non_field_errors": _flatten(data)}


def _validation_detail(errors: dict[str, list[str]]) -> str:
    if list(errors) == ["non_field_errors"]:
        return errors["non_field_errors"][0]
    fields = ", ".join(sorted(errors))
    return f"Invalid input: check {fields}."


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """REST framework exception handler producing the one error shape."""
    if isinstance(exc, DomainError):
        errors = {exc.field: [exc.detail]} if exc.field else {}
        return Response(error_body(exc.detail, exc.code, errors), status=exc.status_code)
    if isinstance(exc, PoolTimeout):
        # Every pooled database connection stayed busy for DB_POOL_TIMEOUT: the server is overloaded, not broken.
        logger.warning("no database connection free within the pool timeout: %s", exc)
        busy = error_body("The server is busy; try again in a moment.", "server_busy")
        return Response(busy, status=status.HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": "1"})
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    if isinstance(exc, DjangoValidationError):
        data = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(data)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real server error: Django's handler500 answers in the same shape.

    if isinstance(exc, exceptions.ValidationError):
        errors = _field_errors(exc.detail)
        response.data = error_body(_validation_detail(errors), "invalid", errors)
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail
        codes = exc.get_codes()
        if isinstance(detail, dict) and "detail" in detail:
            # simplejwt's shape: {"detail": ..., "code": ..., "messages": [...]}; its code is the useful one.
            response.data = error_body(str(detail["detail"]), str(detail.get("code") or exc.default_code))
        elif isinstance(detail, dict | list):
            errors = _field_errors(detail)
            response.data = error_body(str(exc.default_detail), str(exc.default_code), errors)
        else:
            response.data = error_body(str(detail), codes if isinstance(codes, str) else str(exc.default_code))
    return response


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


@csrf_exempt  # the catch-all of /api/ changes nothing: an unsafe method there is a 404, not a CSRF refusal
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(error_body("Not found.", "not_found"), status=404)
    from django.views.defaults import page_not_found as html_404

    return html_404(request, exception or Http404())


def server_error(request: HttpRequest) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(error_body("A server error occurred.", "server_error"), status=500)
    from django.views.defaults import server_error as html_500

    return html_500(request)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(error_body("Bad request.", "bad_request"), status=400)
    from django.views.defaults import bad_request as html_400

    return html_400(request, exception or Exception())


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(
            error_body("You do not have permission to perform this action.", "permission_denied"), status=403
        )
    from django.views.defaults import permission_denied as html_403

    return html_403(request, exception or PermissionDenied())


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: the JSON 403 under /api/, Django's page elsewhere."""
    if _wants_json(request):
        body = error_body(f"CSRF check failed: {reason}" if reason else "CSRF check failed.", "csrf_failed")
        return JsonResponse(body, status=403)
    from django.views.csrf import csrf_failure as html_csrf_failure

    return html_csrf_failure(request, reason)

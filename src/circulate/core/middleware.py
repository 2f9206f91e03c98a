"""Request middleware shared by every domain."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from circulate.core import context
from circulate.core.errors import error_body
from circulate.core.limits import body_too_large_detail

REQUEST_ID_HEADER = "X-Request-ID"


def client_address(request: HttpRequest) -> str | None:
    """The client's address, trusting exactly ``NUM_PROXIES`` entries of X-Forwarded-For (as throttling does)."""
    address = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if settings.NUM_PROXIES and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        address = hops[-min(settings.NUM_PROXIES, len(hops))]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


class RequestContextMiddleware:
    """Give each request an id and bind it, with the client's address, to the execution context.

    The id comes from the ``X-Request-ID`` header when a trusted proxy sets it
    (``TRUST_REQUEST_ID_HEADER``, on when ``NUM_PROXIES`` > 0), else it is generated.
    It is answered in the same header and in every JSON error body (``request_id``), attached to
    every log line and to the Celery tasks the request enqueues, and stored on every audit
    entry the request (or those tasks) writes.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        offered = request.headers.get(REQUEST_ID_HEADER) if settings.TRUST_REQUEST_ID_HEADER else None
        request_id = context.valid_request_id(offered) or context.new_request_id()
        request.request_id = request_id  # type: ignore[attr-defined]
        with context.bound(request_id=request_id, client_ip=client_address(request), actor_label=context.SYSTEM):
            response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        if response.status_code >= 400:
            _add_request_id_to_error_body(response, request_id)
        return response


def body_limit(request: HttpRequest) -> int | None:
    """The largest body this request may send: uploads may carry a file of up to UPLOAD_IMAGE_MAX_BYTES."""
    limit: int | None = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is not None and request.content_type == "multipart/form-data":
        limit += settings.UPLOAD_IMAGE_MAX_BYTES
    return limit


class RequestSizeLimitMiddleware:
    """Refuse a body larger than its limit from its Content-Length, before anything reads it: 413.

    Django would raise RequestDataTooBig only once something reads the body, and answer with
    an HTML 400 page (a debug page with DEBUG on). This answers 413 in the one JSON error shape
    under /api/ (and as plain text elsewhere) and never reads the body.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = body_limit(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit is not None and length > limit:
            detail = body_too_large_detail(limit)
            if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
                response: HttpResponse = JsonResponse(error_body(detail, "payload_too_large"), status=413)
            else:
                response = HttpResponse(detail, status=413, content_type="text/plain; charset=utf-8")
            # The unread body would otherwise be taken for the next request on a kept-alive connection.
            response["Connection"] = "close"
            _discard_body(request, length)
            return response
        return self.get_response(request)


# Up to this many bytes of a refused body are read away before the 413 (nginx lets at most 8 MB through).
DISCARD_LIMIT = 16 * 1024 * 1024


def _discard_body(request: HttpRequest, length: int) -> None:
    """Read a refused body away, so that the client or proxy that sends it sees the 413.

    nginx buffers a body, then sends all of it; a WSGI worker that answered and closed without
    reading it made nginx's write fail (broken pipe), and nginx answered 502 instead of the
    413, now and then. Under ASGI the body is already read. Past ``DISCARD_LIMIT`` the
    connection is simply closed.
    """
    stream = request.META.get("wsgi.input")
    if stream is None or length > DISCARD_LIMIT:
        return
    remaining = length
    while remaining > 0:
        chunk = stream.read(min(64 * 1024, remaining))
        if not chunk:
            break
        remaining -= len(chunk)


def _add_request_id_to_error_body(response: HttpResponse, request_id: str) -> None:
    """Put ``request_id`` into a JSON error body of the one shape, whichever code produced it.

    The DRF exception handler, Django's error handlers, the lockout answer and views that
    answer an error themselves all pass here, so none has to remember it.
    """
    if response.streaming or not response.get("Content-Type", "").startswith("application/json"):
        return
    try:
        body = json.loads(response.content)
    except ValueError:
        return
    if isinstance(body, dict) and "detail" in body and "code" in body:
        body["request_id"] = request_id
        response.content = json.dumps(body).encode()
        if response.has_header("Content-Length"):
            # CommonMiddleware already measured the body without the id; a stale length truncates the answer.
            response["Content-Length"] = str(len(response.content))

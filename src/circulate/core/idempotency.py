"""``Idempotency-Key`` for action POSTs: a retried request gets the first answer instead of acting twice.

A client that may resend a request (a phone on a bad network, a proxy retrying after a
timeout) sends the same ``Idempotency-Key`` header with each attempt. The first attempt runs
and its answer (status and body) is stored with the key in the same transaction as the work;
every later attempt with that key from the same user gets that answer again, marked
``Idempotent-Replayed: true``, without acting. Attempts that arrive in parallel are
serialised by the database: each first locks the user's row (``lock_user``), so the second
waits until the first transaction ends, then finds its key (the unique index on user and key
stays the last word). The same key with another method, path or body is a 409
``idempotency_key_reused``. Only successful answers are kept: a refused request changed
nothing and may be tried again with its key. Keys are kept ``IDEMPOTENCY_KEY_HOURS`` (24).
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request
from rest_framework.response import Response

from circulate.core.db import lock_user
from circulate.core.errors import DomainError, InvalidInputError
from circulate.core.models import IdempotencyKey

HEADER = "Idempotency-Key"
KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")  # printable ASCII without spaces

V = TypeVar("V", bound=Callable[..., Response])

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "Up to 255 printable characters, unique per request you mean (a UUID is fine). A retry with the same "
        "key gets the first answer again (with `Idempotent-Replayed: true`) instead of acting twice; the same "
        "key with a different body is a 409 `idempotency_key_reused`. Kept 24 hours."
    ),
)


class IdempotencyKeyReusedError(DomainError):
    code = "idempotency_key_reused"
    default_detail = "This Idempotency-Key was already used for a different request."


def _fingerprint(request: Request) -> str:
    body = json.dumps(request.data, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _expired_before() -> Any:
    return timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)


def idempotent(view: V) -> V:
    """Decorate a DRF view method (``create``, an ``@action``) to honour the ``Idempotency-Key`` header."""

    @functools.wraps(view)
    def wrapper(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER)
        if key is None or not request.user.is_authenticated:
            return view(self, request, *args, **kwargs)
        if not KEY_PATTERN.match(key):
            raise InvalidInputError("An Idempotency-Key is 1 to 255 printable characters without spaces.", field=HEADER)
        fingerprint = _fingerprint(request)
        with transaction.atomic():
            lock_user(request.user.pk)
            IdempotencyKey.objects.filter(user=request.user, key=key, created_at__lt=_expired_before()).delete()
            try:
                with transaction.atomic():
                    record = IdempotencyKey.objects.create(user=request.user, key=key, request_hash=fingerprint)
            except IntegrityError:
                # Another attempt with this key committed first (we waited for it on the user's row).
                first = IdempotencyKey.objects.get(user=request.user, key=key)
                if first.request_hash != fingerprint:
                    raise IdempotencyKeyReusedError(field=HEADER) from None
                body = json.loads(first.response_body) if first.response_body else None
                return Response(body, status=first.response_status, headers={"Idempotent-Replayed": "true"})
            response = view(self, request, *args, **kwargs)
            if 200 <= response.status_code < 300:
                record.response_status = response.status_code
                record.response_body = json.dumps(response.data, default=str)
                record.save(update_fields=["response_status", "response_body"])
            else:
                record.delete()
            return response

    return wrapper  # type: ignore[return-value]


def purge_expired_keys() -> int:
    """Forget keys older than ``IDEMPOTENCY_KEY_HOURS``; housekeeping, run hourly by Celery beat."""
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=_expired_before()).delete()
    return deleted

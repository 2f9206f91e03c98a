"""How django-axes names an account and answers when it is locked out.

``lockout_username`` (``AXES_USERNAME_CALLABLE``) counts failures against the
account's e-mail address whether the e-mail or the username was typed, so switching
between them does not double the attempts. The axes middleware calls
``lockout_response`` (``AXES_LOCKOUT_CALLABLE``) for every request it flagged as
locked out: API clients get the one JSON error shape with status 429 and
``Retry-After``; the admin login page gets the same sentence as plain text.
"""

from __future__ import annotations

from typing import Any

from axes.helpers import get_cool_off
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from circulate.accounts import selectors
from circulate.core.errors import error_body


def lockout_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    login = (credentials or {}).get("username") or request.POST.get("username")
    if not login:
        return None
    account = selectors.user_for_login(str(login))
    return account.email if account is not None else str(login).strip().lower()


def cool_off_seconds(request: HttpRequest | None = None) -> int:
    cool_off = get_cool_off(request)
    return int(cool_off.total_seconds()) if cool_off else 0


def lockout_message(request: HttpRequest | None = None) -> str:
    minutes = max(1, round(cool_off_seconds(request) / 60))
    return (
        "Too many failed sign-ins for this account from your address: it is locked for "
        f"{minutes} minute{'s' if minutes != 1 else ''}. Try again later, or reset your password."
    )


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    message = lockout_message(request)
    headers = {"Retry-After": str(cool_off_seconds(request))}
    status = settings.AXES_HTTP_RESPONSE_CODE
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(message, "account_locked"), status=status, headers=headers)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8", headers=headers)

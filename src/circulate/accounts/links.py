"""The tokens carried by links in e-mails, and the links themselves.

An e-mail confirmation token is signed (``TimestampSigner``, its own salt) and
records the account's state when it was made: the address and whether it was
confirmed. Confirming changes that state, so a used link no longer matches and is
refused; it also expires after ``EMAIL_CONFIRMATION_MAX_AGE``. The same token,
with ``new_email`` set, confirms an e-mail change.

Password reset links use Django's ``default_token_generator``: the token hashes the
password, so it stops working once the password has changed, and expires after
``PASSWORD_RESET_TIMEOUT``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from circulate.accounts.errors import InvalidLinkError
from circulate.accounts.models import User

EMAIL_TOKEN_SALT = "circulate.accounts.email-confirmation"
CONFIRM_EMAIL_PATH = "/confirm-email/"
RESET_PASSWORD_PATH = "/reset-password/"


@dataclass(frozen=True)
class EmailClaim:
    user_id: int
    email: str
    verified_at: str | None
    new_email: str | None


def verification_state(user: User) -> str | None:
    return user.email_verified_at.isoformat() if user.email_verified_at else None


def make_email_token(*, user: User, new_email: str | None = None) -> str:
    payload: dict[str, Any] = {"u": user.pk, "e": user.email, "v": verification_state(user)}
    if new_email:
        payload["n"] = new_email
    return signing.TimestampSigner(salt=EMAIL_TOKEN_SALT).sign_object(payload, compress=True)


def read_email_token(token: str) -> EmailClaim:
    max_age = settings.EMAIL_CONFIRMATION_MAX_AGE
    try:
        payload = signing.TimestampSigner(salt=EMAIL_TOKEN_SALT).unsign_object(token, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise InvalidLinkError(
            "This confirmation link has expired; ask for a new one.", code="link_expired", field="token"
        ) from exc
    except (signing.BadSignature, ValueError) as exc:
        raise InvalidLinkError("This confirmation link is not valid.", field="token") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int):
        raise InvalidLinkError("This confirmation link is not valid.", field="token")
    return EmailClaim(user_id=payload["u"], email=payload["e"], verified_at=payload["v"], new_email=payload.get("n"))


def confirm_email_url(token: str) -> str:
    return f"{settings.PUBLIC_URL}{CONFIRM_EMAIL_PATH}?{urlencode({'token': token})}"


def make_password_reset(user: User) -> tuple[str, str]:
    return urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)


def reset_password_url(uid: str, token: str) -> str:
    return f"{settings.PUBLIC_URL}{RESET_PASSWORD_PATH}?{urlencode({'uid': uid, 'token': token})}"


def user_id_from_uid(uid: str) -> int | None:
    try:
        return int(force_str(urlsafe_base64_decode(uid)))
    except (ValueError, TypeError, OverflowError):
        return None


def password_reset_token_is_valid(user: User, token: str) -> bool:
    return default_token_generator.check_token(user, token)

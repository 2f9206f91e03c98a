"""Account reads shared by the API, the services and the console."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import Token, UntypedToken
from rest_framework_simplejwt.utils import datetime_from_epoch, get_md5_hash_password

from circulate.accounts.errors import InvalidTokenError
from circulate.accounts.models import OutboxMessage, User
from circulate.accounts.roles import ALL_ROLES
from circulate.core.permissions import role_names


def user_roles(user: User) -> list[str]:
    """The staff roles ``user`` holds, in a fixed order; superusers hold them all."""
    if user.is_superuser:
        return list(ALL_ROLES)
    held = role_names(user)
    return [role for role in ALL_ROLES if role in held]


def user_for_login(login: str) -> User | None:
    """The account whose e-mail or username is ``login`` (case-insensitive), active or not."""
    login = login.strip()
    if not login:
        return None
    return User.objects.filter(Q(email__iexact=login) | Q(username__iexact=login)).first()


def active_user_with_email(email: str) -> User | None:
    return User.objects.filter(email__iexact=email.strip(), is_active=True).first()


def email_in_use(email: str, *, exclude: User | None = None) -> bool:
    users = User.objects.filter(email__iexact=email)
    if exclude is not None:
        users = users.exclude(pk=exclude.pk)
    return users.exists()


def username_in_use(username: str, *, exclude: User | None = None) -> bool:
    users = User.objects.filter(username__iexact=username)
    if exclude is not None:
        users = users.exclude(pk=exclude.pk)
    return users.exists()


def token_matches_user(token: Token, user: User) -> bool:
    """False for a token issued before the user's password last changed (simplejwt's revoke claim)."""
    if not jwt_settings.CHECK_REVOKE_TOKEN:
        return True
    return bool(token.get(jwt_settings.REVOKE_TOKEN_CLAIM) == get_md5_hash_password(user.password))


@dataclass(frozen=True)
class VerifiedToken:
    token_type: str
    user_id: int
    expires_at: datetime


def verified_token(raw: str) -> VerifiedToken:
    """Check a JWT as the API would accept it: signature, expiry, blacklist, active user, password unchanged."""
    try:
        token = UntypedToken(raw)  # type: ignore[arg-type]
    except TokenError as exc:
        raise InvalidTokenError(str(exc)) from exc
    jti = token.get(jwt_settings.JTI_CLAIM)
    if jti and BlacklistedToken.objects.filter(token__jti=jti).exists():
        raise InvalidTokenError("Token is blacklisted.")
    user = User.objects.filter(pk=token.get(jwt_settings.USER_ID_CLAIM), is_active=True).first()
    if user is None:
        raise InvalidTokenError("No active account found for the given token.")
    if not token_matches_user(token, user):
        raise InvalidTokenError("The password was changed after this token was issued.")
    return VerifiedToken(
        token_type=str(token.get(jwt_settings.TOKEN_TYPE_CLAIM)),
        user_id=user.pk,
        expires_at=datetime_from_epoch(token["exp"]),
    )


def outbox_messages(*, to: str | None = None) -> QuerySet[OutboxMessage]:
    """The dev outbox, newest first; ``to`` keeps messages whose recipients contain that text."""
    messages = OutboxMessage.objects.order_by("-sent_at", "-id")
    if to:
        messages = messages.filter(to__icontains=to)
    return messages

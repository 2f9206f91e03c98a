"""Bearer-token authentication that keeps the token's user row in the shared read cache.

simplejwt's ``JWTAuthentication`` loads the user from the database on every request: on a kept
catalogue page that one query (a pooled connection checked out, the SQL compiled and run, the
row turned into a model) was most of the request's time. Here the user row, with its role names
(``core.permissions.role_names``), is kept under the generation of the accounts
(``core/read_cache.py``): any ``save()`` or ``delete()`` of a user, a change of anyone's groups,
or a change to a group replaces the generation, so a deactivation, a password change (the token's
revocation claim is checked against the kept password hash) or a role taken away counts from the
next request, as before. ``READ_CACHE_SECONDS`` 0 (the default without Redis) loads the row
every time, exactly as simplejwt does.
"""

from __future__ import annotations

import functools
from typing import Any

from django.contrib.auth.models import Group
from django.utils.translation import gettext as _
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token
from rest_framework_simplejwt.utils import aware_utcnow, get_md5_hash_password

from circulate.accounts.models import User
from circulate.core import read_cache
from circulate.core.permissions import role_names
from circulate.core.read_cache import Generation, ReadAhead

ACCOUNTS = Generation("accounts:users")
ACCOUNTS.follow(User, Group, m2m=(User.groups.through,))


def _user_row(user_id: Any) -> User | None:
    """The user and its role names, as loaded from the database (None: no such user)."""
    user = User.objects.filter(**{api_settings.USER_ID_FIELD: user_id}).first()
    if user is not None and read_cache.seconds() > 0:
        role_names(user)  # kept with the row, so role checks on a kept user cost no query
    return user


@functools.lru_cache(maxsize=1024)
def _decode(raw_token: bytes) -> Token:
    """The token, its signature and claims checked (simplejwt); a refused token is not kept."""
    return JWTAuthentication().get_validated_token(raw_token)


class KeptUserJWTAuthentication(JWTAuthentication):
    """``Authorization: Bearer <access>``, with the user row from the shared read cache.

    A token's signature is checked once per process: the decoded token is kept (the last
    1,024 tokens seen) and only its expiry, which depends on the clock, is checked again on
    each request. Access tokens carry no server-side state (no blacklist), so nothing else
    about them can change.

    A view whose answer is kept in a shared read cache too can name it, given the user's id, in
    ``read_ahead(user_id)`` (a list of ``(Generation, names)``, e.g. the catalogue's page and the
    caller's likes): the user row and those answers then come in one read of the cache, and the
    view finds them in ``request.read_ahead`` (``core.read_cache.ReadAhead``).
    """

    def authenticate(self, request: Request) -> tuple[User, Token] | None:  # type: ignore[override]
        self._request = request
        return super().authenticate(request)  # type: ignore[return-value]

    def get_validated_token(self, raw_token: bytes) -> Token:
        token = _decode(raw_token)
        try:
            token.check_exp(current_time=aware_utcnow())  # now, not when the token was first decoded
        except TokenError as exc:  # the same answer as simplejwt's for an expired token
            message = {"token_class": type(token).__name__, "token_type": token.token_type, "message": exc.args[0]}
            raise InvalidToken(
                {"detail": _("Given token not valid for any token type"), "messages": [message]}
            ) from exc
        return token

    def get_user(self, validated_token: Token) -> User:  # type: ignore[override]  # AuthUser is a TypeVar
        # The same checks, in the same order and with the same errors, as simplejwt's get_user.
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError as exc:
            raise InvalidToken(_("Token contained no recognizable user identification")) from exc
        user = ACCOUNTS.shared(f"user {user_id}", lambda: _user_row(user_id), self._read_ahead(user_id))
        if user is None:
            raise AuthenticationFailed(_("User not found"), code="user_not_found")
        if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        if api_settings.CHECK_REVOKE_TOKEN and validated_token.get(
            api_settings.REVOKE_TOKEN_CLAIM
        ) != get_md5_hash_password(user.password):
            raise AuthenticationFailed(_("The user's password has been changed."), code="password_changed")
        return user

    def _read_ahead(self, user_id: Any) -> ReadAhead | None:
        """The user row and what the view will read, in one read of the cache (None: the view reads nothing kept)."""
        request = getattr(self, "_request", None)
        view = (request.parser_context or {}).get("view") if request is not None else None
        also = view.read_ahead(user_id) if view is not None and hasattr(view, "read_ahead") else None
        if not also or read_cache.seconds() <= 0:
            return None
        read = ReadAhead([(ACCOUNTS, [f"user {user_id}"]), *also])
        request.read_ahead = read  # type: ignore[union-attr]  # the view reads it from there
        return read


class KeptUserJWTScheme(SimpleJWTScheme):
    """The OpenAPI security scheme: the same ``jwtAuth`` bearer scheme as simplejwt's class."""

    target_class = "circulate.accounts.authentication.KeptUserJWTAuthentication"

"""WebSocket authentication: a JWT access token or the session cookie.

The token may come as the ``token`` query parameter or as a subprotocol
(``Sec-WebSocket-Protocol: bearer, <token>``). Without either, the session
cookie (the console's sign-in) is used. A given token that is invalid or expired
never falls back to the session. The consumer closes with 4401 when no user
could be found, and when the token expires while the socket is open.

The ``Origin`` check (against cross-site WebSocket hijacking) guards only the
session cookie, the one ambient credential: a socket that presents a token is
not checked, so clients that are not browsers (apps, scripts) may send no
``Origin`` at all. Such a socket never falls back to the session (see above).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.security.websocket import AllowedHostsOriginValidator
from django.contrib.auth.models import AnonymousUser
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError

TOKEN_SUBPROTOCOL = "bearer"


def token_from_scope(scope: dict[str, Any]) -> tuple[str | None, bool]:
    """The raw token and whether it came as a subprotocol (which the server must then accept)."""
    query = parse_qs(scope.get("query_string", b"").decode())
    if query.get("token"):
        return query["token"][0], False
    protocols: list[str] = list(scope.get("subprotocols") or [])
    if len(protocols) >= 2 and protocols[0].lower() == TOKEN_SUBPROTOCOL:
        return protocols[1], True
    return None, False


@database_sync_to_async
def user_from_token(raw: str) -> tuple[Any, int | None]:
    """The token's user and its expiry (Unix time), or an anonymous user when the token is not valid."""
    auth = JWTAuthentication()
    try:
        validated = auth.get_validated_token(raw.encode())
        return auth.get_user(validated), int(validated["exp"])
    except (InvalidToken, TokenError, AuthenticationFailed, KeyError):
        return AnonymousUser(), None


class WebSocketAuthMiddleware:
    """Sets ``scope["user"]`` from the token when one is given, else from the session cookie.

    A token socket also gets ``token_expires_at`` (Unix time) and ``token_subprotocol`` in its
    scope, and bypasses Channels' cookie, session and auth middleware altogether: those wrap
    every ``send`` of the socket (to save a modified session), a cost each event would pay per
    socket although a token socket has no session. A socket without a token goes through them,
    behind the ``Origin`` check (the cookie is an ambient credential, a token is not: a hostile
    page cannot make a browser send one).
    """

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.by_session = AllowedHostsOriginValidator(AuthMiddlewareStack(inner))

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        raw, as_subprotocol = token_from_scope(scope)
        if raw is None:
            return await self.by_session(scope, receive, send)
        user, expires_at = await user_from_token(raw)
        scope = dict(scope, user=user, token_expires_at=expires_at, token_subprotocol=as_subprotocol)
        return await self.inner(scope, receive, send)

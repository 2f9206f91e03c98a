"""WebSocket authentication: a JWT access token or the session cookie.

The token may come as the ``token`` query parameter or as a subprotocol
(``Sec-WebSocket-Protocol: bearer, <token>``). Without either, the session
cookie (the console's sign-in) is used. The consumer closes with 4401 when no
user could be found.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from django.contrib.auth.models import AnonymousUser
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError

TOKEN_SUBPROTOCOL = "bearer"


def token_from_scope(scope: dict[str, Any]) -> str | None:
    query = parse_qs(scope.get("query_string", b"").decode())
    if query.get("token"):
        return query["token"][0]
    protocols: list[str] = list(scope.get("subprotocols") or [])
    if len(protocols) >= 2 and protocols[0].lower() == TOKEN_SUBPROTOCOL:
        return protocols[1]
    return None


@database_sync_to_async
def user_from_token(raw: str) -> Any:
    auth = JWTAuthentication()
    try:
        validated = auth.get_validated_token(raw.encode())
        return auth.get_user(validated)
    except (InvalidToken, TokenError, AuthenticationFailed):
        return AnonymousUser()


class JWTAuthMiddleware:
    """Sets ``scope["user"]`` from a JWT when one is given; else leaves the session's user."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        raw = token_from_scope(scope)
        if raw is not None:
            scope = dict(scope, user=await user_from_token(raw), token_auth=True)
        return await self.inner(scope, receive, send)


def WebSocketAuthMiddleware(inner: Any) -> Any:  # noqa: N802 - used like a class, as Channels' own stacks are
    return AuthMiddlewareStack(JWTAuthMiddleware(inner))

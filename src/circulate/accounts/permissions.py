"""Permission classes the domains use for actions that need a confirmed e-mail address."""

from __future__ import annotations

from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView


class IsEmailVerified(BasePermission):
    """Signed in with a confirmed e-mail address. Anonymous callers get 401, unconfirmed ones 403."""

    message = (
        "Confirm your e-mail address first: open the link in the confirmation e-mail, "
        "or ask for a new one with POST /api/auth/email/resend/."
    )
    code = "email_not_verified"

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and getattr(user, "email_verified_at", None) is not None)

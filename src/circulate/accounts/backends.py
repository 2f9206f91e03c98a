"""Log in with either the e-mail address or the username (case-insensitive)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import Q
from django.http import HttpRequest

from circulate.accounts.models import User


class EmailOrUsernameBackend(ModelBackend):
    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        login = username or kwargs.get("email")
        if not login or password is None:
            return None
        user = User.objects.filter(Q(email__iexact=login) | Q(username__iexact=login)).first()
        if user is None:
            User().set_password(password)  # same work as a real check: no timing hint that the account is missing
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

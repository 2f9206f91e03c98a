"""Role checks shared by every domain (the services call them; views stay thin).

Roles are Django groups (see ``circulate.accounts.roles``); superusers pass every
role check. ``has_role`` caches the user's group names on the user object so a
request checks roles with one query at most.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from circulate.accounts.models import User

UserLike = User | AnonymousUser


def role_names(user: UserLike) -> frozenset[str]:
    if not user.is_authenticated:
        return frozenset()
    cached: frozenset[str] | None = getattr(user, "_circulate_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        setattr(user, "_circulate_roles", cached)  # noqa: B010 - a per-request cache on the user object
    return cached


def has_role(user: UserLike, *roles: str) -> bool:
    """True when the user holds any of ``roles`` (superusers hold them all)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return bool(role_names(user).intersection(roles))

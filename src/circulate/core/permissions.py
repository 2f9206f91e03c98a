"""Role and ownership checks shared by every domain.

Roles are Django groups (see ``circulate.accounts.roles``); superusers pass every
role check. ``has_role`` caches the user's group names on the user object so a
request checks roles with one query at most.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import AnonymousUser
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

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


def role_required(*roles: str) -> type[BasePermission]:
    """A permission class admitting only users with one of ``roles``."""

    class _HasRole(BasePermission):
        message = f"This action needs the role {' or '.join(roles)}."

        def has_permission(self, request: Request, view: APIView) -> bool:
            return has_role(request.user, *roles)

    _HasRole.__name__ = f"HasRole_{'_'.join(roles)}"
    return _HasRole


def role_or_read_only(*roles: str) -> type[BasePermission]:
    """Anyone signed in may read; writing needs one of ``roles``."""

    class _RoleOrReadOnly(BasePermission):
        message = f"Changing this needs the role {' or '.join(roles)}."

        def has_permission(self, request: Request, view: APIView) -> bool:
            if request.method in SAFE_METHODS:
                return bool(request.user and request.user.is_authenticated)
            return has_role(request.user, *roles)

    _RoleOrReadOnly.__name__ = f"RoleOrReadOnly_{'_'.join(roles)}"
    return _RoleOrReadOnly


def owner_or_role(owner_of: Callable[[Any], Any], *roles: str) -> type[BasePermission]:
    """Object permission: reading is open; writing needs ownership or one of ``roles``.

    ``owner_of(obj)`` returns the user who owns the object (e.g. ``lambda book: book.added_by_id``
    compared by id, or the user itself).
    """

    class _OwnerOrRole(BasePermission):
        message = "Only its owner or staff may change this."

        def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
            if request.method in SAFE_METHODS or has_role(request.user, *roles):
                return True
            owner = owner_of(obj)
            owner_id = getattr(owner, "pk", owner)
            return owner_id is not None and owner_id == request.user.pk

    _OwnerOrRole.__name__ = f"OwnerOrRole_{'_'.join(roles)}"
    return _OwnerOrRole

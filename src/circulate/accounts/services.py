"""Account writes: roles and token housekeeping. (Registration and friends live here too.)"""

from __future__ import annotations

import logging

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from circulate.accounts.models import User
from circulate.accounts.roles import ALL_ROLES
from circulate.core.errors import InvalidInputError

logger = logging.getLogger(__name__)


@transaction.atomic
def grant_role(*, user: User, role: str) -> None:
    """Give ``user`` a staff role (idempotent)."""
    if role not in ALL_ROLES:
        raise InvalidInputError(f"Unknown role {role!r}; choose one of {', '.join(ALL_ROLES)}.", field="role")
    group, _ = Group.objects.get_or_create(name=role)
    user.groups.add(group)


@transaction.atomic
def revoke_role(*, user: User, role: str) -> None:
    """Take a staff role away from ``user`` (idempotent)."""
    user.groups.remove(*Group.objects.filter(name=role))


def flush_expired_tokens() -> int:
    """Delete refresh tokens (and their blacklist rows) that expired; they can never be used again."""
    deleted, _ = OutstandingToken.objects.filter(expires_at__lte=timezone.now()).delete()
    logger.info("Flushed %d expired token rows", deleted)
    return deleted

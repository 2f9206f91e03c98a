"""Reads of the audit trail."""

from __future__ import annotations

from django.db.models import QuerySet

from circulate.accounts.models import User
from circulate.audit.models import AuditEntry


def can_read_audit(user: User | None) -> bool:
    """The trail is for staff (``is_staff``) and superusers."""
    return bool(user is not None and user.is_authenticated and user.is_active and (user.is_staff or user.is_superuser))


def entries() -> QuerySet[AuditEntry]:
    return AuditEntry.objects.all()


def history_of(*, object_type: str, object_id: object) -> QuerySet[AuditEntry]:
    """One object's entries, newest first."""
    return AuditEntry.objects.filter(object_type=object_type, object_id=str(object_id))

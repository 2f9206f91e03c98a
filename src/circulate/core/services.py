"""Writes shared by every domain: soft delete and restore."""

from __future__ import annotations

from typing import TypeVar

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from circulate.core.models import BaseModel

M = TypeVar("M", bound=BaseModel)

# Sent with ``sender=<model class>, instance=<row>`` after a row is soft-deleted or restored: both are
# conditional UPDATEs, which send no ``post_save`` (the library's catalogue cache listens).
activity_changed = Signal()


@transaction.atomic
def soft_delete(*, instance: M) -> M:
    """Deactivate a row; it disappears from default querysets but stays in the database."""
    if instance.is_active:
        type(instance).all_objects.filter(pk=instance.pk).update(is_active=False, updated_at=timezone.now())
        instance.is_active = False
        activity_changed.send(sender=type(instance), instance=instance)
    return instance


@transaction.atomic
def restore(*, instance: M) -> M:
    """Bring a soft-deleted row back."""
    if not instance.is_active:
        type(instance).all_objects.filter(pk=instance.pk).update(is_active=True, updated_at=timezone.now())
        instance.is_active = True
        activity_changed.send(sender=type(instance), instance=instance)
    return instance

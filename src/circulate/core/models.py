"""Base models shared by every domain: timestamps and soft delete."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.utils import timezone


class ActiveQuerySet(models.QuerySet[Any]):
    def active(self) -> ActiveQuerySet:
        return self.filter(is_active=True)

    def inactive(self) -> ActiveQuerySet:
        return self.filter(is_active=False)


class ActiveManager(models.Manager[Any]):
    """The default manager: rows that were soft-deleted are not there."""

    def get_queryset(self) -> ActiveQuerySet:
        return ActiveQuerySet(self.model, using=self._db).filter(is_active=True)


class AllObjectsManager(models.Manager[Any]):
    """Every row, soft-deleted or not (admin restore, history, audits)."""

    def get_queryset(self) -> ActiveQuerySet:
        return ActiveQuerySet(self.model, using=self._db)


class BaseModel(models.Model):
    """Timestamps plus ``is_active``: DELETE deactivates a row instead of removing it.

    ``objects`` hides inactive rows; ``all_objects`` sees everything. Foreign keys
    still resolve to an inactive row (Django follows them with the base manager),
    so history that points at a deleted book keeps its book.
    """

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    is_active = models.BooleanField(default=True, db_index=True)

    objects: ClassVar[ActiveManager] = ActiveManager()
    all_objects: ClassVar[AllObjectsManager] = AllObjectsManager()

    class Meta:
        abstract = True
        base_manager_name = "all_objects"


class IdempotencyKey(models.Model):
    """The first answer to a request sent with an ``Idempotency-Key`` header (see ``core.idempotency``)."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64, help_text="SHA-256 of method, path and body.")
    response_status = models.PositiveSmallIntegerField(default=0)
    # The JSON text, not a JSON column: PostgreSQL's jsonb would reorder the keys of the replayed answer.
    response_body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="core_idempotency_key_per_user")]

    def __str__(self) -> str:
        return f"{self.key} ({self.response_status})"

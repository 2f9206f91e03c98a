"""Base models shared by every domain: timestamps and soft delete."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models


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

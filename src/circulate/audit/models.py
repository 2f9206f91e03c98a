"""The audit trail: one append-only row per state change made through a service or the admin."""

from __future__ import annotations

from typing import Any, ClassVar, NoReturn

from django.db import models
from django.utils import timezone


class AppendOnlyError(Exception):
    """Audit entries are never changed or deleted (only the retention job removes old ones)."""


def _refuse(*args: Any, **kwargs: Any) -> NoReturn:
    raise AppendOnlyError("Audit entries are append-only: they cannot be changed or deleted.")


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    update = _refuse
    delete = _refuse
    bulk_update = _refuse
    update_or_create = _refuse

    def purge(self) -> int:
        """Delete these entries without loading them; only the retention service calls this."""
        return int(self._raw_delete(self.db))


class AuditEntry(models.Model):
    """Who did what to which object, when, from where, and which fields changed (old → new).

    No foreign keys: an entry outlives the user and the object it names, and keeps the
    readable labels they had at the time.
    """

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, help_text="The user who acted; empty for tasks.")
    actor_label = models.CharField(max_length=254, help_text="The user's e-mail, or task:<name> / system.")
    action = models.CharField(max_length=64, help_text="<domain>.<object>.<verb>, e.g. library.loan.issue.")
    object_type = models.CharField(max_length=64, help_text="<app>.<model>, e.g. library.book.")
    object_id = models.CharField(max_length=64)
    object_label = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True, help_text='{"field": [old, new]}; secrets redacted.')
    request_id = models.CharField(max_length=128, blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)

    objects: ClassVar[models.Manager[AuditEntry]] = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "audit entries"
        ordering = ("-id",)
        indexes = [
            models.Index(fields=["object_type", "object_id", "-id"], name="audit_object_idx"),
            models.Index(fields=["action", "-id"], name="audit_action_idx"),
            models.Index(fields=["actor_id", "-id"], name="audit_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse()

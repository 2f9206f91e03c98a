"""The audit trail in the admin: read-only, nobody adds, changes or deletes entries."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from circulate.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    list_display = ("at", "actor_label", "action", "object_type", "object_id", "object_label", "request_id")
    list_filter = ("action", "object_type")
    search_fields = ("actor_label", "object_label", "object_id", "request_id", "action")
    date_hierarchy = "at"
    show_full_result_count = False
    readonly_fields = [field.name for field in AuditEntry._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

"""Admin base class for soft-deletable models: shows every row, restores and deactivates."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from circulate.core.services import restore, soft_delete


@admin.action(description="Restore selected (mark active)")
def restore_selected(modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Any]) -> None:
    count = 0
    for obj in queryset.filter(is_active=False):
        restore(instance=obj)
        count += 1
    modeladmin.message_user(request, f"Restored {count} row(s).", messages.SUCCESS)


@admin.action(description="Deactivate selected (soft delete)")
def deactivate_selected(modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Any]) -> None:
    count = 0
    for obj in queryset.filter(is_active=True):
        soft_delete(instance=obj)
        count += 1
    modeladmin.message_user(request, f"Deactivated {count} row(s).", messages.SUCCESS)


class SoftDeleteAdmin(admin.ModelAdmin[Any]):
    """Lists inactive (soft-deleted) rows too, so staff can see and restore them.

    Subclasses add ``is_active`` to ``list_filter`` and either the generic
    ``deactivate_selected``/``restore_selected`` actions or their domain's own
    (which go through the domain services and publish events).
    """

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return self.model.all_objects.all()

"""Admin base classes: every save and delete is audited; soft-deletable models show every row."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from circulate.audit import services as audit
from circulate.core.errors import DomainError
from circulate.core.services import restore, soft_delete


def _admin_action(obj: Model, verb: str) -> str:
    return f"{audit.object_type_of(obj)}.admin_{verb}"


def _form_changes(form: forms.BaseForm, change: bool) -> dict[str, tuple[Any, Any]]:
    return {
        name: (form.initial.get(name) if change else None, form.cleaned_data.get(name)) for name in form.changed_data
    }


@admin.action(description="Restore selected (mark active)")
def restore_selected(modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Any]) -> None:
    count = 0
    for obj in queryset.filter(is_active=False):
        restore(instance=obj)
        audit.record(
            _admin_action(obj, "restore"), actor=request.user, target=obj, changes={"is_active": (False, True)}
        )
        count += 1
    modeladmin.message_user(request, f"Restored {count} row(s).", messages.SUCCESS)


@admin.action(description="Deactivate selected (soft delete)")
def deactivate_selected(modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Any]) -> None:
    count = 0
    for obj in queryset.filter(is_active=True):
        soft_delete(instance=obj)
        audit.record(
            _admin_action(obj, "deactivate"), actor=request.user, target=obj, changes={"is_active": (True, False)}
        )
        count += 1
    modeladmin.message_user(request, f"Deactivated {count} row(s).", messages.SUCCESS)


class AuditedAdminMixin:
    """Records an audit entry (``<app>.<model>.admin_add|admin_change|admin_delete``) for each save and delete.

    Admins that route a save through a domain service override ``save_model`` without
    calling this one; the service records the entry instead, so nothing is recorded twice.
    """

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        verb = "change" if change else "add"
        audit.record(_admin_action(obj, verb), actor=request.user, target=obj, changes=_form_changes(form, change))

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        """A rule of the domain refusing the save (raised by the service) is shown as an error, not a 500."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)  # type: ignore[misc]
        except DomainError as exc:  # the admin's transaction was rolled back: nothing was saved
            self.message_user(request, f"Not saved: {exc.detail}", messages.ERROR)  # type: ignore[attr-defined]
            return HttpResponseRedirect(request.get_full_path())

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit.record(_admin_action(obj, "delete"), actor=request.user, target=obj)
        super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            audit.record(_admin_action(obj, "delete"), actor=request.user, target=obj)
        super().delete_queryset(request, queryset)  # type: ignore[misc]


class AuditedModelAdmin(AuditedAdminMixin, admin.ModelAdmin[Any]):
    pass


class SoftDeleteAdmin(AuditedModelAdmin):
    """Lists inactive (soft-deleted) rows too, so staff can see and restore them.

    Subclasses add ``is_active`` to ``list_filter`` and either the generic
    ``deactivate_selected``/``restore_selected`` actions or their domain's own
    (which go through the domain services and publish events).
    """

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return self.model.all_objects.all()

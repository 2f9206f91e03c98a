"""Admin for partner branches (the token is write-only), and read-only views of what we learnt and asked."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from circulate.core.admin import SoftDeleteAdmin
from circulate.partners.models import PartnerAvailability, PartnerBranch, PartnerCall, PartnerReservation


class BranchForm(forms.ModelForm[PartnerBranch]):
    base_url = forms.URLField(assume_scheme="http", help_text="Where the branch service answers.")
    token = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text="The branch service's bearer token. Leave empty to keep the current one.",
    )

    class Meta:
        model = PartnerBranch
        fields = ("name", "code", "base_url", "token", "connect_timeout", "read_timeout", "max_attempts", "enabled")

    def clean_token(self) -> str:
        token: str = self.cleaned_data.get("token") or ""
        if token:
            return token
        if self.instance.pk and self.instance.token:
            return self.instance.token
        raise forms.ValidationError("A new branch needs its token.")


@admin.register(PartnerBranch)
class PartnerBranchAdmin(SoftDeleteAdmin):
    form = BranchForm
    list_display = ("name", "code", "base_url", "enabled", "breaker_failures", "breaker_open_until", "last_refresh_at")
    readonly_fields = ("breaker_failures", "breaker_open_until", "last_success_at", "last_refresh_at", "last_error")
    search_fields = ("name", "code")


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PartnerAvailability)
class PartnerAvailabilityAdmin(ReadOnlyAdmin):
    list_display = ("isbn", "branch", "copies_available", "copies_total", "holds", "outcome", "checked_at")
    list_filter = ("branch", "outcome")
    search_fields = ("isbn",)
    list_select_related = ("branch",)


@admin.register(PartnerReservation)
class PartnerReservationAdmin(ReadOnlyAdmin):
    list_display = ("id", "book", "member", "branch", "status", "remote_id", "pickup_until", "created_at")
    list_filter = ("status", "branch")
    list_select_related = ("book", "member", "branch")
    search_fields = ("book__title", "book__isbn", "member__name")


@admin.register(PartnerCall)
class PartnerCallAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "branch", "method", "url", "status", "duration_ms", "attempt", "error")
    list_filter = ("branch", "method", "status")
    list_select_related = ("branch",)
    search_fields = ("url", "error")

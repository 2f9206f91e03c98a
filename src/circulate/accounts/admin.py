from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from circulate.accounts.models import OutboxMessage, User
from circulate.core.admin import AuditedAdminMixin


@admin.register(User)
class UserAdmin(AuditedAdminMixin, DjangoUserAdmin):
    ordering = ("id",)
    list_display = ("email", "username", "full_name", "email_verified_at", "is_staff", "is_active")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("email", "username", "full_name")
    fieldsets = (
        (None, {"fields": ("email", "username", "password")}),
        ("Profile", {"fields": ("full_name", "email_verified_at")}),
        ("Roles and permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "username", "password1", "password2")}),)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin[OutboxMessage]):
    """The dev outbox: e-mails that would have been sent (embedded profile)."""

    list_display = ("sent_at", "subject", "recipients")
    search_fields = ("subject", "body")
    readonly_fields = ("to", "from_email", "subject", "body", "html", "sent_at")

    @admin.display(description="To")
    def recipients(self, obj: OutboxMessage) -> str:
        return ", ".join(obj.to)

"""Events and read cursors in the admin: a read-only log of what was published."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from circulate.realtime.models import Event, EventRecipient, ReadCursor


class EventRecipientInline(admin.TabularInline[EventRecipient, Event]):
    model = EventRecipient
    fields = ("user",)
    readonly_fields = ("user",)
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(admin.ModelAdmin[Event]):
    """Events are facts: they are published by services, never written here."""

    list_display = ("seq", "type", "audience", "role", "actor", "created_at")
    list_filter = ("type", "audience", "role")
    search_fields = ("type",)
    list_select_related = ("actor",)
    fields = ("seq", "type", "audience", "role", "actor", "payload", "created_at")
    readonly_fields = fields
    inlines = (EventRecipientInline,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ReadCursor)
class ReadCursorAdmin(admin.ModelAdmin[ReadCursor]):
    list_display = ("user", "last_seen_seq", "updated_at")
    search_fields = ("user__email", "user__username")
    list_select_related = ("user",)
    readonly_fields = ("user", "last_seen_seq", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

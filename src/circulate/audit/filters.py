"""Query parameters of GET /api/audit/."""

from __future__ import annotations

import re
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet

from circulate.audit.models import AuditEntry
from circulate.core.filters import IdFilter

OBJECT_PATTERN = re.compile(r"^(?P<type>[a-z][a-z_]*\.[a-z][a-z_]*):(?P<id>[A-Za-z0-9_.-]{1,64})$")


class ObjectField(forms.CharField):
    def clean(self, value: Any) -> tuple[str, str] | None:
        value = super().clean(value)
        if not value:
            return None
        match = OBJECT_PATTERN.match(value)
        if match is None:
            raise forms.ValidationError("Use <app>.<model>:<id>, e.g. library.book:12.")
        return match["type"], match["id"]


class ObjectFilter(django_filters.CharFilter):
    """``<app>.<model>:<id>``: one object's entries (documented as a string)."""

    field_class = ObjectField

    def filter(self, qs: QuerySet[AuditEntry], value: tuple[str, str] | None) -> QuerySet[AuditEntry]:
        if value is None:
            return qs
        object_type, object_id = value
        return qs.filter(object_type=object_type, object_id=object_id)


class AuditEntryFilter(django_filters.FilterSet):
    actor = IdFilter(field_name="actor_id", help_text="Entries of this user id.")
    action = django_filters.CharFilter(
        method="filter_action",
        help_text="An action (`library.loan.issue`) or a prefix ending in a dot (`library.`, `library.loan.`).",
    )
    object_type = django_filters.CharFilter(field_name="object_type", help_text="e.g. `library.book`.")
    object_id = django_filters.CharFilter(field_name="object_id", help_text="With object_type: one object.")
    object = ObjectFilter(help_text="One object's history: `<app>.<model>:<id>`, e.g. `library.book:12`.")
    request_id = django_filters.CharFilter(field_name="request_id", help_text="Entries written by one request.")
    since = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="gte", help_text="At or after (ISO 8601).")
    until = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="lt", help_text="Before (ISO 8601).")

    class Meta:
        model = AuditEntry
        fields: list[str] = []

    def filter_action(self, queryset: QuerySet[AuditEntry], name: str, value: str) -> QuerySet[AuditEntry]:
        if value.endswith("."):
            return queryset.filter(action__startswith=value)
        return queryset.filter(action=value)

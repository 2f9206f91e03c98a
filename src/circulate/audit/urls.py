"""Audit endpoints under /api/audit/."""

from django.urls import URLPattern, URLResolver, path

from circulate.audit.api.views import AuditEntryListView

app_name = "audit"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", AuditEntryListView.as_view(), name="entry-list"),
]

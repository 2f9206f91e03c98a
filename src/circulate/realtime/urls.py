"""Notification endpoints under /api/notifications/."""

from django.urls import URLPattern, URLResolver

app_name = "realtime"
urlpatterns: list[URLPattern | URLResolver] = []

"""Notification endpoints under /api/notifications/."""

from django.urls import URLPattern, URLResolver, path

from circulate.realtime import views

app_name = "realtime"
urlpatterns: list[URLPattern | URLResolver] = [
    path("notifications/", views.NotificationListView.as_view(), name="notification-list"),
    path("notifications/unread-count/", views.UnreadCountView.as_view(), name="notification-unread-count"),
    path("notifications/mark-seen/", views.MarkSeenView.as_view(), name="notification-mark-seen"),
]

"""WebSocket routes (Channels)."""

from django.urls import URLPattern, URLResolver, path

from circulate.realtime.consumers import NotificationConsumer

websocket_urlpatterns: list[URLPattern | URLResolver] = [
    path("ws/notifications/", NotificationConsumer.as_asgi(), name="ws-notifications"),
]

"""Development helpers under /api/dev/: the dev outbox (404 unless e-mail goes to it)."""

from django.urls import URLPattern, URLResolver, path

from circulate.accounts.api import views

app_name = "dev"
urlpatterns: list[URLPattern | URLResolver] = [
    path("outbox/", views.DevOutboxView.as_view(), name="outbox"),
]

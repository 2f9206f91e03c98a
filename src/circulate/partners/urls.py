"""Partner endpoints under /api/partners/ (and /api/library/books/{id}/partner-*/)."""

from django.urls import URLPattern, URLResolver

from circulate.partners.api.urls import urlpatterns as api_urlpatterns

app_name = "partners"
urlpatterns: list[URLPattern | URLResolver] = [*api_urlpatterns]

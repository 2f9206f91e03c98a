"""Library endpoints under /api/library/."""

from django.urls import URLPattern, URLResolver

from circulate.library.api.urls import urlpatterns as api_urlpatterns

app_name = "library"
urlpatterns: list[URLPattern | URLResolver] = [*api_urlpatterns]

"""Dealership market endpoints under /api/dealership/."""

from django.urls import URLPattern, URLResolver

from circulate.dealership.api.urls import urlpatterns as api_urlpatterns

app_name = "dealership"
urlpatterns: list[URLPattern | URLResolver] = [*api_urlpatterns]

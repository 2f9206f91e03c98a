"""Bike rental endpoints under /api/bikes/."""

from django.urls import URLPattern, URLResolver

from circulate.bikes.api.urls import urlpatterns as api_urlpatterns

app_name = "bikes"
urlpatterns: list[URLPattern | URLResolver] = [*api_urlpatterns]

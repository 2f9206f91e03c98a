"""GBFS v3.0 feeds under /gbfs/v3/."""

from django.urls import URLPattern, URLResolver, path

from circulate.bikes.gbfs import views

app_name = "gbfs"
urlpatterns: list[URLPattern | URLResolver] = [
    path("v3/gbfs.json", views.discovery, name="discovery"),
    path("v3/manifest.json", views.manifest, name="manifest"),
    path("v3/<slug:name>.json", views.feed, name="feed"),
]

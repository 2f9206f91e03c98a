"""The benchmark's URLconf: the whole application plus the two baselines (``ROOT_URLCONF=bench.http_urls``)."""

from django.urls import URLPattern, URLResolver, include, path

from bench import baselines
from circulate.urls import handler400, handler403, handler404, handler500  # noqa: F401 - the same error pages

urlpatterns: list[URLPattern | URLResolver] = [
    path("bench/bare/", baselines.bare),
    path("bench/hand-written/books/", baselines.hand_written_books),
    path("", include("circulate.urls")),
]

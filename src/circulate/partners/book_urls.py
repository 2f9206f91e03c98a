"""The partner routes of a book, mounted under /api/library/books/."""

from django.urls import URLPattern, URLResolver

from circulate.partners.api.urls import book_urlpatterns

app_name = "partner-books"
urlpatterns: list[URLPattern | URLResolver] = [*book_urlpatterns]

from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "circulate.library"
    label = "library"
    verbose_name = "Library and book club"

    def ready(self) -> None:
        # Connects the catalogue cache's invalidation to the book, author and like rows.
        from circulate.library import catalogue_cache  # noqa: F401

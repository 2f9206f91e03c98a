from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "circulate.library"
    label = "library"
    verbose_name = "Library and book club"

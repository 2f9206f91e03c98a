from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "circulate.core"
    label = "core"
    verbose_name = "Core platform"

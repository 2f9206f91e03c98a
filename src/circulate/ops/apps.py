from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "circulate.ops"
    label = "ops"
    verbose_name = "Operations"

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "circulate.web"
    label = "web"
    verbose_name = "Web console"

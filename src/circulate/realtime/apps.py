from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "circulate.realtime"
    label = "realtime"
    verbose_name = "Live notifications"

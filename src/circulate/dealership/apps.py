from django.apps import AppConfig


class DealershipConfig(AppConfig):
    name = "circulate.dealership"
    label = "dealership"
    verbose_name = "Car dealership market"

from django.apps import AppConfig


class BikesConfig(AppConfig):
    name = "circulate.bikes"
    label = "bikes"
    verbose_name = "Bike rental"

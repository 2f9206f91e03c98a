from django.apps import AppConfig


class PartnersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "circulate.partners"
    label = "partners"
    verbose_name = "Partner branches"

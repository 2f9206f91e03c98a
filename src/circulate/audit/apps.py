from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "circulate.audit"
    label = "audit"
    verbose_name = "Audit trail"

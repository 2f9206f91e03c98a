from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "circulate.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created
        from django.utils.module_loading import autodiscover_modules

        from circulate.ops import metrics

        connection_created.connect(metrics.install_query_counter, dispatch_uid="circulate.ops.count_queries")
        # Each domain declares its gauges in its own metrics.py (library: open loans, bikes: active rentals, ...).
        autodiscover_modules("metrics")

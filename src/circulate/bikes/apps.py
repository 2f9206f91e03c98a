from django.apps import AppConfig


class BikesConfig(AppConfig):
    name = "circulate.bikes"
    label = "bikes"
    verbose_name = "Bike rental"

    def ready(self) -> None:
        # Connects the fleet cache's invalidation to the bike, station and vehicle type rows.
        from circulate.bikes import fleet_cache  # noqa: F401

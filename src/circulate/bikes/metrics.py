"""The bike rental's gauges on ``/metrics`` (read when scraped)."""

from circulate.bikes.models import Rental
from circulate.ops.metrics import domain_gauge


@domain_gauge("circulate_bikes_active_rentals", "Rides started and not yet finished.")
def active_rentals() -> float:
    return Rental.objects.filter(ended_at__isnull=True).count()


@domain_gauge("circulate_bikes_rentals_awaiting_price", "Finished rides the pricing task has not priced yet.")
def rentals_awaiting_price() -> float:
    return Rental.objects.filter(ended_at__isnull=False, cost_status=Rental.CostStatus.PENDING).count()

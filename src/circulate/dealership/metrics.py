"""The car market's gauges on ``/metrics`` (read when scraped)."""

from django.db.models import Sum

from circulate.dealership.models import DealershipCar, Offer
from circulate.ops.metrics import domain_gauge


@domain_gauge("circulate_dealership_open_offers", "Buyers' offers waiting for a car (active).")
def open_offers() -> float:
    return Offer.objects.filter(status=Offer.Status.ACTIVE).count()


@domain_gauge("circulate_dealership_cars_in_stock", "Cars in the dealerships' stock, all models.")
def cars_in_stock() -> float:
    return float(DealershipCar.objects.aggregate(total=Sum("quantity"))["total"] or 0)

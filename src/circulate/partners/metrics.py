"""The partner branches' gauges on ``/metrics`` (read when scraped)."""

from circulate.ops.metrics import domain_gauge
from circulate.partners.models import PartnerReservation

OPEN = (
    PartnerReservation.Status.REQUESTED,
    PartnerReservation.Status.PENDING,
    PartnerReservation.Status.READY,
)


@domain_gauge(
    "circulate_partners_open_reservations", "Reservations at partner branches not yet collected or cancelled."
)
def open_reservations() -> float:
    return PartnerReservation.objects.filter(status__in=OPEN).count()


@domain_gauge(
    "circulate_partners_unconfirmed_reservations", "Reservations a partner branch has not confirmed yet (requested)."
)
def unconfirmed_reservations() -> float:
    return PartnerReservation.objects.filter(status=PartnerReservation.Status.REQUESTED).count()

"""The library's gauges on ``/metrics`` (read when scraped)."""

from circulate.library.models import Loan, Reservation
from circulate.ops.metrics import domain_gauge


@domain_gauge("circulate_library_open_loans", "Loans not yet returned.")
def open_loans() -> float:
    return Loan.objects.filter(returned_at__isnull=True).count()


@domain_gauge("circulate_library_active_holds", "Holds waiting for a copy or ready for pickup.")
def active_holds() -> float:
    return Reservation.objects.filter(status__in=Reservation.ACTIVE_STATUSES).count()

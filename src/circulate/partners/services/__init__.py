"""Every write of the partners app, one function per use case.

``availability`` (the stored copies per branch, refreshed by beat or asked live) and
``reservations`` (reserve at a branch, cancel, bring remote statuses home). No HTTP call
is made inside a database transaction: a slow branch never holds our locks.
"""

from circulate.partners.services.availability import partner_status, refresh_availability
from circulate.partners.services.reservations import cancel_partner_reservation, reserve_at_branch, sync_reservations

__all__ = [
    "cancel_partner_reservation",
    "partner_status",
    "refresh_availability",
    "reserve_at_branch",
    "sync_reservations",
]

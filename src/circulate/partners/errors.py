"""Why a partner branch request was refused. The API maps each to its status once, in core."""

from __future__ import annotations

from circulate.core.errors import DomainError


class PartnerUnavailableError(DomainError):
    status_code = 503
    code = "partner_unavailable"
    default_detail = "The partner branch does not answer now; try again later."


class PartnerNoCopiesError(DomainError):
    code = "partner_no_copies"
    default_detail = "The partner branch has no free copy of this book."


class PartnerRefusedError(DomainError):
    status_code = 502
    code = "partner_refused"
    default_detail = "The partner branch refused the request."


class PartnerReservationOpenError(DomainError):
    code = "partner_reservation_open"
    default_detail = "This member already has an open reservation of this book at this branch."


class PartnerReservationClosedError(DomainError):
    code = "partner_reservation_closed"
    default_detail = "This reservation is no longer open."

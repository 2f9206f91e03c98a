"""Why the library refused a request. The API maps each to its status once, in core."""

from __future__ import annotations

from circulate.core.errors import DomainError


class NoCopyAvailableError(DomainError):
    code = "no_copy_available"
    default_detail = "No copy of this book is free."


class LoanLimitReachedError(DomainError):
    code = "loan_limit_reached"


class HoldLimitReachedError(DomainError):
    code = "hold_limit_reached"


class CardMissingError(DomainError):
    code = "card_missing"
    default_detail = "This member has no membership card."


class CardExpiredError(DomainError):
    code = "card_expired"


class AlreadyBorrowedError(DomainError):
    code = "already_borrowed"
    default_detail = "This member already has an unreturned copy of this book."


class AlreadyReservedError(DomainError):
    code = "already_reserved"
    default_detail = "This member already has an active reservation for this book."


class LoanClosedError(DomainError):
    code = "loan_returned"
    default_detail = "This loan has already been returned."


class RenewalRefusedError(DomainError):
    code = "renewal_refused"


class ReservationClosedError(DomainError):
    code = "reservation_closed"


class IsbnTakenError(DomainError):
    code = "isbn_taken"


class CopiesOnLoanError(DomainError):
    code = "copies_on_loan"


class MembershipClosedError(DomainError):
    code = "membership_closed"
    default_detail = "Your library membership was closed; ask a librarian to reopen it."


class UserAlreadyMemberError(DomainError):
    code = "user_already_member"
    default_detail = "This user account is already linked to a member."

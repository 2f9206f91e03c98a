"""Every write and rule of the library, one function per use case, in one module per concept.

``catalogue`` (authors, books, likes), ``members``, ``cards`` (tiers and membership
cards), ``loans`` (issue, return, renew, reminders) and ``holds`` (reservations). The
API, the admin, the Celery tasks and the demo data call these functions.

Concurrency: a use case that two requests can race on locks rows through the helpers in
``_access``, always in the same order (member, then book, then the loan or reservation),
so two writers never deadlock; copies move with conditional updates
(``copies_available > 0``, see ``_queue``) backed by the check constraint
``0 <= available <= total``; "one open loan / one active hold per member and book" are
partial unique constraints. On SQLite, writers are serialised by IMMEDIATE transactions
instead of row locks. Every state change records an audit entry in the same transaction.
"""

from circulate.library.services.cards import CardResult, default_tier, issue_or_renew_card, revoke_card
from circulate.library.services.catalogue import (
    BookChanges,
    create_author,
    create_book,
    delete_author,
    delete_book,
    like_book,
    refresh_search_text,
    restore_author,
    unlike_book,
    update_author,
    update_book,
)
from circulate.library.services.holds import cancel_reservation, expire_reservations, reserve_book
from circulate.library.services.loans import ReminderReport, issue_loan, renew_loan, return_loan, send_loan_reminders
from circulate.library.services.members import (
    MemberChanges,
    create_member,
    delete_member,
    get_or_create_member_for_user,
    update_member,
)

__all__ = [
    "BookChanges",
    "CardResult",
    "MemberChanges",
    "ReminderReport",
    "cancel_reservation",
    "create_author",
    "create_book",
    "create_member",
    "default_tier",
    "delete_author",
    "delete_book",
    "delete_member",
    "expire_reservations",
    "get_or_create_member_for_user",
    "issue_loan",
    "issue_or_renew_card",
    "like_book",
    "refresh_search_text",
    "renew_loan",
    "reserve_book",
    "restore_author",
    "return_loan",
    "revoke_card",
    "send_loan_reminders",
    "unlike_book",
    "update_author",
    "update_book",
    "update_member",
]

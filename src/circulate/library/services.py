"""Every write and rule of the library, one function per use case.

The API, the admin, the Celery tasks and the demo data call these functions.

Concurrency: a use case that two requests can race on locks rows through the
``_lock_*`` helpers, always in the same order (member, then book, then the loan or
reservation), so two writers never deadlock; copies move with conditional updates
(``copies_available > 0``) backed by the check constraint ``0 <= available <= total``;
"one open loan / one active hold per member and book" are partial unique constraints.
On SQLite, writers are serialised by IMMEDIATE transactions instead of row locks.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from circulate.accounts.models import User
from circulate.accounts.roles import LIBRARIAN
from circulate.core.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from circulate.core.services import restore, soft_delete
from circulate.library import selectors
from circulate.library.errors import (
    AlreadyBorrowedError,
    AlreadyReservedError,
    CardExpiredError,
    CardMissingError,
    CopiesOnLoanError,
    HoldLimitReachedError,
    IsbnTakenError,
    LoanClosedError,
    LoanLimitReachedError,
    MembershipClosedError,
    NoCopyAvailableError,
    RenewalRefusedError,
    ReservationClosedError,
    UserAlreadyMemberError,
)
from circulate.library.isbn import normalize_isbn
from circulate.library.models import (
    Author,
    Book,
    Like,
    Loan,
    LoanReminder,
    Member,
    MembershipCard,
    MembershipTier,
    Reservation,
)
from circulate.library.search import search_text_for
from circulate.realtime import audience
from circulate.realtime.services import publish

logger = logging.getLogger(__name__)

DEFAULT_TIER_NAME = "Standard"
DUE_SOON_WINDOW = timedelta(days=2)


# --- Access and locks ---------------------------------------------------------------


def _require_librarian(actor: User | None, action: str) -> None:
    if not selectors.is_librarian(actor):
        raise PermissionDeniedError(f"Only librarians may {action}.")


def _lock_member(member_id: int, *, include_inactive: bool = False) -> Member:
    manager = Member.all_objects if include_inactive else Member.objects
    member = manager.select_for_update().filter(pk=member_id).first()
    if member is None:
        raise NotFoundError(f"No member with id {member_id}.", field="member")
    return member


def _lock_book(book_id: int, *, include_inactive: bool = False) -> Book:
    manager = Book.all_objects if include_inactive else Book.objects
    book = manager.select_for_update().filter(pk=book_id).first()
    if book is None:
        raise NotFoundError(f"No book with id {book_id}.", field="book")
    return book


def _lock_loan(loan_id: int) -> Loan:
    return Loan.objects.select_for_update().get(pk=loan_id)


def _lock_reservation(reservation_id: int) -> Reservation:
    return Reservation.objects.select_for_update().get(pk=reservation_id)


def _visible_loan(actor: User, loan_id: int) -> Loan:
    loan = selectors.loans_for(user=actor).filter(pk=loan_id).first()
    if loan is None:
        raise NotFoundError(f"No loan with id {loan_id}.")
    return loan


def _visible_reservation(actor: User, reservation_id: int) -> Reservation:
    reservation = selectors.reservations_for(user=actor).filter(pk=reservation_id).first()
    if reservation is None:
        raise NotFoundError(f"No reservation with id {reservation_id}.")
    return reservation


def get_or_create_member_for_user(*, user: User) -> Member:
    """The member a signed-in user acts through, created on first need (without a card)."""
    member = selectors.member_of(user)
    if member is None:
        try:
            with transaction.atomic():
                member = Member.objects.create(user=user, name=user.get_full_name(), email=user.email)
        except IntegrityError:
            member = Member.all_objects.get(user_id=user.pk)
        else:
            _publish_member_created(member, actor=user)
    if not member.is_active:
        raise MembershipClosedError()
    return member


def _acting_member_id(actor: User, member_id: int | None) -> int:
    """Librarians act for any member (themselves when none is given); others only for themselves."""
    if selectors.is_librarian(actor) and member_id is not None:
        return member_id
    own = get_or_create_member_for_user(user=actor)
    if member_id is not None and member_id != own.pk:
        raise NotFoundError(f"No member with id {member_id}.", field="member")
    return own.pk


def _valid_card(member: Member, today: date) -> MembershipCard:
    card = selectors.active_card(member=member)
    if card is None:
        raise CardMissingError(f"{member.name} has no membership card; a librarian can issue one.")
    if card.valid_until < today:
        raise CardExpiredError(f"The membership card {card.number} of {member.name} expired on {card.valid_until}.")
    return card


def _pickup_window(member: Member) -> timedelta:
    card = selectors.active_card(member=member)
    tier = card.tier if card else default_tier()
    return timedelta(days=tier.pickup_window_days)


# --- Events -------------------------------------------------------------------------------


def _publish_to_member_and_librarians(
    event_type: str, payload: dict[str, Any], *, member: Member, actor: User | None
) -> None:
    if member.user_id:
        publish(event_type, payload, audience=audience.users([member.user_id]), actor=actor)
    publish(event_type, payload, audience=audience.role(LIBRARIAN), actor=actor)


def _publish_member_created(member: Member, *, actor: User | None) -> None:
    payload = {"member_id": member.pk, "name": member.name, "user_id": member.user_id}
    _publish_to_member_and_librarians("member.created", payload, member=member, actor=actor)


def _book_payload(book: Book) -> dict[str, Any]:
    return {
        "book_id": book.pk,
        "title": book.title,
        "isbn": book.isbn,
        "copies_total": book.copies_total,
        "copies_available": book.copies_available,
        "is_available": book.is_available,
    }


def _loan_payload(loan: Loan, book: Book, member: Member) -> dict[str, Any]:
    return {
        "loan_id": loan.pk,
        "book_id": book.pk,
        "book_title": book.title,
        "member_id": member.pk,
        "due_at": loan.due_at.isoformat(),
        "returned_at": loan.returned_at.isoformat() if loan.returned_at else None,
        "copies_available": book.copies_available,
    }


# --- Queue ----------------------------------------------------------------------------------


def _set_aside(reservation: Reservation, *, now: datetime, actor: User | None) -> None:
    """Mark a hold ready for pickup (its copy is already taken from ``copies_available``)."""
    reservation.status = Reservation.Status.READY
    reservation.ready_at = now
    reservation.ready_until = now + _pickup_window(reservation.member)
    reservation.save(update_fields=["status", "ready_at", "ready_until", "updated_at"])
    assert reservation.ready_until is not None
    payload = {
        "reservation_id": reservation.pk,
        "book_id": reservation.book_id,
        "book_title": reservation.book.title,
        "member_id": reservation.member_id,
        "ready_until": reservation.ready_until.isoformat(),
    }
    _publish_to_member_and_librarians("reservation.ready", payload, member=reservation.member, actor=actor)


def _next_waiting(book: Book) -> Reservation | None:
    return (
        selectors.waiting_queue(book_id=book.pk)
        .select_related("member", "book")
        .select_for_update(of=("self",))
        .first()
    )


def _pass_copy_on(book: Book, *, now: datetime, actor: User | None) -> Reservation | None:
    """A copy came back (book row locked): the first waiting hold gets it, else the shelf."""
    reservation = _next_waiting(book) if book.is_active else None
    if reservation is None:
        Book.all_objects.filter(pk=book.pk).update(copies_available=F("copies_available") + 1, updated_at=now)
    else:
        _set_aside(reservation, now=now, actor=actor)
    book.refresh_from_db(fields=["copies_available"])
    return reservation


def _serve_queue(book: Book, *, now: datetime, actor: User | None) -> None:
    """Free copies appeared on the shelf (book row locked): give them to waiting holds in order."""
    while True:
        reservation = _next_waiting(book)
        if reservation is None or not _take_copy(book):
            break
        _set_aside(reservation, now=now, actor=actor)
    book.refresh_from_db(fields=["copies_available"])


def _take_copy(book: Book) -> bool:
    """Take one copy off the shelf if there is one; the database decides, never a stale read."""
    return bool(
        Book.objects.filter(pk=book.pk, copies_available__gt=0).update(copies_available=F("copies_available") - 1)
    )


# --- Catalogue ------------------------------------------------------------------------------


@transaction.atomic
def create_author(*, actor: User, name: str) -> Author:
    return Author.objects.create(name=name.strip())


def _search_text(title: str, authors: Iterable[Author]) -> str:
    return search_text_for(title, [author.name for author in authors if author.is_active])


def refresh_search_text(*, book_ids: Iterable[int]) -> None:
    """Rebuild the search column of these books from their title and active authors."""
    books = list(Book.all_objects.filter(pk__in=list(book_ids)).prefetch_related("authors"))
    for book in books:
        book.search_text = _search_text(book.title, book.authors.all())
    Book.all_objects.bulk_update(books, ["search_text"], batch_size=500)


def _refresh_books_of(author: Author) -> None:
    refresh_search_text(book_ids=Book.all_objects.filter(authors=author).values_list("pk", flat=True))


@transaction.atomic
def update_author(*, actor: User, author_id: int, name: str) -> Author:
    _require_librarian(actor, "edit authors")
    author = Author.objects.select_for_update().filter(pk=author_id).first()
    if author is None:
        raise NotFoundError(f"No author with id {author_id}.")
    author.name = name.strip()
    author.save(update_fields=["name", "updated_at"])
    _refresh_books_of(author)
    return author


@transaction.atomic
def delete_author(*, actor: User, author_id: int) -> None:
    """Remove an author (soft delete); their books stay, without that name."""
    _require_librarian(actor, "remove authors")
    author = Author.objects.filter(pk=author_id).first()
    if author is None:
        raise NotFoundError(f"No author with id {author_id}.")
    soft_delete(instance=author)
    _refresh_books_of(author)


@transaction.atomic
def restore_author(*, actor: User, author_id: int) -> Author:
    _require_librarian(actor, "restore authors")
    author = Author.all_objects.filter(pk=author_id).first()
    if author is None:
        raise NotFoundError(f"No author with id {author_id}.")
    restore(instance=author)
    _refresh_books_of(author)
    return author


def _isbn13(value: str) -> str:
    try:
        return normalize_isbn(value)
    except ValidationError as exc:
        raise InvalidInputError(exc.messages[0], field="isbn") from exc


def _ensure_isbn_free(isbn: str, *, except_book_id: int | None = None) -> None:
    if Book.objects.filter(isbn=isbn).exclude(pk=except_book_id).exists():
        raise IsbnTakenError(f"A book with ISBN {isbn} is already in the catalogue.", field="isbn")


def _save_book(book: Book, **kwargs: Any) -> None:
    try:
        with transaction.atomic():
            book.save(**kwargs)
    except IntegrityError as exc:
        raise IsbnTakenError(f"A book with ISBN {book.isbn} is already in the catalogue.", field="isbn") from exc


@transaction.atomic
def create_book(
    *,
    actor: User,
    title: str,
    isbn: str,
    authors: Sequence[Author] = (),
    copies_total: int = 1,
    description: str = "",
    year: int | None = None,
    cover: File[Any] | None = None,
) -> Book:
    """Add a book to the catalogue; every copy starts on the shelf. Any signed-in user may add books."""
    book = Book(
        title=title.strip(),
        isbn=_isbn13(isbn),
        description=description,
        year=year,
        copies_total=copies_total,
        copies_available=copies_total,
        added_by=actor,
        search_text=_search_text(title.strip(), authors),
    )
    if cover:
        book.cover = cover
    _ensure_isbn_free(book.isbn)
    _save_book(book)
    book.authors.set(authors)
    publish("book.created", _book_payload(book), audience=audience.everyone(), actor=actor)
    return book


class BookChanges(TypedDict, total=False):
    title: str
    isbn: str
    authors: Sequence[Author]
    copies_total: int
    description: str
    year: int | None
    cover: File[Any] | None


def _check_can_edit_book(actor: User, book: Book, action: str) -> None:
    if not selectors.is_librarian(actor) and book.added_by_id != actor.pk:
        raise PermissionDeniedError(f"Only librarians and the member who added this book may {action} it.")


@transaction.atomic
def update_book(*, actor: User, book_id: int, **changes: Unpack[BookChanges]) -> Book:
    """Edit a book (librarians, or the member who added it). New copies go to the holds queue first."""
    now = timezone.now()
    book = _lock_book(book_id)
    _check_can_edit_book(actor, book, "edit")
    if "title" in changes:
        book.title = changes["title"].strip()
    if "description" in changes:
        book.description = changes["description"]
    if "year" in changes:
        book.year = changes["year"]
    if "cover" in changes:
        book.cover = changes["cover"] or ""
    if "isbn" in changes:
        book.isbn = _isbn13(changes["isbn"])
        _ensure_isbn_free(book.isbn, except_book_id=book.pk)
    added_copies = 0
    if "copies_total" in changes:
        out = book.copies_total - book.copies_available  # on loan or set aside for a ready hold
        new_total = changes["copies_total"]
        if new_total < out:
            raise CopiesOnLoanError(
                f"{out} copies are on loan or set aside for pickup; copies_total cannot go below {out}.",
                field="copies_total",
            )
        added_copies = new_total - book.copies_total
        book.copies_total = new_total
        book.copies_available = new_total - out
    if "title" in changes or "authors" in changes:
        book.search_text = _search_text(book.title, changes.get("authors", book.authors.all()))
    _save_book(book)
    if "authors" in changes:
        book.authors.set(changes["authors"])
    if added_copies > 0:
        _serve_queue(book, now=now, actor=actor)
    publish("book.updated", _book_payload(book), audience=audience.everyone(), actor=actor)
    return book


@transaction.atomic
def delete_book(*, actor: User, book_id: int) -> None:
    """Remove a book from the catalogue (soft delete). Refused while copies are on loan."""
    now = timezone.now()
    book = _lock_book(book_id)
    _check_can_edit_book(actor, book, "delete")
    on_loan = Loan.objects.filter(book=book, returned_at__isnull=True).count()
    if on_loan:
        raise CopiesOnLoanError(f"{on_loan} copies of “{book.title}” are on loan; take them back before removing it.")
    Reservation.objects.filter(book=book, status__in=Reservation.ACTIVE_STATUSES).update(
        status=Reservation.Status.CANCELLED, closed_at=now, updated_at=now
    )
    Book.objects.filter(pk=book.pk).update(copies_available=F("copies_total"))
    soft_delete(instance=book)
    publish("book.deleted", {"book_id": book.pk, "title": book.title}, audience=audience.everyone(), actor=actor)


@transaction.atomic
def like_book(*, actor: User, book_id: int) -> Book:
    """Like a book (idempotent). The counter moves only when a like really appears."""
    book = Book.objects.filter(pk=book_id).first()
    if book is None:
        raise NotFoundError(f"No book with id {book_id}.")
    member = get_or_create_member_for_user(user=actor)
    now = timezone.now()
    appeared = Like.all_objects.filter(member=member, book=book, is_active=False).update(
        is_active=True, liked_at=now, updated_at=now
    )
    if not appeared:
        try:
            with transaction.atomic():
                Like.objects.create(member=member, book=book, liked_at=now)
            appeared = 1
        except IntegrityError:
            appeared = 0  # already liked
    if appeared:
        Book.objects.filter(pk=book.pk).update(likes_count=F("likes_count") + 1)
    return book


@transaction.atomic
def unlike_book(*, actor: User, book_id: int) -> Book:
    """Take a like back (idempotent)."""
    book = Book.objects.filter(pk=book_id).first()
    if book is None:
        raise NotFoundError(f"No book with id {book_id}.")
    member = selectors.member_of(actor)
    if member is not None:
        gone = Like.objects.filter(member=member, book=book).update(is_active=False, updated_at=timezone.now())
        if gone:
            Book.objects.filter(pk=book.pk, likes_count__gt=0).update(likes_count=F("likes_count") - 1)
    return book


# --- Members and cards ----------------------------------------------------------------------


@transaction.atomic
def create_member(*, actor: User, name: str, email: str = "", phone: str = "", user: User | None = None) -> Member:
    """A librarian registers a reader: walk-in (no account) or linked to a user account."""
    _require_librarian(actor, "register members")
    if user is not None and Member.all_objects.filter(user=user).exists():
        raise UserAlreadyMemberError(field="user")
    try:
        with transaction.atomic():
            member = Member.objects.create(name=name.strip(), email=email, phone=phone, user=user)
    except IntegrityError as exc:
        raise UserAlreadyMemberError(field="user") from exc
    _publish_member_created(member, actor=actor)
    return member


class MemberChanges(TypedDict, total=False):
    name: str
    email: str
    phone: str
    user: User | None


@transaction.atomic
def update_member(*, actor: User, member_id: int, **changes: Unpack[MemberChanges]) -> Member:
    _require_librarian(actor, "edit members")
    member = _lock_member(member_id)
    if "user" in changes:
        user = changes["user"]
        if user is not None and Member.all_objects.filter(user=user).exclude(pk=member.pk).exists():
            raise UserAlreadyMemberError(field="user")
        member.user = user
    if "name" in changes:
        member.name = changes["name"].strip()
    if "email" in changes:
        member.email = changes["email"]
    if "phone" in changes:
        member.phone = changes["phone"]
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as exc:
        raise UserAlreadyMemberError(field="user") from exc
    return member


@transaction.atomic
def delete_member(*, actor: User, member_id: int) -> None:
    """Close a membership (soft delete). Refused while the member has books; their holds are cancelled."""
    _require_librarian(actor, "remove members")
    now = timezone.now()
    member = _lock_member(member_id)
    on_loan = Loan.objects.filter(member=member, returned_at__isnull=True).count()
    if on_loan:
        raise CopiesOnLoanError(f"{member.name} still has {on_loan} unreturned loans; take them back first.")
    holds = Reservation.objects.filter(member=member, status__in=Reservation.ACTIVE_STATUSES).order_by("book_id")
    for hold in holds:
        book = _lock_book(hold.book_id, include_inactive=True)
        was_ready = hold.status == Reservation.Status.READY
        hold.status = Reservation.Status.CANCELLED
        hold.closed_at = now
        hold.save(update_fields=["status", "closed_at", "updated_at"])
        if was_ready:
            _pass_copy_on(book, now=now, actor=actor)
    soft_delete(instance=member)


def default_tier() -> MembershipTier:
    """The tier of cards issued without one; a "Standard" tier with the usual rules is created on first need."""
    tier = MembershipTier.objects.filter(is_default=True).order_by("pk").first()
    if tier is not None:
        return tier
    try:
        with transaction.atomic():
            tier, _ = MembershipTier.objects.get_or_create(name=DEFAULT_TIER_NAME, defaults={"is_default": True})
    except IntegrityError:  # created by a concurrent request
        tier = MembershipTier.objects.get(name=DEFAULT_TIER_NAME)
    return tier


def _new_card_number() -> str:
    while True:
        number = f"LIB-{secrets.randbelow(10**10):010d}"
        if not MembershipCard.all_objects.filter(number=number).exists():
            return number


@dataclass(frozen=True)
class CardResult:
    card: MembershipCard
    created: bool


@transaction.atomic
def issue_or_renew_card(
    *,
    actor: User,
    member_id: int,
    tier: MembershipTier | None = None,
    valid_until: date | None = None,
    today: date | None = None,
) -> CardResult:
    """Issue a card (default tier when none is given) or renew the member's card.

    Renewing keeps the number and, unless told otherwise, the tier, and extends the
    validity by the tier's card period from today or from the current end, whichever is later.
    """
    _require_librarian(actor, "issue membership cards")
    today = today or timezone.localdate()
    member = _lock_member(member_id)
    card = MembershipCard.all_objects.select_for_update().filter(member=member).first()
    current = card if card is not None and card.is_active else None
    chosen = tier or (current.tier if current else default_tier())
    if valid_until is None:
        start = max(today, current.valid_until) if current else today
        valid_until = start + timedelta(days=chosen.card_validity_days)
    if valid_until < today:
        raise InvalidInputError("A card cannot be valid only until a past date.", field="valid_until")
    created = current is None
    if card is None:
        card = MembershipCard(member=member)
    if created:
        card.number = _new_card_number()  # a revoked card is re-issued under a new number
    card.tier = chosen
    card.valid_until = valid_until
    card.is_active = True
    card.save()
    return CardResult(card=card, created=created)


@transaction.atomic
def revoke_card(*, actor: User, member_id: int) -> None:
    _require_librarian(actor, "revoke membership cards")
    member = _lock_member(member_id)
    card = selectors.active_card(member=member)
    if card is None:
        raise NotFoundError(f"{member.name} has no membership card.")
    soft_delete(instance=card)


# --- Circulation --------------------------------------------------------------------------------


@transaction.atomic
def issue_loan(*, actor: User, book_id: int, member_id: int | None = None, now: datetime | None = None) -> Loan:
    """Lend a copy: librarians to any member, members to themselves when their tier allows self-checkout."""
    now = now or timezone.now()
    member = _lock_member(_acting_member_id(actor, member_id))
    book = _lock_book(book_id)
    card = _valid_card(member, now.date())
    tier = card.tier
    if not selectors.is_librarian(actor) and not tier.self_checkout:
        raise PermissionDeniedError(f"The {tier.name} tier does not allow self-checkout; ask a librarian.")
    open_loans = Loan.objects.filter(member=member, returned_at__isnull=True).count()
    if open_loans >= tier.loan_limit:
        raise LoanLimitReachedError(
            f"{member.name} already has {open_loans} unreturned loans; "
            f"the {tier.name} tier allows at most {tier.loan_limit}."
        )
    if Loan.objects.filter(member=member, book=book, returned_at__isnull=True).exists():
        raise AlreadyBorrowedError()
    holds = Reservation.objects.filter(member=member, book=book, status__in=Reservation.ACTIVE_STATUSES)
    if not holds.filter(status=Reservation.Status.READY).exists() and not _take_copy(book):
        raise NoCopyAvailableError(f"No copy of “{book.title}” is free; reserve it to join the queue.")
    # The member's hold is served: a ready one gave its set-aside copy, a waiting one is no longer needed.
    holds.update(status=Reservation.Status.FULFILLED, closed_at=now, updated_at=now)
    loan = Loan.objects.create(
        book=book,
        member=member,
        issued_by=actor,
        issued_at=now,
        due_at=now + timedelta(days=tier.loan_period_days),
    )
    book.refresh_from_db(fields=["copies_available"])
    _publish_to_member_and_librarians("loan.issued", _loan_payload(loan, book, member), member=member, actor=actor)
    return loan


def _lock_open_loan(actor: User, loan_id: int) -> tuple[Member, Book, Loan]:
    """Lock member, book and loan in the fixed order; the loan must be visible to ``actor`` and unreturned."""
    seen = _visible_loan(actor, loan_id)
    member = _lock_member(seen.member_id, include_inactive=True)
    book = _lock_book(seen.book_id, include_inactive=True)
    loan = _lock_loan(loan_id)
    if loan.returned_at is not None:
        raise LoanClosedError(f"Loan #{loan.pk} was already returned on {loan.returned_at:%Y-%m-%d}.")
    return member, book, loan


@transaction.atomic
def return_loan(*, actor: User, loan_id: int, now: datetime | None = None) -> Loan:
    """Take a copy back; it goes to the first waiting hold, or back on the shelf."""
    now = now or timezone.now()
    member, book, loan = _lock_open_loan(actor, loan_id)
    loan.returned_at = now
    loan.save(update_fields=["returned_at", "updated_at"])
    _pass_copy_on(book, now=now, actor=actor)
    _publish_to_member_and_librarians("loan.returned", _loan_payload(loan, book, member), member=member, actor=actor)
    return loan


@transaction.atomic
def renew_loan(*, actor: User, loan_id: int, now: datetime | None = None) -> Loan:
    """Extend the due date by the tier's period, if renewals are left, it is not too late and nobody waits."""
    now = now or timezone.now()
    member, book, loan = _lock_open_loan(actor, loan_id)
    tier = _valid_card(member, now.date()).tier
    if loan.renewals >= tier.max_renewals:
        raise RenewalRefusedError(
            f"This loan was renewed {loan.renewals} times, the most the {tier.name} tier allows; please return it."
        )
    if now > loan.due_at + timedelta(days=tier.renewal_grace_days):
        raise RenewalRefusedError(f"This loan was due on {loan.due_at:%Y-%m-%d}; it is too late to renew it.")
    if selectors.waiting_queue(book_id=book.pk).exists():
        raise RenewalRefusedError("Another member is waiting for this book, so it cannot be renewed; please return it.")
    loan.due_at += timedelta(days=tier.loan_period_days)
    loan.renewals += 1
    loan.save(update_fields=["due_at", "renewals", "updated_at"])
    return loan


@transaction.atomic
def reserve_book(
    *, actor: User, book_id: int, member_id: int | None = None, now: datetime | None = None
) -> Reservation:
    """Place a hold: ready at once when a copy is free (the copy is set aside), else waiting in line."""
    now = now or timezone.now()
    member = _lock_member(_acting_member_id(actor, member_id))
    book = _lock_book(book_id)
    tier = _valid_card(member, now.date()).tier
    active = Reservation.objects.filter(member=member, status__in=Reservation.ACTIVE_STATUSES)
    if active.filter(book=book).exists():
        raise AlreadyReservedError()
    held = active.count()
    if held >= tier.hold_limit:
        raise HoldLimitReachedError(
            f"{member.name} already has {held} active reservations; "
            f"the {tier.name} tier allows at most {tier.hold_limit}."
        )
    if Loan.objects.filter(member=member, book=book, returned_at__isnull=True).exists():
        raise AlreadyBorrowedError()
    reservation = Reservation(book=book, member=member, status=Reservation.Status.WAITING)
    try:
        with transaction.atomic():
            reservation.save()
    except IntegrityError as exc:
        raise AlreadyReservedError() from exc
    if _take_copy(book):
        _set_aside(reservation, now=now, actor=actor)
    return reservation


@transaction.atomic
def cancel_reservation(*, actor: User, reservation_id: int, now: datetime | None = None) -> Reservation:
    """Cancel a waiting or ready hold; a set-aside copy passes to the next in line."""
    now = now or timezone.now()
    seen = _visible_reservation(actor, reservation_id)
    _lock_member(seen.member_id, include_inactive=True)
    book = _lock_book(seen.book_id, include_inactive=True)
    reservation = _lock_reservation(reservation_id)
    if reservation.status not in Reservation.ACTIVE_STATUSES:
        raise ReservationClosedError(f"This reservation is already {reservation.status}.")
    was_ready = reservation.status == Reservation.Status.READY
    reservation.status = Reservation.Status.CANCELLED
    reservation.closed_at = now
    reservation.save(update_fields=["status", "closed_at", "updated_at"])
    if was_ready:
        _pass_copy_on(book, now=now, actor=actor)
    return reservation


def expire_reservations(*, now: datetime | None = None) -> int:
    """Ready holds not picked up in time expire; each copy passes to the next in line. Idempotent."""
    now = now or timezone.now()
    due = Reservation.objects.filter(status=Reservation.Status.READY, ready_until__lt=now).order_by("pk")
    expired = 0
    for reservation_id, member_id, book_id in due.values_list("pk", "member_id", "book_id"):
        with transaction.atomic():
            _lock_member(member_id, include_inactive=True)
            book = _lock_book(book_id, include_inactive=True)
            changed = Reservation.objects.filter(
                pk=reservation_id, status=Reservation.Status.READY, ready_until__lt=now
            ).update(status=Reservation.Status.EXPIRED, closed_at=now, updated_at=now)
            if changed:
                _pass_copy_on(book, now=now, actor=None)
                expired += 1
    logger.info("Expired %d reservation(s) not picked up", expired)
    return expired


# --- Reminders -----------------------------------------------------------------------------------


@dataclass
class ReminderReport:
    sent: int = 0
    already_sent: int = 0
    no_address: int = 0


def send_loan_reminders(*, now: datetime | None = None) -> ReminderReport:
    """E-mail members whose loans are due within two days or overdue: at most one e-mail per loan per day.

    The ``LoanReminder`` row (unique per loan and day) is written in the same
    transaction as the e-mail is handed over, so a second run the same day sends nothing.
    """
    now = now or timezone.now()
    today = now.date()
    report = ReminderReport()
    open_loans = Loan.objects.filter(returned_at__isnull=True).select_related("book", "member__user").order_by("pk")
    batches = (
        (LoanReminder.Kind.OVERDUE, open_loans.filter(due_at__lte=now)),
        (LoanReminder.Kind.DUE_SOON, open_loans.filter(due_at__gt=now, due_at__lte=now + DUE_SOON_WINDOW)),
    )
    for kind, loans in batches:
        for loan in loans.iterator():
            address = loan.member.contact_email
            if not address:
                report.no_address += 1
                continue
            try:
                with transaction.atomic():
                    LoanReminder.objects.create(loan=loan, kind=kind, sent_on=today)
                    _send_reminder_email(loan, kind, address, now)
                report.sent += 1
            except IntegrityError:
                report.already_sent += 1
    logger.info("Loan reminders: %s", report)
    return report


def _send_reminder_email(loan: Loan, kind: str, address: str, now: datetime) -> None:
    context = {
        "member": loan.member,
        "book": loan.book,
        "loan": loan,
        "days_overdue": max((now - loan.due_at).days, 0),
    }
    subject = render_to_string(f"library/email/{kind}_subject.txt", context).strip()
    body = render_to_string(f"library/email/{kind}.txt", context)
    send_mail(subject, body, None, [address])

"""The catalogue: authors, books and likes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from circulate.accounts.models import User
from circulate.audit import services as audit
from circulate.core.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from circulate.core.services import restore, soft_delete
from circulate.library import catalogue_cache, selectors
from circulate.library.errors import (
    CopiesOnLoanError,
    IsbnTakenError,
)
from circulate.library.isbn import normalize_isbn
from circulate.library.models import (
    Author,
    Book,
    Like,
    Loan,
    Reservation,
)
from circulate.library.search import search_text_for
from circulate.library.services._access import (
    lock_book,
    require_librarian,
)
from circulate.library.services._queue import serve_queue
from circulate.library.services.members import get_or_create_member_for_user
from circulate.realtime import audience
from circulate.realtime.services import publish

# The fields each audit entry compares (old → new).
BOOK_FIELDS = ("title", "isbn", "description", "year", "copies_total", "copies_available", "cover", "authors")


def _book_payload(book: Book) -> dict[str, Any]:
    return {
        "book_id": book.pk,
        "title": book.title,
        "isbn": book.isbn,
        "copies_total": book.copies_total,
        "copies_available": book.copies_available,
        "is_available": book.is_available,
    }


@audit.audited("library.author.create")
@transaction.atomic
def create_author(*, actor: User, name: str) -> Author:
    author = Author.objects.create(name=name.strip())
    audit.record("library.author.create", actor=actor, target=author, changes={"name": (None, author.name)})
    return author


def _search_text(title: str, authors: Iterable[Author]) -> str:
    return search_text_for(title, [author.name for author in authors if author.is_active])


def refresh_search_text(*, book_ids: Iterable[int]) -> None:
    """Rebuild the search column of these books from their title and active authors."""
    books = list(Book.all_objects.filter(pk__in=list(book_ids)).prefetch_related("authors"))
    for book in books:
        book.search_text = _search_text(book.title, book.authors.all())
    Book.all_objects.bulk_update(books, ["search_text"], batch_size=500)
    catalogue_cache.changed()  # what a search finds


def _refresh_books_of(author: Author) -> None:
    refresh_search_text(book_ids=Book.all_objects.filter(authors=author).values_list("pk", flat=True))


@audit.audited("library.author.update")
@transaction.atomic
def update_author(*, actor: User, author_id: int, name: str) -> Author:
    require_librarian(actor, "edit authors")
    author = Author.objects.select_for_update().filter(pk=author_id).first()
    if author is None:
        raise NotFoundError(f"No author with id {author_id}.")
    before = audit.snapshot(author, ("name",))
    author.name = name.strip()
    author.save(update_fields=["name", "updated_at"])
    audit.record("library.author.update", actor=actor, target=author, changes=audit.changes_since(before, author))
    _refresh_books_of(author)
    return author


@audit.audited("library.author.delete")
@transaction.atomic
def delete_author(*, actor: User, author_id: int) -> None:
    """Remove an author (soft delete); their books stay, without that name."""
    require_librarian(actor, "remove authors")
    author = Author.objects.filter(pk=author_id).first()
    if author is None:
        raise NotFoundError(f"No author with id {author_id}.")
    soft_delete(instance=author)
    audit.record("library.author.delete", actor=actor, target=author, changes={"is_active": (True, False)})
    _refresh_books_of(author)


@audit.audited("library.author.restore")
@transaction.atomic
def restore_author(*, actor: User, author_id: int) -> Author:
    require_librarian(actor, "restore authors")
    author = Author.all_objects.filter(pk=author_id).first()
    if author is None:
        raise NotFoundError(f"No author with id {author_id}.")
    was_active = author.is_active
    restore(instance=author)
    if not was_active:
        audit.record("library.author.restore", actor=actor, target=author, changes={"is_active": (False, True)})
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


@audit.audited("library.book.create")
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
    audit.record("library.book.create", actor=actor, target=book, changes=audit.created(book, BOOK_FIELDS))
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


@audit.audited("library.book.update")
@transaction.atomic
def update_book(*, actor: User, book_id: int, **changes: Unpack[BookChanges]) -> Book:
    """Edit a book (librarians, or the member who added it). New copies go to the holds queue first."""
    now = timezone.now()
    book = lock_book(book_id)
    _check_can_edit_book(actor, book, "edit")
    before = audit.snapshot(book, BOOK_FIELDS)
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
    audit.record("library.book.update", actor=actor, target=book, changes=audit.changes_since(before, book))
    if added_copies > 0:
        serve_queue(book, now=now, actor=actor)
    publish("book.updated", _book_payload(book), audience=audience.everyone(), actor=actor)
    return book


@audit.audited("library.book.delete")
@transaction.atomic
def delete_book(*, actor: User, book_id: int) -> None:
    """Remove a book from the catalogue (soft delete). Refused while copies are on loan."""
    now = timezone.now()
    book = lock_book(book_id)
    _check_can_edit_book(actor, book, "delete")
    on_loan = Loan.objects.filter(book=book, returned_at__isnull=True).count()
    if on_loan:
        raise CopiesOnLoanError(f"{on_loan} copies of “{book.title}” are on loan; take them back before removing it.")
    holds = Reservation.objects.filter(book=book, status__in=Reservation.ACTIVE_STATUSES)
    cancelled = sorted(holds.values_list("pk", flat=True))
    holds.update(status=Reservation.Status.CANCELLED, closed_at=now, updated_at=now)
    Book.objects.filter(pk=book.pk).update(copies_available=F("copies_total"))
    catalogue_cache.changed()
    soft_delete(instance=book)
    changes: dict[str, tuple[Any, Any]] = {"is_active": (True, False)}
    if cancelled:
        changes["reservations_cancelled"] = ([], cancelled)
    audit.record("library.book.delete", actor=actor, target=book, changes=changes)
    publish("book.deleted", {"book_id": book.pk, "title": book.title}, audience=audience.everyone(), actor=actor)


@audit.audited("library.book.like")
@transaction.atomic
def like_book(*, actor: User, book_id: int) -> Book:
    """Like a book (idempotent). The counter moves only when a like really appears.

    The book's row is locked before the like is written: the counter's update needs that lock
    anyway, and on MariaDB inserting the like first would take a shared lock on the book (the
    foreign key's check) that two likes at once could not both turn into the update's lock.
    """
    member = get_or_create_member_for_user(user=actor)
    book = lock_book(book_id)
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
        catalogue_cache.changed()
        audit.record("library.book.like", actor=actor, target=book, changes={"liked_by": (None, member.pk)})
    return book


@audit.audited("library.book.unlike")
@transaction.atomic
def unlike_book(*, actor: User, book_id: int) -> Book:
    """Take a like back (idempotent). Locks as ``like_book`` does: the member, then the book."""
    member = selectors.member_of(actor)
    book = lock_book(book_id)
    if member is not None:
        gone = Like.objects.filter(member=member, book=book).update(is_active=False, updated_at=timezone.now())
        if gone:
            Book.objects.filter(pk=book.pk, likes_count__gt=0).update(likes_count=F("likes_count") - 1)
            catalogue_cache.changed()
            audit.record("library.book.unlike", actor=actor, target=book, changes={"liked_by": (member.pk, None)})
    return book

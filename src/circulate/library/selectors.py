"""Reads shared by the API, the tasks and the services: who sees what, and list querysets.

Every list is built so that it runs a constant number of queries: foreign keys by
``select_related`` where a row shows the related object, authors by one prefetch, ``liked_by_me`` and a hold's queue
``position`` by correlated subqueries.
"""

from __future__ import annotations

from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Value,
    When,
)

from circulate.accounts.roles import LIBRARIAN
from circulate.core.permissions import UserLike, has_role
from circulate.library.models import Author, Book, Like, Loan, Member, MembershipCard, MembershipTier, Reservation


def is_librarian(user: UserLike | None) -> bool:
    return user is not None and has_role(user, LIBRARIAN)


def member_of(user: UserLike | None) -> Member | None:
    """The member record linked to ``user`` (active or not), if any."""
    if user is None or not user.is_authenticated:
        return None
    return Member.all_objects.filter(user_id=user.pk).first()


def authors() -> QuerySet[Author]:
    return Author.objects.all()


def books_for(*, user: UserLike | None) -> QuerySet[Book]:
    """The catalogue as ``user`` sees it, with ``liked_by_me`` annotated."""
    liked_by_me: Any
    if user is not None and user.is_authenticated:
        liked_by_me = Exists(Like.objects.filter(book_id=OuterRef("pk"), member__user_id=user.pk))
    else:
        liked_by_me = Value(False, output_field=BooleanField())
    # Only what the list shows: ``added_by`` is rendered as its id, and an author as id and name.
    authors = Author.objects.only("id", "name").order_by("name", "id")
    return Book.objects.prefetch_related(Prefetch("authors", queryset=authors)).annotate(liked_by_me=liked_by_me)


def tiers() -> QuerySet[MembershipTier]:
    return MembershipTier.objects.all()


def members_for(*, user: UserLike | None) -> QuerySet[Member]:
    """Librarians see every member; anyone else only their own record."""
    queryset = Member.objects.select_related("card__tier")
    if is_librarian(user):
        return queryset
    if user is None or not user.is_authenticated:
        return queryset.none()
    return queryset.filter(user_id=user.pk)


def active_card(*, member: Member) -> MembershipCard | None:
    return MembershipCard.objects.select_related("tier").filter(member=member).first()


def loans_for(*, user: UserLike | None) -> QuerySet[Loan]:
    """Librarians see every loan; a member only their own."""
    queryset = Loan.objects.select_related("book", "member__card__tier")
    if is_librarian(user):
        return queryset
    if user is None or not user.is_authenticated:
        return queryset.none()
    return queryset.filter(member__user_id=user.pk)


def waiting_queue(*, book_id: int) -> QuerySet[Reservation]:
    """Holds waiting for a book, first come first served."""
    return Reservation.objects.filter(book_id=book_id, status=Reservation.Status.WAITING).order_by("pk")


def reservations_for(*, user: UserLike | None) -> QuerySet[Reservation]:
    """Librarians see every reservation; a member only their own. Waiting ones carry their queue position."""
    ahead_or_same = (
        Reservation.objects.filter(
            book_id=OuterRef("book_id"), status=Reservation.Status.WAITING, pk__lte=OuterRef("pk")
        )
        .order_by()
        .values("book_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    queryset = Reservation.objects.select_related("book", "member").annotate(
        position=Case(
            When(status=Reservation.Status.WAITING, then=Subquery(ahead_or_same, output_field=IntegerField())),
            default=None,
            output_field=IntegerField(),
        )
    )
    if is_librarian(user):
        return queryset
    if user is None or not user.is_authenticated:
        return queryset.none()
    return queryset.filter(member__user_id=user.pk)

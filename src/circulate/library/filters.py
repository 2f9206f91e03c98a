"""Query-string filters of the library lists (django-filter): search, flags and ordering.

Each ``ordering`` choice maps to a column list ending in ``id`` so pages are stable,
and each one has an index (see ``models.Book.Meta.indexes``).
"""

from __future__ import annotations

import re
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone

from circulate.core.filters import IdFilter, flag_filter, ordering_filter
from circulate.library.isbn import normalize_isbn
from circulate.library.models import Author, Book, Loan, Member, Reservation
from circulate.library.search import order_matches, text_condition

_ISBN_LIKE = re.compile(r"\d{5,12}[\dX]?")


class IsbnField(forms.CharField):
    """An ISBN-10 or ISBN-13 in a query parameter, normalised to ISBN-13; anything else is a 400."""

    def clean(self, value: Any) -> str | None:
        value = super().clean(value)
        if not value:
            return None
        try:
            return normalize_isbn(value)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc


class IsbnFilter(django_filters.CharFilter):
    field_class = IsbnField


BOOK_ORDERINGS: dict[str, tuple[str, ...]] = {
    "title": ("title", "id"),
    "-title": ("-title", "-id"),
    "-created_at": ("-created_at", "-id"),
    "created_at": ("created_at", "id"),
    "-likes_count": ("-likes_count", "title", "id"),
    "likes_count": ("likes_count", "title", "id"),
    "year": ("year", "title", "id"),
    "-year": ("-year", "title", "id"),
}


def search_books(queryset: QuerySet[Book], value: str) -> QuerySet[Book]:
    """Books whose title and authors hold every word of ``value``; a number of five digits or more is an ISBN.

    An ISBN matches in full (ISBN-10 or -13, hyphens allowed) or as a prefix.
    """
    value = value.strip()
    if not value:
        return queryset
    digits = re.sub(r"[\s-]", "", value).upper()
    if not _ISBN_LIKE.fullmatch(digits):
        return queryset.filter(text_condition(value))
    try:
        return queryset.filter(isbn=normalize_isbn(digits))
    except ValidationError:
        return queryset.filter(isbn__startswith=digits)


class BookFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        method="filter_search", label="Search in the title, the authors' names and the ISBN (ISBN-10 or -13)."
    )
    available = flag_filter("filter_available", "true: at least one copy on the shelf; false: none.")
    author = IdFilter(field_name="authors", label="Only books by this author id.")
    added_by = IdFilter(field_name="added_by", label="Only books added by this user id.")
    isbn = IsbnFilter(
        field_name="isbn", label="The book with this ISBN-10 or ISBN-13 (hyphens allowed), e.g. from a scanner."
    )
    year = django_filters.NumberFilter(field_name="year")
    ordering = ordering_filter(BOOK_ORDERINGS, "Sort order (default: title).")

    class Meta:
        model = Book
        fields = ["search", "available", "author", "added_by", "isbn", "year", "ordering"]

    def filter_search(self, queryset: QuerySet[Book], name: str, value: str) -> QuerySet[Book]:
        return search_books(queryset, value)

    def filter_queryset(self, queryset: QuerySet[Book]) -> QuerySet[Book]:
        queryset = super().filter_queryset(queryset)
        if self.form.cleaned_data.get("search", "").strip():
            queryset = order_matches(queryset)
        return queryset

    def filter_available(self, queryset: QuerySet[Book], name: str, value: str) -> QuerySet[Book]:
        if not value:
            return queryset
        return queryset.filter(copies_available__gt=0) if value == "true" else queryset.filter(copies_available=0)


class AuthorFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Name contains.")
    ordering = ordering_filter(
        {"name": ("name", "id"), "-name": ("-name", "-id"), "-created_at": ("-created_at", "-id")},
        "Sort order (default: name).",
    )

    class Meta:
        model = Author
        fields = ["search", "ordering"]


class MemberFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label="Name, e-mail, phone or card number contains.")
    has_card = flag_filter("filter_has_card", "true: holds an active card.")
    card = django_filters.CharFilter(
        method="filter_card", label="The member holding the active card with this number (e.g. LIB-0123456789)."
    )
    ordering = ordering_filter(
        {"name": ("name", "id"), "-name": ("-name", "-id"), "-created_at": ("-created_at", "-id")},
        "Sort order (default: name).",
    )

    class Meta:
        model = Member
        fields = ["search", "has_card", "card", "ordering"]

    def filter_search(self, queryset: QuerySet[Member], name: str, value: str) -> QuerySet[Member]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value)
            | Q(email__icontains=value)
            | Q(phone__icontains=value)
            | Q(card__number__iexact=value, card__is_active=True)
        )

    def filter_card(self, queryset: QuerySet[Member], name: str, value: str) -> QuerySet[Member]:
        return queryset.filter(card__number__iexact=value.strip(), card__is_active=True)

    def filter_has_card(self, queryset: QuerySet[Member], name: str, value: str) -> QuerySet[Member]:
        if not value:
            return queryset
        with_card = Q(card__isnull=False, card__is_active=True)
        return queryset.filter(with_card) if value == "true" else queryset.exclude(with_card)


class MemberLoanFilter(django_filters.FilterSet):
    active = flag_filter("filter_active", "true: not returned yet; false: returned. Omit for all.")

    class Meta:
        model = Loan
        fields = ["active"]

    def filter_active(self, queryset: QuerySet[Loan], name: str, value: str) -> QuerySet[Loan]:
        if not value:
            return queryset
        return queryset.filter(returned_at__isnull=value == "true")


class LoanFilter(MemberLoanFilter):
    member = IdFilter(field_name="member")
    book = IdFilter(field_name="book")
    overdue = flag_filter("filter_overdue", "true: not returned and past the due date; false: the others.")
    ordering = ordering_filter(
        {
            "-issued_at": ("-issued_at", "-id"),
            "issued_at": ("issued_at", "id"),
            "due_at": ("due_at", "id"),
            "-due_at": ("-due_at", "-id"),
        },
        "Sort order (default: newest first).",
    )

    class Meta:
        model = Loan
        fields = ["member", "book", "active", "overdue", "ordering"]

    def filter_overdue(self, queryset: QuerySet[Loan], name: str, value: str) -> QuerySet[Loan]:
        if not value:
            return queryset
        overdue = Q(returned_at__isnull=True, due_at__lt=timezone.now())
        return queryset.filter(overdue) if value == "true" else queryset.exclude(overdue)


class ReservationFilter(django_filters.FilterSet):
    member = IdFilter(field_name="member")
    book = IdFilter(field_name="book")
    status = django_filters.MultipleChoiceFilter(choices=Reservation.Status.choices)
    active = flag_filter("filter_active", "true: waiting or ready.")
    ordering = ordering_filter(
        {"-created_at": ("-created_at", "-id"), "created_at": ("created_at", "id")},
        "Sort order (default: newest first).",
    )

    class Meta:
        model = Reservation
        fields = ["member", "book", "status", "active", "ordering"]

    def filter_active(self, queryset: QuerySet[Reservation], name: str, value: str) -> QuerySet[Reservation]:
        if not value:
            return queryset
        active = Q(status__in=Reservation.ACTIVE_STATUSES)
        return queryset.filter(active) if value == "true" else queryset.exclude(active)

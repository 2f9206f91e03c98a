"""Catalogue search: one upper-cased column of title and author names, matched word by word.

``Book.search_text`` is ``" " + "TITLE AUTHOR NAMES"`` in upper case. A search term
matches when each of its words is in that column: words of three letters or more
anywhere (``LIKE '%RIVER%'``), shorter words at the start of a word (``LIKE '% XU%'``).
On PostgreSQL both patterns are served by one trigram index on the column (the leading
space gives even a one- or two-letter word start a trigram), so no search scans the table.

Ordering the matches: when there are many, walking the index of the sort column finds
a page at once; when there are few, that walk may cross most of the table before it
meets twenty of them (PostgreSQL assumes matches are spread evenly, and titles are not),
so few matches are fetched through the search index and sorted instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.db import models
from django.db.models import ExpressionWrapper, F, Q, QuerySet, Value
from django.db.models.expressions import OrderBy
from django.db.models.functions import Concat

MAX_WORDS = 8
SHORT_WORD = 3
# Up to this many matches, sorting them is cheaper than walking an index in sort order.
SORT_MATCHES_UP_TO = 5_000


def search_text_for(title: str, author_names: Sequence[str]) -> str:
    return " " + " ".join([title, *author_names]).upper()


def text_condition(term: str) -> Q:
    """Every word of ``term`` (up to eight) must appear in the search column."""
    condition = Q()
    for word in term.upper().split()[:MAX_WORDS]:
        needle = word if len(word) >= SHORT_WORD else f" {word}"
        condition &= Q(search_text__contains=needle)
    return condition


def _without_index(model: type[models.Model], key: str) -> OrderBy:
    """The same sort order as ``key``, written so that no index can provide it."""
    name = key.lstrip("-")
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    expression: Any
    if isinstance(field, models.CharField | models.TextField):
        expression = Concat(F(name), Value(""), output_field=field)
    elif isinstance(field, models.DateTimeField):
        expression = ExpressionWrapper(F(name) + Value(timedelta(0)), output_field=field)
    else:
        expression = ExpressionWrapper(F(name) + 0, output_field=field)
    return expression.desc() if key.startswith("-") else expression.asc()


def order_matches(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Keep the requested order, choosing how the database gets there (see the module docstring)."""
    many = queryset.values("pk")[:SORT_MATCHES_UP_TO].count() >= SORT_MATCHES_UP_TO
    if many:
        return queryset
    keys = [key for key in (queryset.query.order_by or queryset.model._meta.ordering) if isinstance(key, str)]
    return queryset.order_by(*(_without_index(queryset.model, key) for key in keys))

"""Query-parameter filters shared by every domain."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet

# The largest value a BigAutoField (and SQLite's INTEGER) can hold.
MAX_ID = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    """A row id in a query parameter: a whole number the database can hold; anything else is a 400."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


FLAG_CHOICES = [("true", "true"), ("false", "false")]


def ordering_filter(choices: dict[str, tuple[str, ...]], help_text: str) -> django_filters.ChoiceFilter:
    """``ordering=<key>``: one of ``choices``, each mapped to a column list that ends in a unique column."""

    def apply(queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.order_by(*choices[value]) if value else queryset

    return django_filters.ChoiceFilter(
        choices=[(key, key) for key in choices], method=apply, label=help_text, empty_label=None
    )


def flag_filter(method: str, label: str) -> django_filters.ChoiceFilter:
    """A strict yes/no parameter: ``true`` or ``false``; anything else is a 400."""
    return django_filters.ChoiceFilter(choices=FLAG_CHOICES, method=method, label=label, empty_label=None)

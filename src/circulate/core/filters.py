"""Query-parameter filters shared by every domain."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms

# The largest value a BigAutoField (and SQLite's INTEGER) can hold.
MAX_ID = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    """A row id in a query parameter: a whole number the database can hold; anything else is a 400."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)

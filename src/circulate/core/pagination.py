"""Pagination: page numbers with a count for small tables, cursors for large ones.

``?page_size=`` takes a whole number from 1 to :data:`MAX_PAGE_SIZE`; anything else is a 400
naming ``page_size`` (a silent cut to the maximum would hide the limit from the client). A page
past the last, or a tampered cursor, is a 404.
"""

from __future__ import annotations

from typing import Any

from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
PAGE_SIZE_PARAM = "page_size"


def strict_page_size(request: Request, default: int, maximum: int) -> int:
    raw = request.query_params.get(PAGE_SIZE_PARAM)
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise ValidationError({PAGE_SIZE_PARAM: [f"A whole number from 1 to {maximum}."]})
    return int(raw)


def bounded(parameters: list[dict[str, Any]], default: int, maximum: int) -> list[dict[str, Any]]:
    """The pagination's query parameters as documented: ``page_size`` with its bounds."""
    for parameter in parameters:
        if parameter["name"] == PAGE_SIZE_PARAM:
            parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": maximum}
            parameter["description"] = f"Number of results per page, 1 to {maximum} (default {default})."
    return parameters


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = PAGE_SIZE_PARAM
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request: Request) -> int:
        return strict_page_size(request, self.page_size, self.max_page_size)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = bounded(super().get_schema_operation_parameters(view), self.page_size, self.max_page_size)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
        return parameters


class CursorPagination(pagination.CursorPagination):
    """For tables too large to count. Lists keep ``next``/``previous`` and ``results``."""

    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = PAGE_SIZE_PARAM
    max_page_size = MAX_PAGE_SIZE
    ordering = "-created_at"

    def get_page_size(self, request: Request) -> int:
        return strict_page_size(request, self.page_size, self.max_page_size)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return bounded(super().get_schema_operation_parameters(view), self.page_size, self.max_page_size)

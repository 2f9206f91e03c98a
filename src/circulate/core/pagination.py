"""Pagination: page numbers with a bounded count for the API lists, cursors for logs.

Counting every row on every page was most of a large list's time (issue 12: 11 to 15 ms of a
24 ms answer on 100,000 books). ``PageNumberPagination`` therefore counts exactly only up to
``PAGINATION_EXACT_COUNT_LIMIT`` rows (``SELECT count(*) FROM (... LIMIT n + 1)``, which stops
reading at the limit); above it, on PostgreSQL, it answers the planner's estimate of the
query's rows (one ``EXPLAIN``, no rows read) and says so with ``count_is_estimate: true``.
While the count is an estimate, a page's ``next`` link is decided by fetching one row more
than the page, not from the estimate, so a client walking ``next`` sees every row exactly
once whatever the estimate says; a page number past the real end answers the JSON 404.
Other databases (SQLite, MariaDB) count exactly: their embedded or small deployments do not
need the estimate, and their planners give no row estimate worth showing.

``?page_size=`` takes a whole number from 1 to :data:`MAX_PAGE_SIZE`; anything else is a 400
naming ``page_size`` (a silent cut to the maximum would hide the limit from the client). A page
past the last, or a tampered cursor, is a 404.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

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


def countable(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """The rows of ``queryset`` without what counting them does not need: its order and its
    annotated columns (a per-row subquery such as ``liked_by_me`` would otherwise run for
    every row counted). A ``DISTINCT`` query keeps its columns, which decide what is distinct."""
    queryset = queryset.order_by()
    return queryset if queryset.query.distinct else queryset.values("pk")


def planner_row_estimate(queryset: QuerySet[Any]) -> int | None:
    """PostgreSQL's estimate of how many rows ``queryset`` returns, without running it."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = countable(queryset).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        row = cursor.fetchone()
    plan = row[0] if row else None
    if isinstance(plan, str):
        plan = json.loads(plan)
    try:
        return int(plan[0]["Plan"]["Plan Rows"])  # type: ignore[index]
    except (TypeError, LookupError, ValueError):
        return None


class BoundedCountPage(Page):
    """A page that knows whether another follows without trusting an estimated count."""

    def __init__(self, object_list: Any, number: int, paginator: Paginator, more: bool | None = None) -> None:
        super().__init__(object_list, number, paginator)
        self._more = more

    def has_next(self) -> bool:
        return self._more if self._more is not None else super().has_next()


class BoundedCountPaginator(Paginator):
    """Django's paginator with ``count`` exact up to a limit and estimated above it."""

    count_is_estimate = False

    @property
    def exact_count_limit(self) -> int:
        return int(getattr(settings, "PAGINATION_EXACT_COUNT_LIMIT", 10_000))

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        limit = self.exact_count_limit
        if not isinstance(queryset, QuerySet) or connections[queryset.db].vendor != "postgresql" or limit <= 0:
            return super().count
        bounded = countable(queryset)[: limit + 1].count()
        if bounded <= limit:
            return bounded
        estimate = planner_row_estimate(queryset)
        if estimate is None:
            return super().count
        self.count_is_estimate = True
        return max(estimate, bounded)

    def validate_number(self, number: Any) -> int:
        if not self.count_is_estimate:
            return super().validate_number(number)
        # Past the estimate is not past the end; ``page`` finds out by reading.
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("That page number is not an integer") from None
        if number < 1:
            raise EmptyPage("That page number is less than 1")
        return number

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        if not self.count_is_estimate:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage("That page contains no results")
        return BoundedCountPage(rows[: self.per_page], number, self, more=len(rows) > self.per_page)


class PageNumberPagination(pagination.PageNumberPagination):
    django_paginator_class = BoundedCountPaginator
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

    def get_paginated_response(self, data: Any) -> Response:
        assert self.page is not None
        return Response(
            {
                "count": self.page.paginator.count,
                "count_is_estimate": bool(getattr(self.page.paginator, "count_is_estimate", False)),
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        response = super().get_paginated_response_schema(schema)
        properties = response["properties"]
        properties["count"]["description"] = (
            "How many rows the list holds: exact up to PAGINATION_EXACT_COUNT_LIMIT, "
            "PostgreSQL's estimate above it (then count_is_estimate is true)."
        )
        ordered = {"count": properties.pop("count")}
        ordered["count_is_estimate"] = {
            "type": "boolean",
            "example": False,
            "description": "True when count is the database planner's estimate rather than an exact count. "
            "Follow next to the end to see every row either way.",
        }
        ordered.update(properties)
        response["properties"] = ordered
        response["required"] = ["count", "count_is_estimate", "results"]
        return response


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

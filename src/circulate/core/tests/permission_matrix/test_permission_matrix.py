"""The permission matrix: every API operation, every kind of caller, run against real objects.

The rows are the ``*.yaml`` files beside this module (see ``matrix.py`` for their shape and
``world.py`` for the callers and objects). An operation of the OpenAPI schema (generated
from the URL configuration) without a row fails here, so a new endpoint cannot ship without
its permissions written down; so does a row for an operation that no longer exists.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from drf_spectacular.generators import SchemaGenerator

from circulate.core.tests.permission_matrix.matrix import Row, load_rows, run_cell
from circulate.core.tests.permission_matrix.world import CALLERS, OWNED_BY_MEMBER, build

pytestmark = pytest.mark.django_db

ROWS = load_rows()
METHODS = {"get", "post", "put", "patch", "delete"}


def schema_operations() -> set[str]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        f"{method.upper()} {path}" for path, item in schema["paths"].items() for method in item if method in METHODS
    }


def test_every_operation_of_the_api_has_a_row() -> None:
    # given every operation the URL configuration serves
    operations = schema_operations()
    # then each has its row, and no row names an operation that is gone
    assert sorted(operations - {row.operation for row in ROWS}) == [], "operations without a row in the matrix"
    assert sorted({row.operation for row in ROWS} - operations) == [], "rows for operations that do not exist"


def test_no_operation_has_two_rows() -> None:
    counts = Counter(row.operation for row in ROWS)
    assert [operation for operation, n in counts.items() if n > 1] == []


def test_every_row_gives_every_caller_an_answer() -> None:
    missing = [f"{row.operation}: {caller}" for row in ROWS for caller in CALLERS if not _has_cell(row, caller)]
    assert missing == []


def test_another_member_s_object_is_404_in_every_row() -> None:
    # the rule the rows must follow: what belongs to one member does not exist for another
    leaks = [row.operation for row in ROWS if row.object in OWNED_BY_MEMBER and row.status_for("other_member") != 404]
    assert leaks == []


def _has_cell(row: Row, caller: str) -> bool:
    return caller in row.expect or "*" in row.expect


def _ids_in(response: Any) -> set[int]:
    body = response.json()
    items = body["results"] if isinstance(body, dict) and "results" in body else body
    return {item["id"] for item in items}


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.operation)
def test_each_caller_gets_the_answer_of_the_matrix(row: Row, settings: Any) -> None:
    # given the world of callers and objects (a fast hasher: the users are made for every row)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    world = build()
    observed: dict[str, int] = {}
    seen_by: set[str] = set()
    # when each caller sends the row's request against the same objects (undone after each)
    for caller in CALLERS:
        cache.clear()  # throttles count per caller and address; each cell starts afresh
        savepoint = transaction.savepoint()
        response = run_cell(row, caller, world)
        observed[caller] = response.status_code
        if row.lists and response.status_code == 200 and world.objects[row.lists] in _ids_in(response):
            seen_by.add(caller)
        transaction.savepoint_rollback(savepoint)
    # then
    assert observed == {caller: row.status_for(caller) for caller in CALLERS}
    if row.lists:
        assert seen_by == set(row.visible_to), f"who sees {row.lists} in {row.operation}"

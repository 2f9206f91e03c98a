"""List pagination: exact counts up to a limit, PostgreSQL's estimate above it, and no row lost either way."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from circulate.accounts.tests.factories import UserFactory
from circulate.library.tests.factories import AuthorFactory, BookFactory

pytestmark = pytest.mark.django_db

BOOKS = "/api/library/books/"


def _walk(client: Any, url: str) -> list[dict[str, Any]]:
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        pages.append(response.json())
        url = pages[-1]["next"]
    return pages


def test_a_list_under_the_limit_counts_exactly(auth_client, settings) -> None:
    # given a limit above the list's size
    settings.PAGINATION_EXACT_COUNT_LIMIT = 10
    author = AuthorFactory()
    for _ in range(7):
        BookFactory(authors=[author])
    client = auth_client(UserFactory())
    # when
    body = client.get(BOOKS, {"page_size": 3}).json()
    # then
    assert body["count"] == 7
    assert body["count_is_estimate"] is False
    assert len(body["results"]) == 3
    assert client.get(BOOKS, {"page_size": 3, "page": 4}).status_code == 404


@pytest.mark.postgres
def test_above_the_limit_the_count_is_an_estimate_and_next_still_reaches_every_row(auth_client, settings) -> None:
    # given twelve books and a limit of five exact rows, with fresh planner statistics
    settings.PAGINATION_EXACT_COUNT_LIMIT = 5
    author = AuthorFactory()
    ids = {BookFactory(authors=[author]).pk for _ in range(12)}
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE library_book")
    client = auth_client(UserFactory())
    # when the client walks the list by its next links
    pages = _walk(client, f"{BOOKS}?page_size=5")
    # then the count is marked as an estimate, never below what was counted exactly
    assert all(page["count_is_estimate"] for page in pages)
    assert all(page["count"] > 5 for page in pages)
    # and every book comes exactly once, the last page saying there is no next
    seen = [book["id"] for page in pages for book in page["results"]]
    assert sorted(seen) == sorted(ids)
    assert [len(page["results"]) for page in pages] == [5, 5, 2]
    assert pages[-1]["next"] is None
    # and a page past the real end is the JSON 404, whatever the estimate says
    past = client.get(BOOKS, {"page_size": 5, "page": 4})
    assert past.status_code == 404
    assert past.json()["code"] == "not_found"


@pytest.mark.postgres
def test_an_estimated_count_reads_no_more_than_the_limit(auth_client, settings) -> None:
    # given more books than the limit
    settings.PAGINATION_EXACT_COUNT_LIMIT = 3
    author = AuthorFactory()
    for _ in range(8):
        BookFactory(authors=[author])
    client = auth_client(UserFactory())
    # when
    with CaptureQueriesContext(connection) as queries:
        response = client.get(BOOKS, {"page_size": 2})
    # then the count read at most limit + 1 rows, asked the planner for the rest, and no full COUNT ran
    sql = [query["sql"] for query in queries.captured_queries]
    assert response.json()["count_is_estimate"] is True
    assert any("LIMIT 4" in statement and "COUNT(*)" in statement.upper() for statement in sql), sql
    assert any(statement.startswith("EXPLAIN (FORMAT JSON)") for statement in sql), sql
    assert sum("COUNT(*)" in statement.upper() for statement in sql) == 1, sql


def test_the_schema_documents_whether_a_count_is_an_estimate(api_client) -> None:
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    page = schema["components"]["schemas"]["PaginatedBookList"]
    assert page["properties"]["count_is_estimate"]["type"] == "boolean"
    assert "count_is_estimate" in page["required"]

"""The two baselines of ``bench.http``, served only by the benchmark's URLconf (``bench.http_urls``).

*bare*: a constant 20-item JSON answer: no database, no authentication. What the server
stack costs by itself. *hand-written*: the same JSON as ``GET /api/library/books/``, written
by hand: the JWT checked and its user loaded, the count, one ``values()`` page with the
``liked_by_me`` subquery, one query for the authors, orjson. What a lean view over the same
data costs, so the API's own overhead shows as a ratio.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import orjson
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken

from circulate.library.models import Book, Like

BARE_ITEMS = [{"id": n, "title": f"Book {n}", "isbn": f"97800000000{n:02d}", "copies_available": 1} for n in range(20)]
FIELDS = (
    "id", "title", "isbn", "description", "year", "copies_total", "copies_available",
    "likes_count", "liked_by_me", "cover", "added_by", "created_at", "updated_at",
)  # fmt: skip


def bare(request: HttpRequest) -> HttpResponse:
    body = {"count": 20, "next": None, "previous": None, "results": BARE_ITEMS}
    return HttpResponse(orjson.dumps(body), content_type="application/json")


def hand_written_books(request: HttpRequest) -> HttpResponse:
    try:
        signed_in = JWTAuthentication().authenticate(request)  # type: ignore[arg-type]  # it reads only META
    except InvalidToken:
        signed_in = None
    if signed_in is None:
        return HttpResponse(status=401)
    user = signed_in[0]
    page = max(int(request.GET.get("page", "1")), 1)
    books = Book.objects.order_by("title", "id")
    count = books.count()
    liked = Exists(Like.objects.filter(book_id=OuterRef("pk"), member__user_id=user.pk))
    rows = list(books.annotate(liked_by_me=liked).values(*FIELDS)[(page - 1) * 20 : page * 20])
    authors: dict[int, list[dict[str, Any]]] = defaultdict(list)
    through = Book.authors.through.objects.filter(book_id__in=[row["id"] for row in rows])
    for book_id, author_id, name in through.values_list("book_id", "author_id", "author__name"):
        authors[book_id].append({"id": author_id, "name": name})
    for row in rows:
        row["authors"] = authors[row["id"]]
        row["is_available"] = row["copies_available"] > 0
        row["cover"] = row["cover"] or None
    body = {"count": count, "next": f"?page={page + 1}", "previous": None, "results": rows}
    return HttpResponse(orjson.dumps(body), content_type="application/json")

"""The catalogue's shared read cache: book pages and book details, kept once for every caller.

A page of the catalogue shows the same rows to everyone who asks for the same URL; only
``liked_by_me`` differs. Building it costs several queries and most of a request's time
(the count, the page, the authors, the SQL compilation), and on a 100,000-book catalogue the
searches cost tens of milliseconds at the database (README, "Performance"). So the list and
the detail endpoints keep their answer *without* ``liked_by_me`` under the catalogue's
generation (``core/read_cache.py``: how answers are kept and forgotten) and lay
``liked_by_me`` over it per caller with one small query (:func:`with_likes`).

What a book row shows changes with a book, its authors, its copies and its likes: the model
signals cover every ``save()``, ``delete()``, soft delete and restore of books, authors and
likes, and the services call :data:`CATALOGUE`'s ``changed()`` beside their conditional
``UPDATE`` statements (copies taken and returned, likes counted, search text rebuilt).
"""

from __future__ import annotations

from typing import Any

from circulate.core.permissions import UserLike
from circulate.core.read_cache import Generation
from circulate.library.models import Author, Book, Like

CATALOGUE = Generation("library:catalogue")
CATALOGUE.follow(Book, Author, Like, m2m=(Book.authors.through,))


def changed() -> None:
    """What a book row shows changed: forget the kept pages and details."""
    CATALOGUE.changed()


def shared(url: str, build: Any) -> Any:
    return CATALOGUE.shared(url, build)


def with_likes(rows: list[dict[str, Any]], user: UserLike | None) -> list[dict[str, Any]]:
    """``rows`` (serialised books) with ``liked_by_me`` for ``user``: one query for the whole page."""
    liked: set[int] = set()
    if user is not None and user.is_authenticated and rows:
        ids = [row["id"] for row in rows]
        liked = set(Like.objects.filter(member__user_id=user.pk, book_id__in=ids).values_list("book_id", flat=True))
    return [{**row, "liked_by_me": row["id"] in liked} for row in rows]

"""The catalogue's shared read cache: book pages and book details, kept once for every caller.

A page of the catalogue shows the same rows to everyone who asks for the same URL; only
``liked_by_me`` differs. Building it costs several queries and most of a request's time
(the count, the page, the authors, the SQL compilation), and on a 100,000-book catalogue the
searches cost tens of milliseconds at the database (README, "Performance"). So the list and
the detail endpoints keep their answer *without* ``liked_by_me`` under the catalogue's
generation (``core/read_cache.py``: how answers are kept and forgotten) and lay
``liked_by_me`` over it per caller from the ids of the books the caller likes, kept beside it
(:func:`shared_with_likes`).

What a book row shows changes with a book, its authors, its copies and its likes: the model
signals cover every ``save()``, ``delete()``, soft delete and restore of books, authors and
likes, and the services call :data:`CATALOGUE`'s ``changed()`` beside their conditional
``UPDATE`` statements (copies taken and returned, likes counted, search text rebuilt).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from circulate.core.permissions import UserLike
from circulate.core.read_cache import Generation, ReadAhead
from circulate.library.models import Author, Book, Like, Member

CATALOGUE = Generation("library:catalogue")
# A member's link to a user decides whose likes are whose, so members are followed too.
CATALOGUE.follow(Book, Author, Like, Member, m2m=(Book.authors.through,))


def changed() -> None:
    """What a book row shows changed: forget the kept pages and details."""
    CATALOGUE.changed()


def _likes_of(user_id: Any) -> str:
    return f"likes of user {user_id}"


def read_ahead(url: str, user_id: Any) -> list[tuple[Generation, list[str]]]:
    """What :func:`shared_with_likes` reads for this user: read with the user's own row when signing in."""
    return [(CATALOGUE, [url, _likes_of(user_id)])]


def shared_with_likes(
    url: str, build: Callable[[], Any], user: UserLike | None, read: ReadAhead | None = None
) -> tuple[Any, frozenset[int]]:
    """The answer for ``url`` as everyone sees it, and the ids of the books ``user`` likes.

    Both are kept under the catalogue's generation (every like and unlike replaces it: the
    counter moves), so a caller's likes cost no query while nothing changes; one read of the
    cache brings both, or none when ``read`` brought them with the caller's user row.
    """
    if user is None or not user.is_authenticated:
        return CATALOGUE.shared(url, build, read), frozenset()
    user_id = user.pk

    def likes() -> frozenset[int]:
        return frozenset(Like.objects.filter(member__user_id=user_id).values_list("book_id", flat=True))

    found = CATALOGUE.shared_many({url: build, _likes_of(user_id): likes}, read)
    return found[url], found[_likes_of(user_id)]


def with_likes(rows: list[dict[str, Any]], liked: frozenset[int]) -> list[dict[str, Any]]:
    """``rows`` (serialised books) with ``liked_by_me`` from the caller's liked book ids."""
    return [{**row, "liked_by_me": row["id"] in liked} for row in rows]

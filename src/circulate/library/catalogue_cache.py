"""The catalogue's shared read cache: book pages and book details, kept once for every caller.

A page of the catalogue shows the same rows to everyone who asks for the same URL; only
``liked_by_me`` differs. Building it costs several queries and most of a request's time
(the count, the page, the authors, the SQL compilation), and on a 100,000-book catalogue the
searches cost tens of milliseconds at the database (README, "Performance"). So the list and
the detail endpoints keep their answer *without* ``liked_by_me`` in the cache, keyed by the
request's absolute URL and the catalogue's **generation**, and lay ``liked_by_me`` over it per
caller with one small query (:func:`with_likes`).

Invalidation: whatever changes what a book row shows (a book, its authors, its copies, its
likes) calls :func:`changed`: through the model signals below for every ``save()``, ``delete()``,
soft delete and restore, and by hand beside the services' conditional ``UPDATE`` statements (copies taken
and returned, likes counted). ``changed`` replaces the generation at once, so the writer's own
next read is fresh, and again when the transaction commits, so a page that a concurrent
reader built from the rows before the commit is never served after it. Old generations are
simply never asked for again and expire.

``CATALOGUE_CACHE_SECONDS`` (default 30; 0 turns the cache off) bounds how long an answer is
kept, and so how long a change made outside the services (raw SQL, a bulk load, a
generation lost while Redis was unreachable) can go unseen. The cache fails soft: with Redis
down every read is built from the database, as without a cache.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from circulate.core.db import after_commit
from circulate.core.permissions import UserLike
from circulate.core.services import activity_changed
from circulate.library.models import Author, Book, Like

GENERATION_KEY = "library:catalogue:generation"


def seconds() -> int:
    return int(getattr(settings, "CATALOGUE_CACHE_SECONDS", 30))


def _new_generation() -> None:
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)


def changed() -> None:
    """The catalogue changed (or will when the current transaction commits): forget every kept answer."""
    _new_generation()
    after_commit(_new_generation)


def _generation() -> str:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        generation = cache.get(GENERATION_KEY)
    return str(generation)


def shared(url: str, build: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The answer for ``url`` as everyone sees it: from the cache, or ``build()`` and kept.

    ``build`` raising (a 400 for a bad filter, a 404) keeps nothing.
    """
    timeout = seconds()
    if timeout <= 0:
        return build()
    generation = _generation()
    key = "library:catalogue:" + hashlib.sha256(f"{generation} {url}".encode()).hexdigest()
    answer = cache.get(key)
    if answer is None:
        answer = build()
        # Only while the generation still stands: a page built across a change is not kept.
        if cache.get(GENERATION_KEY) == generation:
            cache.set(key, answer, timeout=timeout)
    return answer


def with_likes(rows: list[dict[str, Any]], user: UserLike | None) -> list[dict[str, Any]]:
    """``rows`` (serialised books) with ``liked_by_me`` for ``user``: one query for the whole page."""
    liked: set[int] = set()
    if user is not None and user.is_authenticated and rows:
        ids = [row["id"] for row in rows]
        liked = set(Like.objects.filter(member__user_id=user.pk, book_id__in=ids).values_list("book_id", flat=True))
    return [{**row, "liked_by_me": row["id"] in liked} for row in rows]


@receiver(post_save, sender=Book)
@receiver(post_delete, sender=Book)
@receiver(post_save, sender=Author)
@receiver(post_delete, sender=Author)
@receiver(post_save, sender=Like)
@receiver(post_delete, sender=Like)
@receiver(activity_changed, sender=Book)
@receiver(activity_changed, sender=Author)
@receiver(activity_changed, sender=Like)
def _row_saved(**kwargs: Any) -> None:
    changed()


@receiver(m2m_changed, sender=Book.authors.through)
def _authors_changed(action: str, **kwargs: Any) -> None:
    if action.startswith("post_"):
        changed()

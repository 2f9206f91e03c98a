"""Shared read caches: answers that every caller sees alike, kept until what they show changes.

A list or detail whose rows are the same for everyone who asks for the same URL (the library's
catalogue, the bike fleet) is kept in the cache under that URL with the **generation** of what it
shows. Whatever changes those rows calls :meth:`Generation.changed` (model signals for
``save()``, ``delete()``, soft delete and restore; by hand beside a service's conditional
``UPDATE``). That replaces the generation at once, so the writer's own next read is fresh, and
again when the transaction commits, so an answer a concurrent reader built from the rows
before the commit is never served after it. An answer built while the generation changed is
not kept. Each answer is kept with the generation it was built in and served only while that
generation stands; a kept answer and the generation come in one read of the cache.

``READ_CACHE_SECONDS`` (default 30 with Redis; 0 turns every shared read cache off, the default
without Redis, where each process's memory cache would miss the other processes' changes)
bounds how long an answer is kept, and so how long a change made outside the services (raw SQL,
a bulk load, a generation lost while Redis was unreachable) can go unseen. The cache fails soft: with Redis
down every read is built from the database, as without it.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save

from circulate.core.db import after_commit
from circulate.core.services import activity_changed

# A reader that misses an answer another reader is building waits for it up to this long, asking
# every BUILD_POLL_SECONDS; a builder's lock lapses after BUILD_LOCK_SECONDS should its process die.
BUILD_WAIT_SECONDS = 2.0
BUILD_POLL_SECONDS = 0.01
BUILD_LOCK_SECONDS = 10


def seconds() -> int:
    return int(getattr(settings, "READ_CACHE_SECONDS", 0))


class Generation:
    """The version of one set of rows (e.g. ``library:catalogue``) that shared answers are kept under."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.key = f"read-cache:{name}:generation"

    def _replace(self) -> None:
        cache.set(self.key, uuid.uuid4().hex, timeout=None)

    def changed(self) -> None:
        """The rows changed (or will when the current transaction commits): forget every kept answer."""
        self._replace()
        after_commit(self._replace)

    def current(self) -> str:
        generation = cache.get(self.key)
        if generation is None:
            cache.add(self.key, uuid.uuid4().hex, timeout=None)
            generation = cache.get(self.key)
        return str(generation)

    def keys(self, names: Iterable[str]) -> dict[str, str]:
        """The cache key of each name's answer."""
        return {name: f"read-cache:{self.name}:" + hashlib.sha256(name.encode()).hexdigest() for name in names}

    def shared(self, url: str, build: Callable[[], Any], read: ReadAhead | None = None) -> Any:
        """The answer for ``url`` as everyone sees it: from the cache, or ``build()`` and kept.

        ``build`` raising (a 400 for a bad filter, a 404) keeps nothing.
        """
        return self.shared_many({url: build}, read)[url]

    def shared_many(self, builders: dict[str, Callable[[], Any]], read: ReadAhead | None = None) -> dict[str, Any]:
        """:meth:`shared` for several names at once: one read of the cache brings the generation and the answers.

        Each answer is kept under its name with the generation it was built in, and served only
        while that is still the current generation: a kept answer costs one round trip, or none
        when ``read`` (a :class:`ReadAhead` of this request) already brought it. A missing
        answer is built once: the first reader to miss it builds it, and readers that miss it
        meanwhile wait for that build (:meth:`_wait_or_build`).
        """
        timeout = seconds()
        if timeout <= 0:
            return {name: build() for name, build in builders.items()}
        keys = self.keys(builders)
        wanted = [self.key, *keys.values()]
        found = read.found(wanted) if read is not None else None
        if found is None:
            found = cache.get_many(wanted)
        generation = found.get(self.key)
        if generation is None:
            generation = self.current()
        answers: dict[str, Any] = {}
        built: dict[str, Any] = {}
        locks: list[str] = []
        try:
            for name, build in builders.items():
                kept = found.get(keys[name])
                if kept is not None and kept[0] == generation:
                    answers[name] = kept[1]
                    continue
                answer, built_here = self._wait_or_build(keys[name], generation, build, locks)
                answers[name] = answer
                if built_here:
                    built[keys[name]] = (generation, answer)
            # Only while the generation still stands: an answer built across a change is not kept.
            if built and cache.get(self.key) == generation:
                cache.set_many(built, timeout=timeout)
        finally:
            if locks:
                cache.delete_many(locks)
        return answers

    def _wait_or_build(self, key: str, generation: str, build: Callable[[], Any], locks: list[str]) -> tuple[Any, bool]:
        """The missing answer under ``key``: built here (True), or by the reader already building it.

        The first reader takes a short lock and builds (``locks`` gets the lock, released once the
        answer is kept). The others wait for its answer, and build themselves when the lock goes
        without one (the build failed: a 404, a bad filter), when the generation moves on, or after
        :data:`BUILD_WAIT_SECONDS`. So a page that every reader misses at once (after a change, or
        when it expires) is built once, not once per reader.
        """
        lock = f"{key}:building"
        if cache.add(lock, generation, timeout=BUILD_LOCK_SECONDS):
            locks.append(lock)
            return build(), True
        deadline = time.monotonic() + BUILD_WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(BUILD_POLL_SECONDS)
            found = cache.get_many([self.key, key, lock])
            kept = found.get(key)
            if kept is not None and kept[0] == generation:
                return kept[1], False
            # The generation moved on, or no build of this generation is under way (it failed, or
            # the lock is an older generation's build): build here.
            if found.get(self.key) != generation or found.get(lock) != generation:
                break
        return build(), True

    def follow(self, *models: type[Model], m2m: tuple[Any, ...] = ()) -> None:
        """Forget the kept answers whenever a row of ``models`` (or an ``m2m`` through table) changes."""

        def row_changed(**kwargs: Any) -> None:
            self.changed()

        def relation_changed(action: str, **kwargs: Any) -> None:
            if action.startswith("post_"):
                self.changed()

        for model in models:
            for signal in (post_save, post_delete, activity_changed):
                uid = f"{self.name}:{model._meta.label}:{id(signal)}"
                signal.connect(row_changed, sender=model, weak=False, dispatch_uid=uid)
        for through in m2m:
            uid = f"{self.name}:{through._meta.label}"
            m2m_changed.connect(relation_changed, sender=through, weak=False, dispatch_uid=uid)


class ReadAhead:
    """Several generations' answers read from the cache in one round trip, for the reads that follow.

    A request that reads two shared caches (the token's user row, then the catalogue page it
    asked for) would wait for Redis twice. Where the later reads are known as soon as the first
    one is (``accounts.authentication``: the view names them, given the user), the first reader
    reads them all at once and hands this to the others (``read=`` of :meth:`Generation.shared`),
    which then find their generation and answers here instead of asking again. What was read
    is judged exactly as a read of the moment: an answer counts only with the generation read
    beside it. It lives as long as the request that made it; a read it does not cover asks the
    cache.
    """

    def __init__(self, wanted: Iterable[tuple[Generation, Iterable[str]]]) -> None:
        keys = [key for generation, names in wanted for key in (generation.key, *generation.keys(names).values())]
        self._read = frozenset(keys)
        self._found = cache.get_many(keys)

    @staticmethod
    def of(request: Any) -> ReadAhead | None:
        """What the request's authentication read ahead for its view (``accounts.authentication``), if anything."""
        return getattr(request, "read_ahead", None)

    def found(self, keys: list[str]) -> dict[str, Any] | None:
        """What the cache held under ``keys`` (as ``cache.get_many``), or None when they were not all read."""
        if not self._read.issuperset(keys):
            return None
        return {key: self._found[key] for key in keys if key in self._found}

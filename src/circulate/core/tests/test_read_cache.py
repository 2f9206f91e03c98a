"""Shared read caches: readers that miss the same answer at once wait for one build of it."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from unittest import mock

import pytest
from django.core.cache import caches

from circulate.core.read_cache import Generation, ReadAhead

READERS = 8


@pytest.fixture(autouse=True)
def _read_cache_on(settings: Any) -> None:
    """On, as with Redis (the PostgreSQL run uses the real Redis; the SQLite run the memory cache)."""
    settings.READ_CACHE_SECONDS = 30


def _together(read: Any) -> list[Any]:
    """``read()`` in READERS threads released at the same moment; their answers or exceptions."""
    barrier = threading.Barrier(READERS)

    def one(_: int) -> Any:
        barrier.wait()
        try:
            return read()
        except Exception as exc:
            return exc

    with ThreadPoolExecutor(READERS) as pool:
        return list(pool.map(one, range(READERS)))


def test_readers_that_miss_together_get_one_build() -> None:
    # given an answer nobody has read yet, whose build takes a while
    generation = Generation("test:one-build")
    builds: list[int] = []
    release = threading.Event()

    def build() -> dict[str, int]:
        builds.append(1)
        release.wait(timeout=0.5)  # long enough for every reader to miss and find the build under way
        return {"built": len(builds)}

    # when eight readers ask for it at once
    answers = _together(lambda: generation.shared("http://testserver/page", build))
    # then it was built once, and every reader got that build
    assert builds == [1]
    assert answers == [{"built": 1}] * READERS


def test_a_failed_build_lets_each_waiting_reader_build_for_itself() -> None:
    # given a build that fails (a 404, a bad filter): nothing is kept
    generation = Generation("test:failed-build")
    builds: list[int] = []

    def build() -> None:
        builds.append(1)
        raise LookupError("no such page")

    # when eight readers ask for it at once
    answers = _together(lambda: generation.shared("http://testserver/missing", build))
    # then each got the failure from a build of its own (none waited for an answer that never came)
    assert all(isinstance(answer, LookupError) for answer in answers)
    assert len(builds) == READERS


@pytest.mark.django_db(transaction=True)  # changed() also replaces the generation on commit
def test_a_reader_waiting_on_a_build_across_a_change_builds_from_the_new_rows() -> None:
    # given a first reader whose build sees the rows change while it runs
    generation = Generation("test:changed-build")
    building = threading.Event()
    rows = {"title": "old"}

    def build() -> dict[str, str]:
        if not building.is_set():
            answer = dict(rows)
            rows["title"] = "new"
            generation.changed()
            building.set()
            time.sleep(0.2)  # still building while the second reader misses and waits
            return answer
        return dict(rows)

    def second_reader() -> Any:
        building.wait(timeout=5)
        return generation.shared("http://testserver/book", build)

    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(generation.shared, "http://testserver/book", build)
        second = pool.submit(second_reader)
        # then the first reader has what it built, the second the new rows, and the old build was not kept
        assert first.result(timeout=10) == {"title": "old"}
        assert second.result(timeout=10) == {"title": "new"}
    assert generation.shared("http://testserver/book", lambda: {"title": "rebuilt"}) == {"title": "new"}


def test_answers_read_ahead_are_served_without_asking_the_cache_again() -> None:
    # given two generations, each with a kept answer, read ahead in one round trip
    users, pages = Generation("test:ahead-users"), Generation("test:ahead-pages")
    users.shared("user 1", lambda: "row of user 1")
    pages.shared("page 1", lambda: "page 1 as kept")
    read = ReadAhead([(users, ["user 1"]), (pages, ["page 1", "never kept"])])
    # when both are read with it
    with mock.patch.object(caches["default"], "get_many", wraps=caches["default"].get_many) as get_many:
        user = users.shared("user 1", lambda: "built again", read)
        page = pages.shared_many({"page 1": lambda: "built again", "never kept": lambda: "built now"}, read)
        # then the kept answers come from what was read ahead, a miss is built, and nothing is read twice
        assert get_many.call_count == 0
    assert (user, page) == ("row of user 1", {"page 1": "page 1 as kept", "never kept": "built now"})


def test_a_read_the_read_ahead_does_not_cover_asks_the_cache() -> None:
    pages = Generation("test:ahead-partial")
    pages.shared("page 2", lambda: "page 2 as kept")
    read = ReadAhead([(pages, ["page 1"])])
    assert read.found(list(pages.keys(["page 2"]).values())) is None
    assert pages.shared("page 2", lambda: "built again", read) == "page 2 as kept"


@pytest.mark.django_db  # changed() also replaces the generation when the transaction commits
def test_an_answer_read_ahead_counts_only_with_its_generation() -> None:
    # given an answer read ahead, then the rows change before it is used
    pages = Generation("test:ahead-changed")
    pages.shared("page 1", lambda: "before")
    read = ReadAhead([(pages, ["page 1"])])
    pages.changed()
    # then the answer is still judged with the generation read beside it (the read happened before
    # the change, as any read may), and the next read of the cache sees the change
    assert pages.shared("page 1", lambda: "after", read) == "before"
    assert pages.shared("page 1", lambda: "after") == "after"

"""Database helpers shared by every domain."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection, models, transaction


def after_commit(func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> None:
    """Call ``func(*args, **kwargs)`` once the current transaction commits; an error there is logged, not raised.

    For what must not undo or fail a committed write: sending an event, enqueueing a task.
    Not ``functools.partial``: Django names a failing robust callback by its ``__qualname__``,
    which a partial lacks, so the callback's error became an AttributeError and the request
    that had committed answered 500 (seen with the broker down).
    """

    def call() -> None:
        func(*args, **kwargs)

    call.__qualname__ = getattr(func, "__qualname__", repr(func))
    transaction.on_commit(call, robust=True)


def analyze(tables: Iterable[type[models.Model]]) -> None:
    """Refresh the planner's statistics of these tables after a bulk load.

    Without it PostgreSQL plans with the row counts it saw before the load (after 100,000
    books it expected 1,454 authors instead of 20,019 and hashed the whole author table to
    find one book's authors), so a benchmark run right after a load measures plans production
    would not use. Autovacuum gets there eventually; a bulk import should not wait for it.
    """
    statement = "ANALYZE TABLE {}" if connection.vendor == "mysql" else "ANALYZE {}"
    with connection.cursor() as cursor:
        for model in tables:
            cursor.execute(statement.format(connection.ops.quote_name(model._meta.db_table)))

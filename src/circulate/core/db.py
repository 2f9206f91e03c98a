"""Database helpers shared by every domain."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.db import connection, connections, models, transaction

_M = TypeVar("_M", bound=models.Model)


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


def lock_own_rows(queryset: models.QuerySet[_M]) -> models.QuerySet[_M]:
    """``select_for_update`` of the queryset's own rows only, where the database can say so.

    With ``select_related`` a plain ``select_for_update`` also locks the joined rows (the
    member, the book...). PostgreSQL can lock only the model's own rows (``of=("self",)``);
    MariaDB cannot (Django raises NotSupportedError), so there the joined rows are locked
    too. That only widens the lock: every service takes its locks in a fixed order, parent
    rows first, so the extra locks are ones the caller holds already or may wait for briefly.
    """
    if connections[queryset.db].features.has_select_for_update_of:
        return queryset.select_for_update(of=("self",))
    return queryset.select_for_update()


def lock_user(user_id: int) -> None:
    """Lock a user's row until the transaction ends: take it first, before inserting a row unique per user.

    Per-user rows (an idempotency key, a read cursor, a library member, a ride) are created by
    whichever request comes first; the others wait here, then find the row. On MariaDB this is
    also what keeps them from deadlocking: InnoDB checks a foreign key with a shared lock on the
    parent row and a duplicate key with a shared lock on the index entry, so two inserts of the
    same key that go on to update that row (or to lock the user) wait for each other's shared
    lock (error 1213). PostgreSQL's key-share locks do not meet that way. Where the database can,
    the lock is ``FOR NO KEY UPDATE``, which lets other requests go on inserting rows that point
    at this user (audit entries, events) while it is held.
    """
    no_key = connection.features.has_select_for_no_key_update
    get_user_model().objects.select_for_update(no_key=no_key).filter(pk=user_id).values_list("pk").first()


def analyze(tables: Iterable[type[models.Model]]) -> None:
    """Refresh the planner's statistics of these tables after a bulk load.

    Without it PostgreSQL plans with the row counts it saw before the load (after 100,000
    books it expected 1,454 authors instead of 20,019 and hashed the whole author table to
    find one book's authors), so a benchmark run right after a load measures plans production
    would not use. Autovacuum gets there eventually; a bulk import should not wait for it.

    On MariaDB/MySQL ``ANALYZE TABLE`` commits the open transaction, so inside one (an
    ``atomic`` block, a test) it is left out: the caller's work must not be committed halfway,
    and InnoDB recalculates a table's statistics by itself once a tenth of its rows changed.
    """
    if connection.vendor == "mysql" and connection.in_atomic_block:
        return
    statement = "ANALYZE TABLE {}" if connection.vendor == "mysql" else "ANALYZE {}"
    with connection.cursor() as cursor:
        for model in tables:
            cursor.execute(statement.format(connection.ops.quote_name(model._meta.db_table)))

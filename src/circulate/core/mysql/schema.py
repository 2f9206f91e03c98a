"""Partial unique constraints on MariaDB/MySQL, which have no ``CREATE UNIQUE INDEX ... WHERE``.

Django leaves a ``UniqueConstraint(condition=...)`` out on these databases (warning
``models.W036``), so the rule it states (one open loan per member and book, one active book
per ISBN...) would rest on the services alone. Here it is kept by the database instead: the
constraint becomes an invisible stored generated column that is 1 where the condition holds
and NULL elsewhere, and a unique index over the constraint's columns plus that one. NULLs
never collide in a unique index, so only the rows that meet the condition are compared, as in
PostgreSQL's partial index; a second such row is an IntegrityError, whoever writes it (a
service, the admin, raw SQL), and a concurrent insert waits on the index for the first.

A migration that renames or drops a column a condition reads must drop the constraint first
(MariaDB refuses to change a column a generated column depends on).
"""

from __future__ import annotations

from typing import Any

from django.db.backends.ddl_references import Columns, Statement, Table
from django.db.backends.mysql import schema
from django.db.models import Model


def switch_column(constraint_name: str) -> str:
    """The generated column of a partial unique constraint: 1 where its condition holds, else NULL."""
    return f"{constraint_name}_when"


class DatabaseSchemaEditor(schema.DatabaseSchemaEditor):
    sql_create_partial_unique = (
        "ALTER TABLE %(table)s ADD COLUMN %(switch)s tinyint GENERATED ALWAYS AS "
        "(CASE WHEN %(condition)s THEN 1 END) STORED INVISIBLE, "
        "ADD CONSTRAINT %(name)s UNIQUE (%(columns)s, %(switch)s)"
    )
    sql_delete_partial_unique = "ALTER TABLE %(table)s DROP INDEX %(name)s, DROP COLUMN %(switch)s"

    def quote_value(self, value: Any) -> str:
        if isinstance(value, bool):  # mysqlclient would write True as the byte 0x01
            return "1" if value else "0"
        return str(super().quote_value(value))

    def _django(self) -> Any:
        """Django's MySQL schema editor (its type stubs leave out the private methods overridden here)."""
        return super()

    def _unique_supported(
        self,
        condition: Any = None,
        deferrable: Any = None,
        include: Any = None,
        expressions: Any = None,
        nulls_distinct: Any = None,
    ) -> bool:
        # A condition is supported (below); the rest is as Django's MySQL backend says.
        return bool(
            self._django()._unique_supported(
                deferrable=deferrable, include=include, expressions=expressions, nulls_distinct=nulls_distinct
            )
        )

    def _partial_unique_supported(self, **kwargs: Any) -> bool:
        supported = ("deferrable", "include", "expressions", "nulls_distinct")
        return self._unique_supported(**{key: value for key, value in kwargs.items() if key in supported})

    def _create_unique_sql(
        self, model: type[Model], fields: Any, name: Any = None, condition: Any = None, **kwargs: Any
    ) -> Statement | None:
        if not condition:
            return self._django()._create_unique_sql(model, fields, name, **kwargs)
        if not self._partial_unique_supported(**kwargs):
            return None
        table = model._meta.db_table
        return Statement(
            self.sql_create_partial_unique,
            table=Table(table, self.quote_name),
            name=self.quote_name(name),
            columns=Columns(table, [field.column for field in fields], self.quote_name),
            switch=self.quote_name(switch_column(name)),
            condition=condition,
        )

    def _delete_unique_sql(
        self, model: type[Model], name: str, condition: Any = None, **kwargs: Any
    ) -> Statement | None:
        if not condition:
            return self._django()._delete_unique_sql(model, name, **kwargs)
        if not self._partial_unique_supported(**kwargs):
            return None
        return Statement(
            self.sql_delete_partial_unique,
            table=Table(model._meta.db_table, self.quote_name),
            name=self.quote_name(name),
            switch=self.quote_name(switch_column(name)),
        )

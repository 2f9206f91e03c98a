"""Monthly rollups of the sales, so the market overview reads a few thousand rows instead of every sale.

:class:`DealershipMonth` (cars, revenue, cost per dealership and UTC month), :class:`BuyerMonth`
(who bought in a month: unique buyers cannot be summed across months, so the overview counts the
distinct buyers of these rows) and :class:`SupplierMonth` (units, revenue per supplier and month).

They are kept by the transaction that records each sale (:func:`add_sales` in ``_sell``,
:func:`add_purchases` at the end of a restock) with one ``INSERT ... ON CONFLICT DO UPDATE``
that adds to the row: two cycles at once never lose an increment (the second waits for the
first's row). Rows are upserted in key order, so two transactions never lock them in opposite
orders. Migration 0002 filled them from the sales recorded before.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, models

from circulate.dealership.models import (
    BuyerMonth,
    DealershipMonth,
    DealershipSale,
    SupplierMonth,
    SupplierSale,
)


def month_of(at: datetime) -> date:
    """The first day of ``at``'s month in UTC (the statistics' time zone)."""
    return at.astimezone(UTC).date().replace(day=1)


def month_start(day: date) -> datetime:
    return datetime(day.year, day.month, 1, tzinfo=UTC)


def next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


# The key columns and the columns each upsert adds to, per rollup model.
COLUMNS: dict[type[models.Model], tuple[tuple[str, ...], tuple[str, ...]]] = {
    DealershipMonth: (("month", "dealership_id"), ("cars", "revenue", "cost")),
    BuyerMonth: (("month", "buyer_id"), ("cars",)),
    SupplierMonth: (("month", "supplier_id"), ("units", "revenue")),
}


def _upsert(model: type[models.Model], rows: dict[tuple[Any, ...], tuple[Any, ...]]) -> None:
    """Add each row's values to the stored row with the same key (or insert it), in key order."""
    if not rows:
        return
    q = connection.ops.quote_name
    key_columns, value_columns = COLUMNS[model]
    table = q(model._meta.db_table)
    columns = ", ".join(q(c) for c in [*key_columns, *value_columns])
    placeholders = "(" + ", ".join(["%s"] * (len(key_columns) + len(value_columns))) + ")"
    conflict = ", ".join(q(c) for c in key_columns)
    if connection.vendor == "mysql":  # MariaDB / MySQL: the unique key decides, the new row is VALUES()
        on_conflict = "ON DUPLICATE KEY UPDATE " + ", ".join(f"{q(c)} = {q(c)} + VALUES({q(c)})" for c in value_columns)
    else:  # PostgreSQL and SQLite
        updates = ", ".join(f"{q(c)} = {table}.{q(c)} + EXCLUDED.{q(c)}" for c in value_columns)
        on_conflict = f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
    params: list[Any] = []
    for key in sorted(rows):
        params.extend(key)
        params.extend(rows[key])
    # Table and column names come from the model; the values are parameters.
    values = ", ".join([placeholders] * len(rows))
    sql = f"INSERT INTO {table} ({columns}) VALUES {values} {on_conflict}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def add_sales(sales: Iterable[DealershipSale], *, batch: int = 2000) -> None:
    """Add recorded dealership sales to the dealership and buyer rollups (inside the sale's transaction)."""
    by_dealership: dict[tuple[Any, ...], list[Any]] = defaultdict(lambda: [0, Decimal(0), Decimal(0)])
    by_buyer: dict[tuple[Any, ...], list[Any]] = defaultdict(lambda: [0])
    for sale in sales:
        month = month_of(sale.sold_at)
        row = by_dealership[(month, sale.dealership_id)]
        row[0] += 1
        row[1] += sale.price
        row[2] += sale.unit_cost
        by_buyer[(month, sale.buyer_id)][0] += 1
    _upsert_in_batches(DealershipMonth, by_dealership, batch)
    _upsert_in_batches(BuyerMonth, by_buyer, batch)


def add_purchases(purchases: Iterable[SupplierSale], *, batch: int = 2000) -> None:
    """Add recorded supplier sales to the supplier rollup (inside the purchases' transaction)."""
    by_supplier: dict[tuple[Any, ...], list[Any]] = defaultdict(lambda: [0, Decimal(0)])
    for sale in purchases:
        row = by_supplier[(month_of(sale.sold_at), sale.supplier_id)]
        row[0] += sale.quantity
        row[1] += sale.total
    _upsert_in_batches(SupplierMonth, by_supplier, batch)


def _upsert_in_batches(model: type[models.Model], rows: dict[tuple[Any, ...], list[Any]], batch: int) -> None:
    ordered = sorted(rows)
    for first in range(0, len(ordered), batch):
        _upsert(model, {key: tuple(rows[key]) for key in ordered[first : first + batch]})

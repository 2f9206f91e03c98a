"""Shared checks: the monthly rollups equal a recomputation from the sales."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

from circulate.dealership.models import BuyerMonth, DealershipMonth, DealershipSale, SupplierMonth, SupplierSale


def _recomputed(model: Any, key: str, **sums: Any) -> set[tuple[Any, ...]]:
    rows = (
        model.objects.annotate(m=TruncMonth("sold_at", tzinfo=UTC))
        .values("m", key)
        .annotate(**sums)
        .values_list("m", key, *sums)
    )
    return {(row[0].date(), *row[1:]) for row in rows}


def assert_rollups_match_sales() -> None:
    assert set(DealershipMonth.objects.values_list("month", "dealership_id", "cars", "revenue", "cost")) == _recomputed(
        DealershipSale, "dealership_id", n=Count("id"), r=Sum("price"), c=Sum("unit_cost")
    )
    assert set(BuyerMonth.objects.values_list("month", "buyer_id", "cars")) == _recomputed(
        DealershipSale, "buyer_id", n=Count("id")
    )
    assert set(SupplierMonth.objects.values_list("month", "supplier_id", "units", "revenue")) == _recomputed(
        SupplierSale, "supplier_id", u=Sum("quantity"), r=Sum("total")
    )

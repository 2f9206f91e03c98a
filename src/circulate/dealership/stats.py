"""Statistics of the market: SQL aggregates over the trading records, a fixed number of queries each.

Every function takes a :class:`Period` (``from`` inclusive, ``to`` exclusive, either open)
that filters the sales by ``sold_at``; stock value is "now". Amounts are exact ``Decimal``
strings to the cent; an average is rounded half up to the cent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from circulate.dealership import rollup
from circulate.dealership.models import (
    CURRENCY,
    Buyer,
    BuyerMonth,
    Dealership,
    DealershipCar,
    DealershipMonth,
    DealershipSale,
    Offer,
    SupplierMonth,
    SupplierSale,
)
from circulate.dealership.pricing import ZERO, money

TOP = 5


@dataclass(frozen=True)
class Period:
    start: datetime | None = None
    end: datetime | None = None

    def q(self, field: str = "sold_at") -> Q:
        q = Q()
        if self.start is not None:
            q &= Q(**{f"{field}__gte": self.start})
        if self.end is not None:
            q &= Q(**{f"{field}__lt": self.end})
        return q

    def as_json(self) -> dict[str, str | None]:
        return {
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
        }


def _m(value: Decimal | None) -> str:
    return str(money(value or ZERO))


def _average(total: Decimal | None, count: int) -> str:
    return str(money((total or ZERO) / count)) if count else "0.00"


def _month(value: Any) -> str:
    return value.strftime("%Y-%m") if value is not None else ""


def _sale_totals(sales: QuerySet[DealershipSale]) -> dict[str, Any]:
    return sales.aggregate(
        cars=Count("id"),
        revenue=Sum("price"),
        cost=Sum("unit_cost"),
        buyers=Count("buyer", distinct=True),
        dealerships=Count("dealership", distinct=True),
    )


def _per_month(sales: QuerySet[DealershipSale]) -> list[dict[str, Any]]:
    rows = (
        sales.annotate(month=TruncMonth("sold_at"))
        .values("month")
        .annotate(cars=Count("id"), revenue=Sum("price"), cost=Sum("unit_cost"))
        .order_by("month")
    )
    return [
        {
            "month": _month(row["month"]),
            "cars": row["cars"],
            "revenue": _m(row["revenue"]),
            "profit": _m((row["revenue"] or ZERO) - (row["cost"] or ZERO)),
        }
        for row in rows
    ]


def _top_models(sales: QuerySet[DealershipSale]) -> list[dict[str, Any]]:
    rows = (
        sales.values("car_model_id", "car_model__make", "car_model__model", "car_model__year")
        .annotate(cars=Count("id"), revenue=Sum("price"))
        .order_by("-cars", "-revenue", "car_model_id")[:TOP]
    )
    return [
        {
            "car_model": row["car_model_id"],
            "name": f"{row['car_model__make']} {row['car_model__model']} {row['car_model__year']}",
            "cars": row["cars"],
            "revenue": _m(row["revenue"]),
        }
        for row in rows
    ]


def dealership_stats(*, dealership: Dealership, period: Period) -> dict[str, Any]:
    """Cars sold, revenue, cost of goods, profit, unique buyers, average price, top 5 models,
    sales per month, stock value now, purchases per supplier. Five queries.
    """
    sales = DealershipSale.objects.filter(period.q(), dealership=dealership)
    totals = _sale_totals(sales)
    revenue, cost = totals["revenue"] or ZERO, totals["cost"] or ZERO
    units_in_stock, cost_value, retail_value = 0, ZERO, ZERO
    for quantity, unit_cost, price in DealershipCar.objects.filter(dealership=dealership).values_list(
        "quantity", "unit_cost", "price"
    ):
        units_in_stock += quantity
        cost_value += quantity * unit_cost
        retail_value += quantity * price
    purchases = (
        SupplierSale.objects.filter(period.q(), dealership=dealership)
        .values("supplier_id", "supplier__name")
        .annotate(units=Sum("quantity"), spent=Sum("total"), saved=Sum("discount_total"), purchases=Count("id"))
        .order_by("-spent", "supplier_id")
    )
    return {
        "dealership": dealership.pk,
        "name": dealership.name,
        "currency": CURRENCY,
        "period": period.as_json(),
        "cars_sold": totals["cars"],
        "revenue": _m(revenue),
        "cost_of_goods": _m(cost),
        "profit": _m(revenue - cost),
        "unique_buyers": totals["buyers"],
        "average_sale_price": _average(revenue, totals["cars"]),
        "top_models": _top_models(sales),
        "sales_per_month": _per_month(sales),
        "stock": {"units": units_in_stock, "cost_value": _m(cost_value), "retail_value": _m(retail_value)},
        "purchases_per_supplier": [
            {
                "supplier": row["supplier_id"],
                "name": row["supplier__name"],
                "purchases": row["purchases"],
                "units": row["units"],
                "spent": _m(row["spent"]),
                "saved": _m(row["saved"]),
            }
            for row in purchases
        ],
    }


def buyer_stats(*, buyer: Buyer, period: Period) -> dict[str, Any]:
    """Cars bought, money spent, average price, purchases by make, offers by status. Three queries."""
    sales = DealershipSale.objects.filter(period.q(), buyer=buyer)
    totals = sales.aggregate(cars=Count("id"), spent=Sum("price"), saved=Sum("list_price"))
    by_make = (
        sales.values("car_model__make")
        .annotate(cars=Count("id"), spent=Sum("price"))
        .order_by("-cars", "car_model__make")
    )
    offers = dict(
        Offer.objects.filter(period.q("created_at"), buyer=buyer)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    spent = totals["spent"] or ZERO
    return {
        "buyer": buyer.pk,
        "currency": CURRENCY,
        "period": period.as_json(),
        "cars_bought": totals["cars"],
        "money_spent": _m(spent),
        "saved_by_promotions": _m((totals["saved"] or ZERO) - spent),
        "average_price": _average(spent, totals["cars"]),
        "by_make": [
            {"make": row["car_model__make"], "cars": row["cars"], "spent": _m(row["spent"])} for row in by_make
        ],
        "offers_by_status": {status: offers.get(status, 0) for status in Offer.Status.values},
    }


def supplier_stats(*, supplier_id: int, name: str, period: Period) -> dict[str, Any]:
    """Units sold, revenue, unique dealerships, discounts given, top models. Two queries."""
    sales = SupplierSale.objects.filter(period.q(), supplier_id=supplier_id)
    totals = sales.aggregate(
        sales=Count("id"),
        units=Sum("quantity"),
        revenue=Sum("total"),
        discounts=Sum("discount_total"),
        dealerships=Count("dealership", distinct=True),
    )
    top = (
        sales.values("car_model_id", "car_model__make", "car_model__model", "car_model__year")
        .annotate(units=Sum("quantity"), revenue=Sum("total"))
        .order_by("-units", "-revenue", "car_model_id")[:TOP]
    )
    return {
        "supplier": supplier_id,
        "name": name,
        "currency": CURRENCY,
        "period": period.as_json(),
        "sales": totals["sales"],
        "units_sold": totals["units"] or 0,
        "revenue": _m(totals["revenue"]),
        "unique_dealerships": totals["dealerships"],
        "discounts_given": _m(totals["discounts"]),
        "top_models": [
            {
                "car_model": row["car_model_id"],
                "name": f"{row['car_model__make']} {row['car_model__model']} {row['car_model__year']}",
                "units": row["units"],
                "revenue": _m(row["revenue"]),
            }
            for row in top
        ],
    }


@dataclass(frozen=True)
class _Split:
    """A period as whole UTC months read from the rollups, plus the partial edge days read from the sales."""

    months: Q | None  # the whole months (rollup rows), or None when there are none
    edges: Q | None  # the sales outside those months, or None when there are none


def _split(period: Period) -> _Split:
    start = period.start.astimezone(UTC) if period.start is not None else None
    end = period.end.astimezone(UTC) if period.end is not None else None
    first: date | None = None  # the first whole month
    if start is not None:
        first = rollup.month_of(start)
        if rollup.month_start(first) != start:
            first = rollup.next_month(first)
    last: date | None = rollup.month_of(end) if end is not None else None  # the month after the last whole one
    if first is not None and last is not None and first >= last:
        return _Split(months=None, edges=period.q())
    months, edges, has_edges = Q(), Q(), False
    if first is not None:
        months &= Q(month__gte=first)
        if start is not None and start < rollup.month_start(first):
            edges |= Q(sold_at__gte=start, sold_at__lt=rollup.month_start(first))
            has_edges = True
    if last is not None:
        months &= Q(month__lt=last)
        if end is not None and rollup.month_start(last) < end:
            edges |= Q(sold_at__gte=rollup.month_start(last), sold_at__lt=end)
            has_edges = True
    return _Split(months=months, edges=edges if has_edges else None)


def overview(*, period: Period) -> dict[str, Any]:
    """Market totals, sales per month, dealerships by profit, suppliers by revenue. At most six queries.

    The whole UTC months of the period come from the monthly rollups (:mod:`dealership.rollup`,
    a few thousand rows), the partial days at its edges from the sales (the ``sold_at`` index);
    the totals are summed from the per-dealership and per-supplier rows. Unique buyers cannot
    be summed across months: they are the buyers with a buyer-month row in the whole months or a
    sale at the edges (one query, an index probe or two per buyer).
    """
    split = _split(period)
    dealerships: dict[int, dict[str, Any]] = {}
    months: dict[str, dict[str, Any]] = {}

    def add_dealership(dealership_id: int, name: str, cars: int, revenue: Decimal | None, cost: Decimal | None) -> None:
        row = dealerships.setdefault(
            dealership_id, {"dealership": dealership_id, "name": name, "cars_sold": 0, "revenue": ZERO, "cost": ZERO}
        )
        row["cars_sold"] += cars
        row["revenue"] += revenue or ZERO
        row["cost"] += cost or ZERO

    def add_month(month: str, cars: int, revenue: Decimal | None, cost: Decimal | None) -> None:
        row = months.setdefault(month, {"month": month, "cars": 0, "revenue": ZERO, "cost": ZERO})
        row["cars"] += cars
        row["revenue"] += revenue or ZERO
        row["cost"] += cost or ZERO

    bought: Any = Q(pk__in=[])  # a buyer bought in the period: in a whole month's rows, or at its edges
    supplier_rows: list[dict[str, Any]] = []
    if split.months is not None:
        whole = DealershipMonth.objects.filter(split.months).order_by()
        for dealership_id, name, cars, revenue, cost in whole.values_list("dealership_id", "dealership__name").annotate(
            Sum("cars"), Sum("revenue"), Sum("cost")
        ):
            add_dealership(dealership_id, name, cars, revenue, cost)
        for month, cars, revenue, cost in whole.values_list("month").annotate(Sum("cars"), Sum("revenue"), Sum("cost")):
            add_month(_month(month), cars, revenue, cost)
        supplier_rows.extend(
            SupplierMonth.objects.filter(split.months)
            .values("supplier_id", "supplier__name")
            .annotate(units=Sum("units"), revenue=Sum("revenue"))
            .order_by()
        )
        bought |= Exists(BuyerMonth.objects.filter(split.months, buyer_id=OuterRef("pk")))
    if split.edges is not None:
        for row in (
            DealershipSale.objects.filter(split.edges)
            .annotate(month=TruncMonth("sold_at"))
            .values("dealership_id", "dealership__name", "month")
            .annotate(cars=Count("id"), revenue=Sum("price"), cost=Sum("unit_cost"))
            .values_list("dealership_id", "dealership__name", "month", "cars", "revenue", "cost")
            .order_by()
        ):
            add_dealership(row[0], row[1], row[3], row[4], row[5])
            add_month(_month(row[2]), row[3], row[4], row[5])
        supplier_rows.extend(
            SupplierSale.objects.filter(split.edges)
            .values("supplier_id", "supplier__name")
            .annotate(units=Sum("quantity"), revenue=Sum("total"))
            .order_by()
        )
        bought |= Exists(DealershipSale.objects.filter(split.edges, buyer_id=OuterRef("pk")))
    unique_buyers = Buyer.all_objects.filter(bought).count()
    suppliers: dict[int, dict[str, Any]] = {}
    for part in supplier_rows:
        seen = suppliers.setdefault(
            part["supplier_id"],
            {"supplier": part["supplier_id"], "name": part["supplier__name"], "units": 0, "revenue": ZERO},
        )
        seen["units"] += part["units"] or 0
        seen["revenue"] += part["revenue"] or ZERO
    cars = sum(row["cars_sold"] for row in dealerships.values())
    revenue = sum((row["revenue"] for row in dealerships.values()), ZERO)
    cost = sum((row["cost"] for row in dealerships.values()), ZERO)
    ranked = sorted(dealerships.values(), key=lambda row: (-(row["revenue"] - row["cost"]), row["dealership"]))
    by_revenue = sorted(suppliers.values(), key=lambda row: (-row["revenue"], row["supplier"]))
    return {
        "currency": CURRENCY,
        "period": period.as_json(),
        "cars_sold": cars,
        "revenue": _m(revenue),
        "profit": _m(revenue - cost),
        "unique_buyers": unique_buyers,
        "average_sale_price": _average(revenue, cars),
        "units_bought_from_suppliers": sum(row["units"] for row in by_revenue),
        "paid_to_suppliers": _m(sum((row["revenue"] for row in by_revenue), ZERO)),
        "sales_per_month": [
            {
                "month": row["month"],
                "cars": row["cars"],
                "revenue": _m(row["revenue"]),
                "profit": _m(row["revenue"] - row["cost"]),
            }
            for row in sorted(months.values(), key=lambda row: row["month"])
        ],
        "dealerships_by_profit": [
            {
                "dealership": row["dealership"],
                "name": row["name"],
                "cars_sold": row["cars_sold"],
                "revenue": _m(row["revenue"]),
                "profit": _m(row["revenue"] - row["cost"]),
            }
            for row in ranked
        ],
        "suppliers_by_revenue": [{**row, "revenue": _m(row["revenue"])} for row in by_revenue],
    }

"""Statistics of the market: SQL aggregates over the trading records, a fixed number of queries each.

Every function takes a :class:`Period` (``from`` inclusive, ``to`` exclusive, either open)
that filters the sales by ``sold_at``; stock value is "now". Amounts are exact ``Decimal``
strings to the cent; an average is rounded half up to the cent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from circulate.dealership.models import CURRENCY, Buyer, Dealership, DealershipCar, DealershipSale, Offer, SupplierSale
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


def overview(*, period: Period) -> dict[str, Any]:
    """Market totals, sales per month, dealerships by profit, suppliers by revenue. Four queries.

    The totals are summed from the per-dealership and per-supplier rows instead of scanning
    the sales once more; only the unique buyers need a query of their own.
    """
    sales = DealershipSale.objects.filter(period.q())
    purchases = SupplierSale.objects.filter(period.q())
    dealerships = list(
        sales.values("dealership_id", "dealership__name")
        .annotate(cars=Count("id"), revenue=Sum("price"), cost=Sum("unit_cost"))
        .order_by("dealership_id")
    )
    suppliers = list(
        purchases.values("supplier_id", "supplier__name")
        .annotate(units=Sum("quantity"), revenue=Sum("total"))
        .order_by("-revenue", "supplier_id")
    )
    unique_buyers = sales.aggregate(buyers=Count("buyer", distinct=True))["buyers"]
    cars = sum(row["cars"] for row in dealerships)
    revenue = sum((row["revenue"] or ZERO for row in dealerships), ZERO)
    cost = sum((row["cost"] or ZERO for row in dealerships), ZERO)
    ranked = sorted(
        (
            {
                "dealership": row["dealership_id"],
                "name": row["dealership__name"],
                "cars_sold": row["cars"],
                "revenue": row["revenue"] or ZERO,
                "profit": (row["revenue"] or ZERO) - (row["cost"] or ZERO),
            }
            for row in dealerships
        ),
        key=lambda row: (-row["profit"], row["dealership"]),
    )
    return {
        "currency": CURRENCY,
        "period": period.as_json(),
        "cars_sold": cars,
        "revenue": _m(revenue),
        "profit": _m(revenue - cost),
        "unique_buyers": unique_buyers,
        "average_sale_price": _average(revenue, cars),
        "units_bought_from_suppliers": sum(row["units"] or 0 for row in suppliers),
        "paid_to_suppliers": _m(sum((row["revenue"] or ZERO for row in suppliers), ZERO)),
        "sales_per_month": _per_month(sales),
        "dealerships_by_profit": [
            {**row, "revenue": _m(row["revenue"]), "profit": _m(row["profit"])} for row in ranked
        ],
        "suppliers_by_revenue": [
            {
                "supplier": row["supplier_id"],
                "name": row["supplier__name"],
                "units": row["units"],
                "revenue": _m(row["revenue"]),
            }
            for row in suppliers
        ],
    }

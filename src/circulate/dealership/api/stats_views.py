"""Statistics endpoints under /api/dealership/stats/: constant queries, exact decimals, ``?from=&to=``.

A dealership's people see its statistics, a buyer their own, the market's staff everything;
someone else's dealership or buyer is a 404. Supplier statistics and the market overview are
for the market's staff.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from circulate.core.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from circulate.core.read_cache import Generation, ReadAhead
from circulate.core.schema import response_example
from circulate.dealership import selectors, stats
from circulate.dealership.api.docs import errors
from circulate.dealership.models import Buyer, Dealership, Supplier
from circulate.dealership.stats_cache import SALES

PERIOD_PARAMETERS = [
    OpenApiParameter(
        "from", OpenApiTypes.STR, description="From this date or instant (ISO 8601, inclusive).", required=False
    ),
    OpenApiParameter(
        "to",
        OpenApiTypes.STR,
        description="Until this date (inclusive) or instant (exclusive), ISO 8601.",
        required=False,
    ),
]
STATS_RESPONSE = {200: OpenApiTypes.OBJECT, **errors(400, 404)}


def _instant(value: str, name: str, *, end: bool) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    day = parse_date(value)
    if day is not None:
        moment = datetime.combine(day + timedelta(days=1) if end else day, time.min)
    else:
        parsed = parse_datetime(value)
        if parsed is None:
            raise InvalidInputError(f"{name} must be an ISO date (2026-06-01) or date and time.", field=name)
        moment = parsed
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, UTC)


def period_of(request: Request) -> stats.Period:
    try:
        start = _instant(request.query_params.get("from", ""), "from", end=False)
        end = _instant(request.query_params.get("to", ""), "to", end=True)
    except ValueError:
        raise InvalidInputError("from and to must be real dates.", field="from") from None
    if start and end and end <= start:
        raise InvalidInputError("to must be after from.", field="to")
    return stats.Period(start, end)


def _kept_statistics(view: APIView, user_id: Any) -> list[tuple[Generation, list[str]]]:
    """The market's staff's statistics are kept (stats_cache): read them with the caller's user row."""
    return [(SALES, [view.request.build_absolute_uri()])]


class DealershipStatsView(APIView):
    @extend_schema(
        summary="A dealership's statistics (its people and the market's staff)",
        parameters=PERIOD_PARAMETERS,
        responses=STATS_RESPONSE,
        examples=[
            response_example(
                "Berlin",
                {
                    "dealership": 1,
                    "name": "Berlin Auto Haus",
                    "currency": "USD",
                    "period": {"from": "2026-01-01T00:00:00+00:00", "to": None},
                    "cars_sold": 42,
                    "revenue": "1061540.00",
                    "cost_of_goods": "899000.00",
                    "profit": "162540.00",
                    "unique_buyers": 17,
                    "average_sale_price": "25274.76",
                    "top_models": [{"car_model": 7, "name": "Toyota Corolla 2023", "cars": 12, "revenue": "304440.00"}],
                    "sales_per_month": [{"month": "2026-05", "cars": 9, "revenue": "228330.00", "profit": "34830.00"}],
                    "stock": {"units": 14, "cost_value": "301000.00", "retail_value": "355180.00"},
                    "purchases_per_supplier": [
                        {
                            "supplier": 2,
                            "name": "Nagoya Motors Export",
                            "purchases": 6,
                            "units": 30,
                            "spent": "640000.00",
                            "saved": "12000.00",
                        }
                    ],
                },
            )
        ],
    )
    def get(self, request: Request, pk: int) -> Response:
        dealership = Dealership.objects.filter(pk=pk).first()
        if dealership is None or not selectors.manages(request.user, dealership.pk):
            raise NotFoundError(f"No dealership with id {pk} of yours.")
        return Response(stats.dealership_stats(dealership=dealership, period=period_of(request)))


class BuyerStatsView(APIView):
    @extend_schema(
        summary="A buyer's statistics (the buyer and the market's staff)",
        parameters=PERIOD_PARAMETERS,
        responses=STATS_RESPONSE,
        examples=[
            response_example(
                "Alice",
                {
                    "buyer": 9,
                    "currency": "USD",
                    "period": {"from": None, "to": None},
                    "cars_bought": 2,
                    "money_spent": "48210.00",
                    "saved_by_promotions": "1903.00",
                    "average_price": "24105.00",
                    "by_make": [{"make": "Toyota", "cars": 2, "spent": "48210.00"}],
                    "offers_by_status": {"active": 1, "fulfilled": 2, "cancelled": 0},
                },
            )
        ],
    )
    def get(self, request: Request, pk: int) -> Response:
        buyer = Buyer.objects.filter(pk=pk).first()
        if buyer is None or not (buyer.user_id == request.user.pk or selectors.is_market_staff(request.user)):
            raise NotFoundError(f"No buyer with id {pk}.")
        return Response(stats.buyer_stats(buyer=buyer, period=period_of(request)))


def _require_staff(request: Request) -> None:
    if not selectors.is_market_staff(request.user):
        raise PermissionDeniedError("Only the market's staff see these statistics.")


class SupplierStatsView(APIView):
    read_ahead = _kept_statistics

    @extend_schema(
        summary="A supplier's statistics (the market's staff)",
        parameters=PERIOD_PARAMETERS,
        responses={200: OpenApiTypes.OBJECT, **errors(400, 403, 404)},
        examples=[
            response_example(
                "Nagoya",
                {
                    "supplier": 2,
                    "name": "Nagoya Motors Export",
                    "currency": "USD",
                    "period": {"from": None, "to": None},
                    "sales": 14,
                    "units_sold": 61,
                    "revenue": "1290500.00",
                    "unique_dealerships": 3,
                    "discounts_given": "21400.00",
                    "top_models": [
                        {"car_model": 7, "name": "Toyota Corolla 2023", "units": 30, "revenue": "640000.00"}
                    ],
                },
            )
        ],
    )
    def get(self, request: Request, pk: int) -> Response:
        _require_staff(request)
        period = period_of(request)

        def build() -> dict[str, Any]:
            supplier = Supplier.all_objects.filter(pk=pk).values_list("pk", "name").first()
            if supplier is None:
                raise NotFoundError(f"No supplier with id {pk}.")
            return stats.supplier_stats(supplier_id=supplier[0], name=supplier[1], period=period)

        return Response(SALES.shared(request.build_absolute_uri(), build, ReadAhead.of(request)))


class OverviewStatsView(APIView):
    read_ahead = _kept_statistics

    @extend_schema(
        summary="The market at a glance (the market's staff)",
        parameters=PERIOD_PARAMETERS,
        responses={200: OpenApiTypes.OBJECT, **errors(400, 403)},
    )
    def get(self, request: Request) -> Response:
        _require_staff(request)
        period = period_of(request)
        data = SALES.shared(request.build_absolute_uri(), lambda: stats.overview(period=period), ReadAhead.of(request))
        return Response(data)

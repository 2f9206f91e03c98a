"""What sellers ask right now: supplier and dealership discounts in force, quotes, wanted car models.

Reads only; the trading services call them under their locks, the API and the console to
show what an offer would cost.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from django.db.models import Sum
from django.utils import timezone

from circulate.dealership import selectors
from circulate.dealership.criteria import car_model_q, target_for
from circulate.dealership.models import (
    CarModel,
    Dealership,
    DealershipPromotion,
    Offer,
    SupplierCar,
    SupplierDiscount,
    SupplierSale,
)
from circulate.dealership.pricing import Quote, Terms, best_quote

# --- Terms in force ---------------------------------------------------------------------------------------


def _model_sets(through: Any, owner: str, ids: list[int]) -> dict[int, set[int]]:
    sets: dict[int, set[int]] = defaultdict(set)
    for owner_id, car_model_id in through.objects.filter(**{f"{owner}_id__in": ids}).values_list(
        f"{owner}_id", "carmodel_id"
    ):
        sets[owner_id].add(car_model_id)
    return sets


def supplier_terms(supplier_ids: list[int]) -> dict[int, list[Terms]]:
    """Every active discount of these suppliers, by supplier (two queries)."""
    rows = list(SupplierDiscount.objects.filter(supplier_id__in=supplier_ids))
    models = _model_sets(SupplierDiscount.car_models.through, "supplierdiscount", [row.pk for row in rows])
    terms: dict[int, list[Terms]] = defaultdict(list)
    for row in rows:
        covered = frozenset(models[row.pk]) if row.pk in models else None
        terms[row.supplier_id].append(
            Terms(row.pk, row.kind, row.percent, row.min_units, row.starts_at, row.ends_at, covered)
        )
    return terms


def promotion_terms(*, now: datetime, dealership_ids: list[int] | None = None) -> dict[int, list[Terms]]:
    """The dealership promotions running at ``now``, by dealership (two queries)."""
    rows_qs = selectors.active_promotions(now=now)
    if dealership_ids is not None:
        rows_qs = rows_qs.filter(dealership_id__in=dealership_ids)
    rows = list(rows_qs)
    models = _model_sets(DealershipPromotion.car_models.through, "dealershippromotion", [row.pk for row in rows])
    terms: dict[int, list[Terms]] = defaultdict(list)
    for row in rows:
        covered = frozenset(models[row.pk]) if row.pk in models else None
        terms[row.dealership_id].append(
            Terms(row.pk, "promotion", row.percent, None, row.starts_at, row.ends_at, covered)
        )
    return terms


def wanted_models(dealership: Dealership) -> dict[int, int]:
    """Car model id → units the dealership wants in stock.

    The models its ``target_stock`` names, and, when ``default_target`` is set, every active
    model matching its criteria (makes, body types, fuels, years...) with that target.
    """
    preferences: dict[str, Any] = dealership.preferences or {}
    named = {int(key) for key, units in (preferences.get("target_stock") or {}).items() if units > 0}
    ids = set(CarModel.objects.filter(pk__in=named).values_list("pk", flat=True)) if named else set()
    if preferences.get("default_target", 0) > 0:
        ids |= set(CarModel.objects.filter(car_model_q(preferences)).values_list("pk", flat=True))
    return {pk: units for pk in sorted(ids) if (units := target_for(preferences, pk)) > 0}


def supplier_quotes(*, dealership_id: int, car_model_ids: list[int], now: datetime) -> dict[int, list[Quote]]:
    """Car model id → what each supplier asks this dealership for one unit now (after its best discount)."""
    offers = list(
        SupplierCar.objects.filter(
            car_model_id__in=car_model_ids, supplier__is_active=True, car_model__is_active=True
        ).values_list("supplier_id", "car_model_id", "price")
    )
    supplier_ids = sorted({supplier_id for supplier_id, _, _ in offers})
    terms = supplier_terms(supplier_ids)
    bought = dict(
        SupplierSale.objects.filter(dealership_id=dealership_id, supplier_id__in=supplier_ids)
        .values_list("supplier_id")
        .annotate(units=Sum("quantity"))
        .values_list("supplier_id", "units")
    )
    quotes: dict[int, list[Quote]] = defaultdict(list)
    for supplier_id, car_model_id, price in offers:
        quotes[car_model_id].append(
            best_quote(
                seller_id=supplier_id,
                car_model_id=car_model_id,
                list_price=price,
                discounts=terms.get(supplier_id, []),
                units_bought=bought.get(supplier_id, 0),
                now=now,
            )
        )
    return quotes


def stock_quotes(*, offer: Offer, now: datetime, promotions: dict[int, list[Terms]]) -> list[tuple[Quote, int]]:
    """(quote, stock row id) for every in-stock car the offer wants, cheapest first (one query)."""
    rows = selectors.matching_stock(offer=offer).values_list("pk", "dealership_id", "car_model_id", "price")
    quotes = [
        (
            best_quote(
                seller_id=dealership_id,
                car_model_id=car_model_id,
                list_price=price,
                discounts=promotions.get(dealership_id, []),
                now=now,
            ),
            stock_id,
        )
        for stock_id, dealership_id, car_model_id, price in rows
    ]
    return sorted(quotes, key=lambda item: (item[0].unit_price, item[0].seller_id, item[1]))


def dealer_staff_serving(*, offer: Offer, now: datetime | None = None) -> list[int]:
    """Users working at a dealership that could serve the offer now (its price after promotions)."""
    now = now or timezone.now()
    quotes = stock_quotes(offer=offer, now=now, promotions=promotion_terms(now=now))
    dealership_ids = {quote.seller_id for quote, _ in quotes if quote.unit_price <= offer.max_price}
    if not dealership_ids:
        return []
    through = Dealership.staff.through.objects.filter(dealership_id__in=dealership_ids)
    return sorted(set(through.values_list("user_id", flat=True)))

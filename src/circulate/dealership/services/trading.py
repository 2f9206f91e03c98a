"""The two trading cycles Celery Beat runs, and the staff endpoint runs on demand.

**Restock** (:func:`restock`, every 10 minutes): each active dealership, for each car model
its preferences want (:func:`wanted_models`) with stock below target, buys from the supplier
whose effective unit price is the lowest now: the supplier's price less its best applicable
discount (loyalty: this dealership already bought ``min_units`` from that supplier; a
promotion: now is within its dates). It buys as many units as reach the target and as the
balance covers, at most ``price_max`` a unit, records a :class:`SupplierSale` and sets the
stock's price from its average unit cost and the dealership's markup. One dealership is one
transaction under its row lock, so two cycles at once never buy past the target or the balance.

**Match** (:func:`match_offers`, every minute): active offers oldest first; for each, the
cheapest in-stock matching car across dealerships after their promotions, within the offer's
``max_price`` and the buyer's balance. A sale locks the buyer, the offer, the dealership and
the stock row in that order, re-checks them, decrements the stock and the buyer's balance
with conditional updates, credits the dealership, records a :class:`DealershipSale` (one per
offer: a unique key) and marks the offer fulfilled. When the chosen car went meanwhile, the
attempt rolls back (releasing its locks) and the offer is tried again with fresh candidates.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import DatabaseError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from circulate.audit import services as audit
from circulate.dealership import rollup, stock_cache
from circulate.dealership.models import (
    Buyer,
    Dealership,
    DealershipCar,
    DealershipSale,
    Offer,
    SupplierSale,
)
from circulate.dealership.pricing import Terms, average_cost, best_quote, cheapest, with_markup
from circulate.dealership.quotes import promotion_terms, stock_quotes, supplier_quotes, wanted_models
from circulate.dealership.services._common import (
    lock_buyer,
    lock_offer,
    lock_stock,
    publish_to_users,
    require_market_staff,
    staff_ids,
)

logger = logging.getLogger(__name__)

MATCH_ATTEMPTS = 5


@dataclass
class TradingReport:
    """What one run bought from suppliers and sold to buyers."""

    purchases: list[SupplierSale] = field(default_factory=list)
    sales: list[DealershipSale] = field(default_factory=list)


# --- Restock ---------------------------------------------------------------------------------------------------


def _add_to_stock(dealership: Dealership, car_model_id: int, quantity: int, unit_price: Decimal) -> DealershipCar:
    row = DealershipCar.objects.select_for_update().filter(dealership=dealership, car_model_id=car_model_id).first()
    if row is None:
        cost = average_cost(0, Decimal(0), quantity, unit_price)
        return DealershipCar.objects.create(
            dealership=dealership,
            car_model_id=car_model_id,
            quantity=quantity,
            unit_cost=cost,
            price=with_markup(cost, dealership.markup_percent),
        )
    cost = average_cost(row.quantity, row.unit_cost, quantity, unit_price)
    price = with_markup(cost, dealership.markup_percent)
    DealershipCar.objects.filter(pk=row.pk).update(quantity=F("quantity") + quantity, unit_cost=cost, price=price)
    stock_cache.changed()
    row.refresh_from_db(fields=["quantity", "unit_cost", "price"])
    return row


@audit.audited("dealership.supplier_sale.create")
def restock_dealership(*, dealership_id: int, now: datetime | None = None) -> list[SupplierSale]:
    """One dealership's restock (one transaction under its row lock); see the module's docstring."""
    now = now or timezone.now()
    with transaction.atomic():
        dealership = Dealership.objects.select_for_update().filter(pk=dealership_id, is_active=True).first()
        if dealership is None:
            return []
        wanted = wanted_models(dealership)
        have = dict(
            DealershipCar.objects.filter(dealership=dealership, car_model_id__in=wanted).values_list(
                "car_model_id", "quantity"
            )
        )
        needs = {pk: target - have.get(pk, 0) for pk, target in wanted.items() if target > have.get(pk, 0)}
        if not needs:
            return []
        price_max_text = (dealership.preferences or {}).get("price_max")
        price_max = Decimal(price_max_text) if price_max_text else None
        quotes = supplier_quotes(dealership_id=dealership.pk, car_model_ids=sorted(needs), now=now)
        balance = dealership.balance
        purchases: list[SupplierSale] = []
        for car_model_id, need in needs.items():
            affordable = [q for q in quotes.get(car_model_id, []) if price_max is None or q.unit_price <= price_max]
            quote = cheapest(affordable)
            if quote is None or quote.unit_price <= 0:
                continue
            quantity = min(need, int(balance // quote.unit_price))
            if quantity <= 0:
                continue
            total = quote.unit_price * quantity
            paid = Dealership.objects.filter(pk=dealership.pk, balance__gte=total).update(
                balance=F("balance") - total, updated_at=now
            )
            if not paid:  # cannot happen under the row lock; the check constraint would refuse it anyway
                continue
            balance -= total
            stock = _add_to_stock(dealership, car_model_id, quantity, quote.unit_price)
            sale = SupplierSale.objects.create(
                supplier_id=quote.seller_id,
                dealership=dealership,
                car_model_id=car_model_id,
                discount_id=quote.discount_id,
                quantity=quantity,
                list_price=quote.list_price,
                discount_percent=quote.percent,
                unit_price=quote.unit_price,
                discount_total=(quote.list_price - quote.unit_price) * quantity,
                total=total,
                sold_at=now,
            )
            audit.record(
                "dealership.supplier_sale.create",
                actor=None,
                target=sale,
                changes={
                    "quantity": (None, quantity),
                    "unit_price": (None, quote.unit_price),
                    "total": (None, total),
                    "stock": (stock.quantity - quantity, stock.quantity),
                },
            )
            purchases.append(sale)
        if purchases:
            rollup.add_purchases(purchases)  # the monthly rollup, in this transaction (rows in key order)
            payload = {
                "dealership_id": dealership.pk,
                "purchases": [
                    {"car_model_id": s.car_model_id, "supplier_id": s.supplier_id, "quantity": s.quantity}
                    for s in purchases
                ],
                "spent": str(sum((s.total for s in purchases), Decimal(0))),
                "balance": str(balance),
            }
            publish_to_users("dealership.restocked", payload, staff_ids(dealership.pk), actor=None)
    return purchases


@audit.audited("dealership.supplier_sale.create")
def restock(*, now: datetime | None = None) -> list[SupplierSale]:
    """Restock every active dealership, one transaction each (the Beat job ``dealership.restock``)."""
    purchases: list[SupplierSale] = []
    for dealership_id in Dealership.objects.order_by("pk").values_list("pk", flat=True):
        try:
            purchases.extend(restock_dealership(dealership_id=dealership_id, now=now))
        except DatabaseError:  # one dealership's failure (a lock timeout) must not stop the others
            logger.exception("restocking dealership %s failed", dealership_id)
    return purchases


# --- Match ---------------------------------------------------------------------------------------------------


class _RetryError(Exception):
    """The chosen car went between the look and the lock: roll back (releasing the locks) and look again."""


def _sell(offer_id: int, now: datetime, promotions: dict[int, list[Terms]]) -> DealershipSale | None:
    buyer_id = Offer.objects.filter(pk=offer_id).values_list("buyer_id", flat=True).first()
    if buyer_id is None:
        return None
    buyer = lock_buyer(buyer_id)
    offer = lock_offer(offer_id)
    if offer.status != Offer.Status.ACTIVE or not offer.is_active or not buyer.is_active:
        return None
    limit = min(offer.max_price, buyer.balance)
    candidates = [(q, stock_id) for q, stock_id in stock_quotes(offer=offer, now=now, promotions=promotions)]
    candidates = [(q, stock_id) for q, stock_id in candidates if q.unit_price <= limit]
    if not candidates:
        return None
    quote, stock_id = candidates[0]
    dealership = Dealership.objects.select_for_update().filter(pk=quote.seller_id, is_active=True).first()
    stock = lock_stock(stock_id)
    if dealership is None or stock.quantity <= 0 or not stock.is_active:
        raise _RetryError
    # The price may have changed since the look (a new markup): quote again under the locks.
    quote = best_quote(
        seller_id=dealership.pk,
        car_model_id=stock.car_model_id,
        list_price=stock.price,
        discounts=promotions.get(dealership.pk, []),
        now=now,
    )
    if quote.unit_price > limit:
        raise _RetryError
    price = quote.unit_price
    taken = DealershipCar.objects.filter(pk=stock.pk, quantity__gt=0).update(quantity=F("quantity") - 1)
    paid = Buyer.objects.filter(pk=buyer.pk, balance__gte=price).update(balance=F("balance") - price, updated_at=now)
    if not (taken and paid):  # cannot happen under the locks; never sell without both
        raise _RetryError
    stock_cache.changed()
    Dealership.objects.filter(pk=dealership.pk).update(balance=F("balance") + price, updated_at=now)
    sale = DealershipSale.objects.create(
        dealership=dealership,
        buyer=buyer,
        offer=offer,
        car_model_id=stock.car_model_id,
        promotion_id=quote.discount_id,
        list_price=quote.list_price,
        discount_percent=quote.percent,
        price=price,
        unit_cost=stock.unit_cost,
        sold_at=now,
    )
    rollup.add_sales([sale])  # the monthly rollup, in this transaction (under the buyer and dealership locks)
    fulfilled = Offer.objects.filter(pk=offer.pk, status=Offer.Status.ACTIVE).update(
        status=Offer.Status.FULFILLED, fulfilled_at=now, updated_at=now
    )
    if not fulfilled:
        raise _RetryError
    audit.record(
        "dealership.sale.create",
        actor=None,
        target=sale,
        changes={
            "offer": (None, offer.pk),
            "price": (None, price),
            "stock": (stock.quantity, stock.quantity - 1),
            "buyer_balance": (buyer.balance, buyer.balance - price),
        },
    )
    payload = {
        "sale_id": sale.pk,
        "offer_id": offer.pk,
        "dealership_id": dealership.pk,
        "dealership_name": dealership.name,
        "car_model_id": stock.car_model_id,
        "price": str(price),
        "discount_percent": str(quote.percent),
        "sold_at": now.isoformat(),
    }
    publish_to_users("offer.fulfilled", payload, [buyer.user_id, *staff_ids(dealership.pk)], actor=None)
    return sale


@audit.audited("dealership.sale.create")
def match_offer(
    *, offer_id: int, now: datetime | None = None, promotions: dict[int, list[Terms]] | None = None
) -> DealershipSale | None:
    """Sell one offer the cheapest matching car it can pay for, or nothing; see the module's docstring."""
    now = now or timezone.now()
    terms = promotion_terms(now=now) if promotions is None else promotions
    for _ in range(MATCH_ATTEMPTS):
        try:
            with transaction.atomic():
                return _sell(offer_id, now, terms)
        except _RetryError:
            continue
    return None


def _may_be_served(promotions: dict[int, list[Terms]]) -> Q:
    """Offers some stock could serve: a cheap pre-check so the loop skips offers nothing can serve.

    Only offers for a car model are checked (criteria offers always go to the loop): some
    active stock of that model must ask no more than the offer's ``max_price`` allows after
    the largest promotion running anywhere (plus a cent for rounding). It never skips an
    offer the loop could sell: the loop's price is at least the stock price less that promotion.
    """
    best = max((terms.percent for all_terms in promotions.values() for terms in all_terms), default=Decimal(0))
    factor = Decimal(100) / (Decimal(100) - best)
    in_reach = DealershipCar.objects.filter(
        car_model_id=OuterRef("car_model_id"),
        quantity__gt=0,
        dealership__is_active=True,
        price__lte=(OuterRef("max_price") + Decimal("0.01")) * factor,
    )
    return Q(car_model__isnull=True) | Q(Exists(in_reach))


@audit.audited("dealership.sale.create")
def match_offers(*, now: datetime | None = None, limit: int | None = None) -> list[DealershipSale]:
    """Try every active offer, oldest first, each in its own transaction (the Beat job ``dealership.match_offers``).

    Offers of buyers with an empty balance are skipped: they cannot pay for anything.
    """
    now = now or timezone.now()
    promotions = promotion_terms(now=now)
    queue = Offer.objects.filter(status=Offer.Status.ACTIVE, buyer__is_active=True, buyer__balance__gt=0)
    queue = queue.filter(_may_be_served(promotions))
    ids = list(queue.order_by("created_at", "pk").values_list("pk", flat=True)[:limit])
    sales: list[DealershipSale] = []
    for offer_id in ids:
        try:
            sale = match_offer(offer_id=offer_id, now=now, promotions=promotions)
        except DatabaseError:  # a deadlock or lock timeout on one offer must not stop the cycle
            logger.exception("matching offer %s failed", offer_id)
            continue
        if sale is not None:
            sales.append(sale)
    return sales


@audit.audited("dealership.supplier_sale.create", "dealership.sale.create")
def run_trading(*, actor: Any, now: datetime | None = None) -> TradingReport:
    """Staff: one restock cycle, then one match cycle, now (``POST /api/dealership/trading/run/``)."""
    require_market_staff(actor, "run trading")
    purchases = restock(now=now)
    sales = match_offers(now=now)
    return TradingReport(purchases=purchases, sales=sales)

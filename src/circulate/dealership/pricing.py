"""Price arithmetic of the market, as pure functions over values the services already fetched.

Amounts are ``Decimal`` to the cent, rounded half up. A discount of ``p`` percent makes a
price ``price x (100 - p) / 100``. Of several applicable discounts the best (largest) one
applies; discounts do not add up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal(0)


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def discounted(price: Decimal, percent: Decimal) -> Decimal:
    return money(price * (Decimal(100) - percent) / Decimal(100))


def with_markup(unit_cost: Decimal, markup_percent: Decimal) -> Decimal:
    return money(unit_cost * (Decimal(100) + markup_percent) / Decimal(100))


def average_cost(old_quantity: int, old_cost: Decimal, quantity: int, unit_price: Decimal) -> Decimal:
    """The stock's unit cost after buying ``quantity`` more at ``unit_price`` (weighted average)."""
    total = old_quantity + quantity
    if total == 0:
        return money(unit_price)
    return money((old_cost * old_quantity + unit_price * quantity) / total)


@dataclass(frozen=True)
class Terms:
    """A supplier discount or a dealership promotion: ``model_ids`` None covers every car model."""

    pk: int
    kind: str
    percent: Decimal
    min_units: int | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    model_ids: frozenset[int] | None = None

    def covers(self, car_model_id: int) -> bool:
        return self.model_ids is None or car_model_id in self.model_ids


@dataclass(frozen=True)
class Quote:
    """What one unit costs from one seller now: ``unit_price`` after the best ``percent`` (``discount_id``)."""

    seller_id: int
    list_price: Decimal
    percent: Decimal
    unit_price: Decimal
    discount_id: int | None


def discount_applies(terms: Terms, *, units_bought: int, now: datetime) -> bool:
    """Loyalty: the dealership already bought ``min_units`` from the supplier. Promotion: ``now`` is in its dates."""
    if terms.kind == "loyalty":
        return units_bought >= (terms.min_units or 0)
    assert terms.starts_at is not None
    assert terms.ends_at is not None
    return terms.starts_at <= now < terms.ends_at


def best_quote(
    *,
    seller_id: int,
    car_model_id: int,
    list_price: Decimal,
    discounts: Iterable[Terms],
    units_bought: int = 0,
    now: datetime,
) -> Quote:
    """The price of one unit after the best discount that covers the car model and applies now."""
    best: Terms | None = None
    for terms in discounts:
        if (
            terms.covers(car_model_id)
            and discount_applies(terms, units_bought=units_bought, now=now)
            and (best is None or (terms.percent, -terms.pk) > (best.percent, -best.pk))
        ):
            best = terms
    if best is None:
        return Quote(seller_id, list_price, ZERO, list_price, None)
    return Quote(seller_id, list_price, best.percent, discounted(list_price, best.percent), best.pk)


def cheapest(quotes: Iterable[Quote]) -> Quote | None:
    """The lowest unit price; of equal prices the lowest seller id (the same answer on every run)."""
    return min(quotes, key=lambda quote: (quote.unit_price, quote.seller_id), default=None)

"""The stock's shared read cache: the stock list and a stock row as buyers see them, kept once for all.

Every buyer (anyone who is neither the market's staff nor a dealership's people) sees the same
stock rows for the same URL: cars in stock at active dealerships, without their unit cost. So
that answer is kept under the stock's generation (``core/read_cache.py``: how answers are kept
and forgotten) and read with the caller's user row in one read of the cache. Dealer staff (who
also see their own empty rows and unit costs) and the market's staff are answered from the
database every time.

What a stock row shows changes with the row, its dealership and its car model: the model
signals cover every ``save()``, ``delete()``, soft delete and restore of those; the services
call :func:`changed` beside their conditional ``UPDATE`` statements (a car sold, a restock, a
new markup repricing the stock).
"""

from __future__ import annotations

from typing import Any

from circulate.core.read_cache import Generation
from circulate.dealership import selectors
from circulate.dealership.models import CarModel, Dealership, DealershipCar

STOCK = Generation("dealership:stock")
STOCK.follow(DealershipCar, Dealership, CarModel)


def changed() -> None:
    """What a stock row shows changed: forget the kept lists and rows."""
    STOCK.changed()


def sees_the_shared_stock(user: Any) -> bool:
    """Whether ``user`` sees the stock as every buyer does (neither the market's staff nor a dealer)."""
    return not selectors.is_market_staff(user) and not selectors.is_dealer_staff(user)

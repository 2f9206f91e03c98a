"""The market statistics' shared read cache: the overview and a supplier's statistics, kept per URL.

Both are for the market's staff only, and the same for every one of them, so once the caller's
permission is checked the answer is kept under the URL (the period is in its query string) with
the generation of what it is summed from (``core/read_cache.py``). It changes only when a sale
or a supplier sale is recorded (each comes with its monthly rollup rows, in the same
transaction) or a name it shows changes (a dealership, a supplier, a car model): the model
signals cover all of those. Time passing alone changes nothing: a period without an end
includes every sale so far.
"""

from __future__ import annotations

from circulate.core.read_cache import Generation
from circulate.dealership.models import CarModel, Dealership, DealershipSale, Supplier, SupplierSale

SALES = Generation("dealership:sales")
SALES.follow(DealershipSale, SupplierSale, Dealership, Supplier, CarModel)

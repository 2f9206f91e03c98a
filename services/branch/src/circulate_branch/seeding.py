"""Fill a branch's database with titles directly (Circulate's ``seed_demo`` calls it before the service runs)."""

from __future__ import annotations

from collections.abc import Iterable

from circulate_branch import services
from circulate_branch.db import make_engine, make_sessionmaker, migrate
from circulate_branch.models import BranchBook
from circulate_branch.schemas import StockRequest


def stock_missing_books(database_url: str, books: Iterable[tuple[str, str, int]]) -> int:
    """Add each ``(isbn, title, copies)`` the branch does not hold yet; titles it holds stay as they are.

    Returns how many titles were added. Safe to run again.
    """
    engine = make_engine(database_url)
    try:
        migrate(engine)
        factory = make_sessionmaker(engine)
        added = 0
        for isbn, title, copies in books:
            with factory() as session:
                if session.get(BranchBook, isbn) is not None:
                    continue
            services.stock(factory, isbn=isbn, request=StockRequest(title=title, copies_total=copies))
            added += 1
        return added
    finally:
        engine.dispose()

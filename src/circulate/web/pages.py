"""The console's pages per domain. A new domain adds its entry here, a view, a template and a JS module."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ConsolePage:
    title: str
    url_name: str
    summary: str
    # Who sees the navbar link (roles.js audiences: a role, "staff", "signed-in"); empty: everyone.
    # The page itself still answers everyone: the API decides what each caller may see and do.
    audience: str = ""


DOMAIN_PAGES: tuple[ConsolePage, ...] = (
    ConsolePage(
        "Library",
        "web:library",
        "Books and their authors, likes, members with membership cards, loans and the reservations queue.",
    ),
    ConsolePage(
        "Relations",
        "web:library-relations",
        "For one book or one member: every linked object, grouped by relation kind.",
    ),
    ConsolePage(
        "Partner branches",
        "web:partners",
        "Copies of our books at other library branches: reserve there; staff see the branches' health and calls.",
    ),
    ConsolePage(
        "Bikes",
        "web:bikes",
        "Rent a bike by the minute: stations on a map, a ride with a timer, the price when you dock; the fleet.",
    ),
    ConsolePage(
        "Cars",
        "web:dealership",
        "A car market: browse cars in stock and make offers; dealerships' stock, promotions and figures as charts.",
    ),
    ConsolePage(
        "Audit",
        "web:audit",
        "Staff: every recorded change, who made it and what changed, filtered by action, object, actor or request.",
        audience="staff",
    ),
)

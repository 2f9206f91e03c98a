"""Why the dealership market refused a request. The API maps each to its status once, in core."""

from __future__ import annotations

from circulate.core.errors import DomainError


class OfferNotActiveError(DomainError):
    code = "offer_not_active"
    default_detail = "This offer is no longer active."


class InUseError(DomainError):
    code = "in_use"
    default_detail = "Other records still use this; remove or change them first."


class PriceExistsError(DomainError):
    code = "price_exists"
    default_detail = "This supplier already has a price for this car model; change that one."


class StockNotEmptyError(DomainError):
    code = "stock_not_empty"
    default_detail = "The dealership still has cars; sell them first."

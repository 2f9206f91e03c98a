"""Reads of the dealership market that the API, the console, the tasks and the services share.

Who sees what: the market's staff (``is_staff``) see everything; dealer staff see their own
dealerships' stock, promotions, purchases and sales; a buyer sees their own offers and
purchases. Everything else is a 404, never a 403.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from circulate.accounts.roles import DEALER_STAFF
from circulate.core.permissions import has_role
from circulate.dealership.models import (
    Buyer,
    CarModel,
    Dealership,
    DealershipCar,
    DealershipPromotion,
    DealershipSale,
    Offer,
    Supplier,
    SupplierCar,
    SupplierDiscount,
    SupplierSale,
)


def is_market_staff(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and (user.is_staff or user.is_superuser))


def is_dealer_staff(user: Any) -> bool:
    return has_role(user, DEALER_STAFF)


def dealership_ids_of(user: Any) -> list[int]:
    """The dealerships a dealer-staff user works at (none without the role)."""
    if not is_dealer_staff(user):
        return []
    cached: list[int] | None = getattr(user, "_dealership_ids", None)
    if cached is None:
        cached = list(Dealership.objects.filter(staff=user).values_list("pk", flat=True))
        setattr(user, "_dealership_ids", cached)  # noqa: B010 - a per-request cache on the user object
    return cached


def manages(user: Any, dealership_id: int) -> bool:
    return is_market_staff(user) or dealership_id in dealership_ids_of(user)


def buyer_of(user: Any) -> Buyer | None:
    if not user.is_authenticated:
        return None
    return Buyer.objects.filter(user=user).first()


# --- The catalogue: every signed-in user reads it -------------------------------------------------------


def car_models() -> QuerySet[CarModel]:
    return CarModel.objects.all()


def suppliers() -> QuerySet[Supplier]:
    return Supplier.objects.all()


def supplier_cars() -> QuerySet[SupplierCar]:
    return SupplierCar.objects.filter(supplier__is_active=True).select_related("supplier", "car_model")


def supplier_discounts() -> QuerySet[SupplierDiscount]:
    return SupplierDiscount.objects.select_related("supplier").prefetch_related("car_models")


# --- Dealerships and their stock ------------------------------------------------------------------------------


def dealerships() -> QuerySet[Dealership]:
    """Every dealership is public (name, country, city); balances and preferences only to its staff."""
    return Dealership.objects.all()


def stock() -> QuerySet[DealershipCar]:
    """Cars in stock at active dealerships: what buyers browse."""
    return DealershipCar.objects.filter(dealership__is_active=True).select_related("dealership", "car_model")


def stock_for(*, user: Any) -> QuerySet[DealershipCar]:
    """Buyers see what is in stock; dealer staff also their own empty rows; staff everything."""
    rows = stock()
    if is_market_staff(user):
        return rows
    return rows.filter(Q(quantity__gt=0) | Q(dealership_id__in=dealership_ids_of(user)))


def promotions_for(*, user: Any) -> QuerySet[DealershipPromotion]:
    rows = DealershipPromotion.objects.select_related("dealership").prefetch_related("car_models")
    if is_market_staff(user):
        return rows
    return rows.filter(dealership_id__in=dealership_ids_of(user))


def active_promotions(*, now: datetime) -> QuerySet[DealershipPromotion]:
    return DealershipPromotion.objects.filter(starts_at__lte=now, ends_at__gt=now, dealership__is_active=True)


# --- Trading records ------------------------------------------------------------------------------------------


def supplier_sales_for(*, user: Any) -> QuerySet[SupplierSale]:
    rows = SupplierSale.objects.select_related("supplier", "dealership", "car_model")
    if is_market_staff(user):
        return rows
    return rows.filter(dealership_id__in=dealership_ids_of(user))


def sales_for(*, user: Any) -> QuerySet[DealershipSale]:
    """Staff: every sale; dealer staff: their dealerships'; a buyer: their own purchases."""
    rows = DealershipSale.objects.select_related("dealership", "buyer__user", "car_model")
    if is_market_staff(user):
        return rows
    return rows.filter(Q(dealership_id__in=dealership_ids_of(user)) | Q(buyer__user=user))


def offers_for(*, user: Any) -> QuerySet[Offer]:
    """A buyer's own offers (staff: everyone's)."""
    rows = Offer.objects.select_related("buyer__user", "car_model", "sale")
    if is_market_staff(user):
        return rows
    return rows.filter(buyer__user=user)


def buyers_for(*, user: Any) -> QuerySet[Buyer]:
    rows = Buyer.objects.select_related("user")
    return rows if is_market_staff(user) else rows.filter(user=user)


def matching_stock(*, offer: Offer) -> QuerySet[DealershipCar]:
    """In-stock rows at active dealerships whose car the offer wants (the price is checked by the caller)."""
    from circulate.dealership.criteria import car_model_q

    rows = DealershipCar.objects.filter(quantity__gt=0, dealership__is_active=True, car_model__is_active=True)
    if offer.car_model_id is not None:
        return rows.filter(car_model_id=offer.car_model_id)
    return rows.filter(car_model_q(offer.criteria, prefix="car_model__"))

"""Access checks, locks and events shared by the dealership services (package-private).

Lock order, always: buyer, then offer, then dealership, then stock row. Restocking locks
the dealership, then its stock rows; selling locks the buyer and the offer, then the
dealership and the stock row. No two writers ever wait for each other in a circle.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Model

from circulate.audit import services as audit
from circulate.core.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from circulate.dealership import selectors
from circulate.dealership.models import (
    Buyer,
    CarModel,
    Dealership,
    DealershipCar,
    DealershipPromotion,
    Offer,
    SupplierDiscount,
)
from circulate.realtime import audience
from circulate.realtime.services import publish


def require_market_staff(actor: Any, action: str) -> None:
    if not selectors.is_market_staff(actor):
        raise PermissionDeniedError(f"Only the market's staff may {action}.")


def require_manages(actor: Any, dealership_id: int, action: str) -> None:
    """Dealer staff act on their own dealership, staff on every one; someone else's is a 404."""
    if selectors.manages(actor, dealership_id):
        return
    if selectors.is_dealer_staff(actor) and Dealership.objects.filter(pk=dealership_id).exists():
        raise NotFoundError(f"No dealership with id {dealership_id} of yours.")
    raise PermissionDeniedError(f"Only the dealership's staff may {action}.")


def get_or_404(model: type[Model], pk: int, noun: str, *, field: str = "id", lock: bool = False) -> Any:
    rows = model._default_manager.all()
    if lock:
        rows = rows.select_for_update()
    row = rows.filter(pk=pk).first()
    if row is None:
        raise NotFoundError(f"No {noun} with id {pk}.", field=field)
    return row


def lock_dealership(dealership_id: int) -> Dealership:
    dealership: Dealership = get_or_404(Dealership, dealership_id, "dealership", lock=True)
    return dealership


def lock_buyer(buyer_id: int) -> Buyer:
    return Buyer.objects.select_for_update().get(pk=buyer_id)


def lock_offer(offer_id: int) -> Offer:
    return Offer.objects.select_for_update().get(pk=offer_id)


def lock_stock(stock_id: int) -> DealershipCar:
    return DealershipCar.objects.select_for_update().get(pk=stock_id)


def staff_ids(dealership_id: int) -> list[int]:
    return sorted(
        Dealership.staff.through.objects.filter(dealership_id=dealership_id).values_list("user_id", flat=True)
    )


def publish_to_users(event_type: str, payload: dict[str, Any], user_ids: list[int], *, actor: Any) -> None:
    if user_ids:
        publish(event_type, payload, audience=audience.users(user_ids), actor=actor)


# django-countries gives a Country object, which the audit trail's JSON cannot hold: record its code.
COUNTRY_FIELDS = frozenset({"country"})


def snapshot(instance: Model, fields: Any) -> dict[str, Any]:
    names = list(fields)
    values = audit.snapshot(instance, [name for name in names if name not in COUNTRY_FIELDS])
    for name in names:
        if name in COUNTRY_FIELDS:
            values[name] = str(getattr(instance, name).code or "")
    return values


def changes_since(before: dict[str, Any], instance: Model) -> dict[str, tuple[Any, Any]]:
    after = snapshot(instance, before.keys())
    return {name: (before[name], after[name]) for name in before if before[name] != after[name]}


def created(instance: Model, fields: Any) -> dict[str, tuple[Any, Any]]:
    return {name: (None, value) for name, value in snapshot(instance, fields).items()}


# --- Discounts: a supplier's (services/catalogue.py) and a dealership's promotions (services/dealerships.py)


def check_percent(percent: Decimal) -> None:
    if not Decimal(0) < percent < Decimal(100):
        raise InvalidInputError("percent must be more than 0 and less than 100.", field="percent")


def check_period(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise InvalidInputError("ends_at must be after starts_at.", field="ends_at")


def set_car_models(discount: SupplierDiscount | DealershipPromotion, car_model_ids: list[int]) -> None:
    """The car models a discount applies to (none: all of them); an unknown id is a 400."""
    found = list(CarModel.objects.filter(pk__in=car_model_ids).values_list("pk", flat=True))
    if missing := sorted(set(car_model_ids) - set(found)):
        raise InvalidInputError(f"No car model with id {missing[0]}.", field="car_models")
    discount.car_models.set(found)

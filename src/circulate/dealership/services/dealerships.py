"""Dealerships: staff open them and add their people; dealer staff keep their name, taste, markup, promotions.

Balances change only by trading (``services.trading``) and by a staff top-up
(:func:`top_up_dealership`), each recorded.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, TypedDict, Unpack

from django.db import transaction
from django.db.models import F

from circulate.accounts.models import User
from circulate.accounts.roles import DEALER_STAFF
from circulate.audit import services as audit
from circulate.core.errors import InvalidInputError, NotFoundError
from circulate.core.permissions import has_role
from circulate.core.services import soft_delete
from circulate.dealership import stock_cache
from circulate.dealership.criteria import clean_preferences
from circulate.dealership.errors import StockNotEmptyError
from circulate.dealership.models import BalanceTopUp, Dealership, DealershipCar, DealershipPromotion
from circulate.dealership.pricing import with_markup
from circulate.dealership.services._common import (
    changes_since,
    check_percent,
    check_period,
    created,
    get_or_404,
    lock_dealership,
    require_manages,
    require_market_staff,
    set_car_models,
    snapshot,
)

DEALERSHIP_FIELDS = ("name", "country", "city", "markup_percent", "preferences")
PROMOTION_FIELDS = ("name", "percent", "starts_at", "ends_at", "car_models")
# What dealer staff may change; staff may also move a dealership (country, city).
DEALER_EDITABLE = ("name", "markup_percent", "preferences")


class DealershipChanges(TypedDict, total=False):
    name: str
    country: str
    city: str
    markup_percent: Decimal
    preferences: dict[str, Any]


def _check_markup(markup: Decimal) -> None:
    if markup < 0 or markup > Decimal(1000):
        raise InvalidInputError("markup_percent must be from 0 to 1000.", field="markup_percent")


@audit.audited("dealership.dealership.create")
@transaction.atomic
def create_dealership(*, actor: Any, **fields: Unpack[DealershipChanges]) -> Dealership:
    """Open a dealership (staff). It starts with balance 0: money comes by a recorded top-up."""
    require_market_staff(actor, "open dealerships")
    data: dict[str, Any] = dict(fields)
    data["preferences"] = clean_preferences(data.get("preferences") or {})
    _check_markup(Decimal(data.get("markup_percent", Decimal(20))))
    dealership = Dealership(**{key: value.strip() if isinstance(value, str) else value for key, value in data.items()})
    dealership.save()
    changes = created(dealership, DEALERSHIP_FIELDS)
    audit.record("dealership.dealership.create", actor=actor, target=dealership, changes=changes)
    return dealership


def _reprice_stock(dealership: Dealership) -> None:
    for row in DealershipCar.objects.filter(dealership=dealership).select_for_update():
        new_price = with_markup(row.unit_cost, dealership.markup_percent)
        if row.price != new_price:
            DealershipCar.objects.filter(pk=row.pk).update(price=new_price)
            stock_cache.changed()


@audit.audited("dealership.dealership.update")
@transaction.atomic
def update_dealership(*, actor: Any, dealership_id: int, **changes: Unpack[DealershipChanges]) -> Dealership:
    """Dealer staff change their dealership's name, preferences and markup (prices follow the markup)."""
    require_manages(actor, dealership_id, "edit this dealership")
    dealership = lock_dealership(dealership_id)
    data: dict[str, Any] = dict(changes)
    from circulate.dealership.selectors import is_market_staff

    if not is_market_staff(actor) and (moved := sorted(set(data) - set(DEALER_EDITABLE))):
        raise InvalidInputError(f"Only the market's staff may change {', '.join(moved)}.", field=moved[0])
    if "preferences" in data:
        data["preferences"] = clean_preferences(data["preferences"])
    if "markup_percent" in data:
        _check_markup(Decimal(data["markup_percent"]))
    before = snapshot(dealership, DEALERSHIP_FIELDS)
    for field, value in data.items():
        setattr(dealership, field, value.strip() if isinstance(value, str) else value)
    dealership.save(update_fields=[*data.keys(), "updated_at"])
    if "markup_percent" in data:
        _reprice_stock(dealership)
    changed = changes_since(before, dealership)
    audit.record("dealership.dealership.update", actor=actor, target=dealership, changes=changed)
    return dealership


@audit.audited("dealership.dealership.delete")
@transaction.atomic
def delete_dealership(*, actor: Any, dealership_id: int) -> None:
    """Close a dealership (staff); refused while it has cars in stock."""
    require_market_staff(actor, "close dealerships")
    dealership = lock_dealership(dealership_id)
    if DealershipCar.objects.filter(dealership=dealership, quantity__gt=0).exists():
        raise StockNotEmptyError()
    soft_delete(instance=dealership)
    audit.record("dealership.dealership.delete", actor=actor, target=dealership, changes={"is_active": (True, False)})


@audit.audited("dealership.dealership.staff")
@transaction.atomic
def set_dealership_staff(*, actor: Any, dealership_id: int, user_ids: list[int]) -> Dealership:
    """Who works at the dealership (staff): users holding the ``dealer_staff`` role."""
    require_market_staff(actor, "choose a dealership's people")
    dealership = lock_dealership(dealership_id)
    users = list(User.objects.filter(pk__in=user_ids, is_active=True))
    if missing := sorted(set(user_ids) - {user.pk for user in users}):
        raise InvalidInputError(f"No user with id {missing[0]}.", field="staff")
    if not_dealers := [user.email for user in users if not has_role(user, DEALER_STAFF)]:
        raise InvalidInputError(f"{not_dealers[0]} does not have the dealer_staff role.", field="staff")
    before = sorted(dealership.staff.values_list("pk", flat=True))
    dealership.staff.set(users)
    after = sorted(user.pk for user in users)
    audit.record("dealership.dealership.staff", actor=actor, target=dealership, changes={"staff": (before, after)})
    return dealership


@audit.audited("dealership.dealership.top_up")
@transaction.atomic
def top_up_dealership(*, actor: Any, dealership_id: int, amount: Decimal, note: str = "") -> BalanceTopUp:
    """Staff add money to a dealership's balance (the admin's action); recorded as a top-up and audited."""
    require_market_staff(actor, "top up balances")
    if amount <= 0:
        raise InvalidInputError("The amount must be more than 0.", field="amount")
    dealership = lock_dealership(dealership_id)
    before = dealership.balance
    Dealership.objects.filter(pk=dealership.pk).update(balance=F("balance") + amount)
    top_up = BalanceTopUp.objects.create(dealership=dealership, amount=amount, note=note.strip(), added_by=actor)
    dealership.refresh_from_db(fields=["balance"])
    audit.record(
        "dealership.dealership.top_up",
        actor=actor,
        target=dealership,
        changes={"balance": (before, dealership.balance), "top_up": (None, top_up.pk)},
    )
    return top_up


class PromotionChanges(TypedDict, total=False):
    name: str
    percent: Decimal
    starts_at: datetime
    ends_at: datetime
    car_models: list[int]


def _check_promotion(promotion: DealershipPromotion) -> None:
    check_percent(promotion.percent)
    check_period(promotion.starts_at, promotion.ends_at)


@audit.audited("dealership.promotion.create")
@transaction.atomic
def create_promotion(*, actor: Any, dealership_id: int, **fields: Unpack[PromotionChanges]) -> DealershipPromotion:
    """A dated discount on some of the dealership's cars (all when ``car_models`` is empty)."""
    require_manages(actor, dealership_id, "add its promotions")
    dealership: Dealership = get_or_404(Dealership, dealership_id, "dealership", field="dealership")
    data: dict[str, Any] = dict(fields)
    model_ids = data.pop("car_models", [])
    promotion = DealershipPromotion(dealership=dealership, **data)
    _check_promotion(promotion)
    promotion.save()
    set_car_models(promotion, list(model_ids))
    changes = created(promotion, PROMOTION_FIELDS)
    audit.record("dealership.promotion.create", actor=actor, target=promotion, changes=changes)
    return promotion


def _own_promotion(actor: Any, promotion_id: int) -> DealershipPromotion:
    promotion: DealershipPromotion = get_or_404(DealershipPromotion, promotion_id, "promotion", lock=True)
    from circulate.dealership.selectors import manages

    if not manages(actor, promotion.dealership_id):
        raise NotFoundError(f"No promotion with id {promotion_id}.")
    return promotion


@audit.audited("dealership.promotion.update")
@transaction.atomic
def update_promotion(*, actor: Any, promotion_id: int, **changes: Unpack[PromotionChanges]) -> DealershipPromotion:
    promotion = _own_promotion(actor, promotion_id)
    before = snapshot(promotion, PROMOTION_FIELDS)
    data: dict[str, Any] = dict(changes)
    model_ids = data.pop("car_models", None)
    for field, value in data.items():
        setattr(promotion, field, value.strip() if isinstance(value, str) else value)
    _check_promotion(promotion)
    promotion.save()
    if model_ids is not None:
        set_car_models(promotion, list(model_ids))
    changed = changes_since(before, promotion)
    audit.record("dealership.promotion.update", actor=actor, target=promotion, changes=changed)
    return promotion


@audit.audited("dealership.promotion.delete")
@transaction.atomic
def delete_promotion(*, actor: Any, promotion_id: int) -> None:
    promotion = _own_promotion(actor, promotion_id)
    soft_delete(instance=promotion)
    audit.record("dealership.promotion.delete", actor=actor, target=promotion, changes={"is_active": (True, False)})

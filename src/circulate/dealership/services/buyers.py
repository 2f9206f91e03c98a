"""Buyers and their offers: a profile on first use, offers only with a confirmed e-mail, cancel your own."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from circulate.audit import services as audit
from circulate.core.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from circulate.dealership import selectors
from circulate.dealership.criteria import clean_criteria
from circulate.dealership.errors import OfferNotActiveError
from circulate.dealership.models import BalanceTopUp, Buyer, CarModel, Offer
from circulate.dealership.quotes import dealer_staff_serving
from circulate.dealership.services._common import lock_buyer, lock_offer, publish_to_users, require_market_staff

EMAIL_NOT_VERIFIED = (
    "Confirm your e-mail address first: open the link in the confirmation e-mail, "
    "or ask for a new one with POST /api/auth/email/resend/."
)


@audit.audited("dealership.buyer.create")
def get_or_create_buyer(*, actor: Any) -> Buyer:
    """The caller's buyer profile, made on first use (balance 0). Two first uses at once make one."""
    buyer = Buyer.all_objects.filter(user=actor).first()
    if buyer is not None:
        return buyer
    try:
        with transaction.atomic():
            buyer = Buyer.objects.create(user=actor)
            audit.record("dealership.buyer.create", actor=actor, target=buyer, changes={"user": (None, actor.pk)})
    except IntegrityError:  # the other first use committed first: one buyer per user
        return Buyer.all_objects.get(user=actor)
    return buyer


@audit.audited("dealership.buyer.update")
@transaction.atomic
def update_buyer(*, actor: Any, country: str) -> Buyer:
    """A buyer says where they live (the only field of the profile they write; the balance is read-only)."""
    buyer = lock_buyer(get_or_create_buyer(actor=actor).pk)
    before = str(buyer.country)
    buyer.country = country
    buyer.save(update_fields=["country", "updated_at"])
    audit.record("dealership.buyer.update", actor=actor, target=buyer, changes={"country": (before, country)})
    return buyer


@audit.audited("dealership.buyer.top_up")
@transaction.atomic
def top_up_buyer(*, actor: Any, buyer_id: int, amount: Decimal, note: str = "") -> BalanceTopUp:
    """Staff add money to a buyer's balance (the admin's action); recorded as a top-up and audited."""
    require_market_staff(actor, "top up balances")
    if amount <= 0:
        raise InvalidInputError("The amount must be more than 0.", field="amount")
    buyer = Buyer.objects.select_for_update().filter(pk=buyer_id).first()
    if buyer is None:
        raise NotFoundError(f"No buyer with id {buyer_id}.")
    before = buyer.balance
    Buyer.objects.filter(pk=buyer.pk).update(balance=F("balance") + amount)
    top_up = BalanceTopUp.objects.create(buyer=buyer, amount=amount, note=note.strip(), added_by=actor)
    buyer.refresh_from_db(fields=["balance"])
    changes = {"balance": (before, buyer.balance), "top_up": (None, top_up.pk)}
    audit.record("dealership.buyer.top_up", actor=actor, target=buyer, changes=changes)
    return top_up


def _offer_payload(offer: Offer) -> dict[str, Any]:
    return {
        "offer_id": offer.pk,
        "car_model_id": offer.car_model_id,
        "criteria": offer.criteria,
        "max_price": str(offer.max_price),
        "status": offer.status,
    }


@audit.audited("dealership.offer.create")
@transaction.atomic
def create_offer(
    *,
    actor: Any,
    max_price: Decimal,
    car_model_id: int | None = None,
    criteria: dict[str, Any] | None = None,
) -> Offer:
    """A buyer asks for a car model (or characteristics) up to ``max_price``; needs a confirmed e-mail (403)."""
    if getattr(actor, "email_verified_at", None) is None:
        raise PermissionDeniedError(EMAIL_NOT_VERIFIED, code="email_not_verified")
    if max_price <= 0:
        raise InvalidInputError("max_price must be more than 0.", field="max_price")
    clean = clean_criteria(criteria)
    if car_model_id is not None:
        if not CarModel.objects.filter(pk=car_model_id).exists():
            raise InvalidInputError(f"No car model with id {car_model_id}.", field="car_model")
        if clean:
            raise InvalidInputError("Ask for a car model or for characteristics, not both.", field="criteria")
    elif not clean:
        raise InvalidInputError("Say which car you want: a car_model or criteria.", field="car_model")
    buyer = get_or_create_buyer(actor=actor)
    offer = Offer.objects.create(buyer=buyer, car_model_id=car_model_id, criteria=clean, max_price=max_price)
    audit.record(
        "dealership.offer.create",
        actor=actor,
        target=offer,
        changes={"car_model": (None, car_model_id), "criteria": (None, clean), "max_price": (None, max_price)},
    )
    publish_to_users("offer.created", _offer_payload(offer), dealer_staff_serving(offer=offer), actor=actor)
    return offer


@audit.audited("dealership.offer.cancel")
@transaction.atomic
def cancel_offer(*, actor: Any, offer_id: int) -> Offer:
    """The buyer withdraws an active offer, or the market's staff take one off the market.

    When staff cancel someone's offer, the buyer is told (``offer.cancelled``). A fulfilled or
    cancelled offer answers 409 ``offer_not_active``; someone else's offer is a 404 to a buyer.
    """
    rows = Offer.objects.filter(pk=offer_id)
    if not selectors.is_market_staff(actor):
        rows = rows.filter(buyer__user=actor)
    seen = rows.values_list("buyer_id", flat=True).first()
    if seen is None:
        raise NotFoundError(f"No offer with id {offer_id}.")
    buyer = lock_buyer(seen)
    offer = lock_offer(offer_id)
    if offer.status != Offer.Status.ACTIVE:
        raise OfferNotActiveError(f"Offer #{offer.pk} is {offer.status}.")
    offer.status = Offer.Status.CANCELLED
    offer.cancelled_at = timezone.now()
    offer.save(update_fields=["status", "cancelled_at", "updated_at"])
    audit.record("dealership.offer.cancel", actor=actor, target=offer, changes={"status": ("active", "cancelled")})
    if buyer.user_id != actor.pk:
        publish_to_users("offer.cancelled", _offer_payload(offer), [buyer.user_id], actor=actor)
    return offer

"""Pricing plans in the GBFS model. The arithmetic is ``bikes.pricing``; this is who may change plans."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypedDict, Unpack

from babel.numbers import list_currencies
from django.db import IntegrityError, transaction

from circulate.audit import services as audit
from circulate.bikes.errors import DefaultPlanConflictError, PlanInUseError
from circulate.bikes.models import PricingPlan, Rental
from circulate.bikes.pricing import parse_segments, segments_as_json
from circulate.bikes.services._common import require_fleet_manager
from circulate.core.errors import InvalidInputError, NotFoundError
from circulate.core.services import soft_delete

PLAN_FIELDS = (
    "name",
    "currency",
    "price",
    "per_min_pricing",
    "fare_cap_duration",
    "fare_cap_price",
    "is_taxable",
    "description",
    "is_default",
)


def _currency(code: str) -> str:
    code = code.strip().upper()
    if code not in list_currencies():
        raise InvalidInputError(f"{code or 'An empty code'} is not an ISO 4217 currency code.", field="currency")
    return code


def _segments(raw: object) -> list[dict[str, object]]:
    try:
        return segments_as_json(parse_segments(raw))
    except ValueError as exc:
        raise InvalidInputError(str(exc), field="per_min_pricing") from exc


def _check_cap(plan: PricingPlan) -> None:
    if (plan.fare_cap_duration is None) != (plan.fare_cap_price is None):
        raise InvalidInputError(
            "A fare cap needs both fare_cap_duration and fare_cap_price.", field="fare_cap_duration"
        )


def _save(plan: PricingPlan) -> None:
    if plan.is_default:
        # One default at a time: the previous default steps down; a concurrent switch hits the unique constraint.
        PricingPlan.objects.filter(is_default=True).exclude(pk=plan.pk).update(is_default=False)
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError as exc:
        raise DefaultPlanConflictError(field="is_default") from exc


class PlanTerms(TypedDict, total=False):
    price: Decimal
    per_min_pricing: list[dict[str, object]]
    fare_cap_duration: int | None
    fare_cap_price: Decimal | None
    is_taxable: bool
    description: str
    is_default: bool


class PlanChanges(PlanTerms, total=False):
    name: str
    currency: str


@audit.audited("bikes.pricing_plan.create")
@transaction.atomic
def create_plan(*, actor: Any, name: str, currency: str, **fields: Unpack[PlanTerms]) -> PricingPlan:
    require_fleet_manager(actor, "add pricing plans")
    plan = PricingPlan(name=name.strip(), currency=_currency(currency))
    for field, value in fields.items():
        setattr(plan, field, value)
    plan.per_min_pricing = _segments(plan.per_min_pricing)
    _check_cap(plan)
    _save(plan)
    audit.record("bikes.pricing_plan.create", actor=actor, target=plan, changes=audit.created(plan, PLAN_FIELDS))
    return plan


@audit.audited("bikes.pricing_plan.update")
@transaction.atomic
def update_plan(*, actor: Any, plan_id: int, **changes: Unpack[PlanChanges]) -> PricingPlan:
    """Change a plan. Rides already started keep the terms they started under (``Rental.plan_terms``)."""
    require_fleet_manager(actor, "edit pricing plans")
    plan = PricingPlan.objects.select_for_update().filter(pk=plan_id).first()
    if plan is None:
        raise NotFoundError(f"No pricing plan with id {plan_id}.")
    before = audit.snapshot(plan, PLAN_FIELDS)
    for field, value in changes.items():
        setattr(plan, field, value)
    if "currency" in changes:
        plan.currency = _currency(changes["currency"])
    if "name" in changes:
        plan.name = changes["name"].strip()
    plan.per_min_pricing = _segments(plan.per_min_pricing)
    _check_cap(plan)
    _save(plan)
    audit.record("bikes.pricing_plan.update", actor=actor, target=plan, changes=audit.changes_since(before, plan))
    return plan


@audit.audited("bikes.pricing_plan.delete")
@transaction.atomic
def delete_plan(*, actor: Any, plan_id: int) -> None:
    """Withdraw a plan (soft delete). Refused for the default plan and while rides under it are unpriced."""
    require_fleet_manager(actor, "remove pricing plans")
    plan = PricingPlan.objects.select_for_update().filter(pk=plan_id).first()
    if plan is None:
        raise NotFoundError(f"No pricing plan with id {plan_id}.")
    if plan.is_default:
        raise PlanInUseError("This is the default plan; make another plan the default first.")
    if Rental.objects.filter(plan=plan, cost_status=Rental.CostStatus.PENDING).exists():
        raise PlanInUseError("Rides under this plan are still running or waiting for their price.")
    soft_delete(instance=plan)
    audit.record("bikes.pricing_plan.delete", actor=actor, target=plan, changes={"is_active": (True, False)})

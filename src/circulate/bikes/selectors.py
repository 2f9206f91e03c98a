"""Reads of the bike rental that the API, the GBFS feeds, the console and the tasks share."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from circulate.accounts.models import User
from circulate.accounts.roles import FLEET_MANAGER
from circulate.bikes.models import Bike, PricingPlan, Rental, Station, VehicleType
from circulate.bikes.pricing import plan_from_terms, trip_cost
from circulate.core.permissions import has_role


def is_fleet_manager(user: Any) -> bool:
    return has_role(user, FLEET_MANAGER)


def stations() -> QuerySet[Station]:
    """Stations with ``bikes_available``, ``bikes_disabled`` and ``docks_available``, in one query."""
    return Station.objects.annotate(
        bikes_available=Count("bikes", filter=Q(bikes__status=Bike.Status.AVAILABLE, bikes__is_active=True)),
        bikes_disabled=Count("bikes", filter=Q(bikes__status=Bike.Status.MAINTENANCE, bikes__is_active=True)),
        docks_available=F("capacity") - F("docked_count"),
    )


def vehicle_types() -> QuerySet[VehicleType]:
    return VehicleType.objects.all()


def bikes() -> QuerySet[Bike]:
    return Bike.objects.select_related("vehicle_type", "station")


def pricing_plans() -> QuerySet[PricingPlan]:
    return PricingPlan.objects.all()


def default_plan() -> PricingPlan | None:
    return PricingPlan.objects.filter(is_default=True).first()


def rentals_for(*, user: User) -> QuerySet[Rental]:
    """Fleet managers see every ride; a rider sees their own."""
    rentals = Rental.objects.select_related("bike", "plan", "start_station", "end_station", "rider")
    return rentals if is_fleet_manager(user) else rentals.filter(rider=user)


def active_rental_of(*, user: User) -> Rental | None:
    return rentals_for(user=user).filter(rider=user, ended_at__isnull=True).first()


def estimate(rental: Rental) -> Decimal:
    """What the ride costs so far (or cost, once finished), under the terms it started with."""
    duration = rental.duration_seconds
    if duration is None:
        duration = max(int((timezone.now() - rental.started_at).total_seconds()), 0)
    return trip_cost(plan_from_terms(rental.plan_terms), duration)


PRICING_OVERDUE_AFTER = timedelta(minutes=5)


def pricing_overdue(*, older_than: timedelta, now: Any = None) -> QuerySet[Rental]:
    """Finished rides still waiting for their price after ``older_than`` (the task was lost or failed)."""
    now = now or timezone.now()
    return Rental.objects.filter(
        cost_status=Rental.CostStatus.PENDING, ended_at__isnull=False, ended_at__lt=now - older_than
    ).order_by("ended_at")


def rider_profile(*, user: User) -> dict[str, Any]:
    """Seed 002's profile: the current ride, how many rides and minutes, what was spent per currency, the last 10."""
    own = Rental.objects.filter(rider=user)
    finished = own.filter(ended_at__isnull=False)
    totals = finished.aggregate(rides=Count("id"), seconds=Sum("duration_seconds"))
    spent = (
        finished.filter(cost_status=Rental.CostStatus.PRICED)
        .values("currency")
        .annotate(amount=Sum("cost"))
        .order_by("currency")
    )
    return {
        "current_rental": rentals_for(user=user).filter(rider=user, ended_at__isnull=True).first(),
        "rides": totals["rides"] or 0,
        "minutes_ridden": (totals["seconds"] or 0) // 60,
        "spent": [{"currency": row["currency"], "amount": row["amount"] or Decimal(0)} for row in spent],
        "last_rides": list(rentals_for(user=user).filter(rider=user, ended_at__isnull=False)[:10]),
    }

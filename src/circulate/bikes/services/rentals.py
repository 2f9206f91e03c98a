"""Rides: starting one, finishing it at a station, and pricing it exactly once.

One active ride per rider and one per bike are partial unique constraints: of two
concurrent starts only one row can exist, and the loser's IntegrityError becomes a 409.
The bike leaves its dock with a conditional update (``status = 'available'``), so a bike
cannot be handed out twice either. Finishing commits the ride and enqueues the pricing task
after the commit; the task prices a ride only while it is still ``pending`` (a conditional
update under the rental's row lock), so a redelivered or duplicated task changes nothing.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from circulate.audit import services as audit
from circulate.bikes import fleet_cache, selectors
from circulate.bikes.errors import (
    BikeUnavailableError,
    NoActiveRentalError,
    RentalActiveError,
    RentalFinishedError,
    StationNotReturningError,
)
from circulate.bikes.models import Bike, PricingPlan, Rental
from circulate.bikes.services._common import (
    dock,
    lock_bike,
    lock_rental,
    lock_station,
    now_or,
    plan_terms,
    publish_bike_updated,
    publish_to_rider_and_fleet,
    undock,
)
from circulate.bikes.storage import put_file
from circulate.core.db import after_commit, lock_own_rows, lock_user
from circulate.core.errors import NotFoundError

logger = logging.getLogger(__name__)


def _plan(plan_id: int | None) -> PricingPlan:
    plan = PricingPlan.objects.filter(pk=plan_id).first() if plan_id else selectors.default_plan()
    if plan is None:
        raise NotFoundError(
            f"No pricing plan with id {plan_id}." if plan_id else "No default pricing plan is set.", field="plan"
        )
    return plan


def _visible_rental(actor: Any, rental_id: int) -> Rental:
    """The rider's own ride, or any ride for a fleet manager; anyone else gets a 404."""
    rental = selectors.rentals_for(user=actor).filter(pk=rental_id).first()
    if rental is None:
        raise NotFoundError(f"No ride with id {rental_id}.")
    return rental


def _enqueue_pricing(rental_id: int) -> None:
    from circulate.bikes.tasks import price_rental  # the tasks module imports this one

    price_rental.delay(rental_id)


@audit.audited("bikes.rental.start")
@transaction.atomic
def start_rental(*, actor: Any, bike_id: int, plan_id: int | None = None, now: datetime | None = None) -> Rental:
    """Take a bike from its dock. One ride per rider and per bike at a time; the station must be renting."""
    now = now_or(now)
    plan = _plan(plan_id)
    # The rider's row first: a second start by the same rider waits here, then sees the first ride
    # (the partial unique index on the rider's open ride is the last word).
    lock_user(actor.pk)
    if Rental.objects.filter(rider=actor, ended_at__isnull=True).exists():
        raise RentalActiveError()
    bike = lock_bike(bike_id)
    station = lock_station(bike.station_id) if bike.station_id else None
    if bike.status != Bike.Status.AVAILABLE or station is None:
        raise BikeUnavailableError(f"Bike {bike.serial} is {bike.status}, not available to rent.", field="bike")
    if not (station.is_installed and station.is_renting):
        raise BikeUnavailableError(f"{station.name} is not renting bikes now.", field="bike")
    taken = Bike.objects.filter(pk=bike.pk, status=Bike.Status.AVAILABLE).update(
        status=Bike.Status.RENTED, station=None, status_changed_at=now
    )
    if not taken:
        raise BikeUnavailableError(f"Bike {bike.serial} was just taken.", field="bike")
    fleet_cache.changed()
    undock(station.pk, now=now)
    try:
        with transaction.atomic():
            rental = Rental.objects.create(
                rider=actor,
                bike=bike,
                plan=plan,
                plan_terms=plan_terms(plan),
                currency=plan.currency,
                started_at=now,
                start_station=station,
            )
    except IntegrityError as exc:  # a concurrent start by this rider, or on this bike, committed first
        raise RentalActiveError() from exc
    bike.status, bike.station = Bike.Status.RENTED, None
    audit.record(
        "bikes.rental.start",
        actor=actor,
        target=rental,
        label=f"{bike.serial} from {station.name}",
        changes={"bike": (None, bike.pk), "start_station": (None, station.pk), "plan": (None, plan.pk)},
    )
    payload = {
        "rental_id": rental.pk,
        "bike_id": bike.pk,
        "bike_serial": bike.serial,
        "station_id": station.pk,
        "station_name": station.name,
        "started_at": now.isoformat(),
        "plan_id": plan.pk,
    }
    publish_to_rider_and_fleet("rental.started", payload, rider_id=actor.pk, actor=actor)
    publish_bike_updated(bike, actor=actor)
    return rental


@audit.audited("bikes.rental.finish")
@transaction.atomic
def finish_rental(*, actor: Any, rental_id: int, station_id: int, now: datetime | None = None) -> Rental:
    """Dock the bike at ``station_id`` and end the ride; its price is worked out by a Celery task.

    The rider finishes their own ride; a fleet manager may end anyone's (an abandoned bike).
    """
    now = now_or(now)
    seen = _visible_rental(actor, rental_id)
    rental = lock_rental(seen.pk)
    if rental.ended_at is not None:
        raise RentalFinishedError(f"Ride #{rental.pk} already ended at {rental.ended_at:%H:%M}.")
    bike = lock_bike(rental.bike_id)
    station = lock_station(station_id)
    if not (station.is_installed and station.is_returning):
        raise StationNotReturningError(f"{station.name} does not take bikes back now.", field="station")
    dock(station, now=now)
    Bike.objects.filter(pk=bike.pk).update(
        status=Bike.Status.AVAILABLE, station=station, status_changed_at=now, public_id=uuid.uuid4()
    )
    fleet_cache.changed()
    bike.status, bike.station = Bike.Status.AVAILABLE, station
    rental.ended_at = now
    rental.end_station = station
    rental.duration_seconds = max(int((now - rental.started_at).total_seconds()), 0)
    rental.finished_by = actor
    rental.save(update_fields=["ended_at", "end_station", "duration_seconds", "finished_by", "updated_at"])
    audit.record(
        "bikes.rental.finish",
        actor=actor,
        target=rental,
        label=f"{bike.serial} to {station.name}",
        changes={
            "ended_at": (None, now),
            "end_station": (None, station.pk),
            "duration_seconds": (None, rental.duration_seconds),
        },
    )
    payload = {
        "rental_id": rental.pk,
        "bike_id": bike.pk,
        "end_station_id": station.pk,
        "ended_at": now.isoformat(),
        "duration_seconds": rental.duration_seconds,
        "estimate": str(selectors.estimate(rental)),
        "currency": rental.currency,
    }
    publish_to_rider_and_fleet("rental.finished", payload, rider_id=rental.rider_id, actor=actor)
    publish_bike_updated(bike, actor=actor)
    after_commit(_enqueue_pricing, rental.pk)
    return rental


@audit.audited("bikes.rental.finish")
def finish_current_rental(*, actor: Any, station_id: int, now: datetime | None = None) -> Rental:
    """End the caller's own ride (seed 002's ``rent_end``)."""
    current = Rental.objects.filter(rider=actor, ended_at__isnull=True).first()
    if current is None:
        raise NoActiveRentalError()
    return finish_rental(actor=actor, rental_id=current.pk, station_id=station_id, now=now)


def _receipt(rental: Rental, cost: Decimal) -> bytes:
    context = {"rental": rental, "cost": cost, "terms": rental.plan_terms}
    return render_to_string("bikes/receipt.txt", context).encode()


@audit.audited("bikes.rental.price")
def price_rental(*, rental_id: int, now: datetime | None = None) -> Rental:
    """Price a finished ride once: a ride that is not pending any more is left as it is."""
    now = now_or(now)
    with transaction.atomic():
        rental = (
            lock_own_rows(Rental.objects.select_related("bike", "start_station", "end_station"))
            .filter(pk=rental_id)
            .first()
        )
        if rental is None:
            raise NotFoundError(f"No ride with id {rental_id}.")
        if rental.ended_at is None or rental.cost_status != Rental.CostStatus.PENDING:
            return rental
        cost = selectors.estimate(rental)
        receipt = put_file(f"bikes/receipts/ride-{rental.pk}.txt", _receipt(rental, cost))
        priced = Rental.objects.filter(pk=rental.pk, cost_status=Rental.CostStatus.PENDING).update(
            cost=cost, cost_status=Rental.CostStatus.PRICED, priced_at=now, receipt=receipt, updated_at=now
        )
        if not priced:  # cannot happen under the row lock; kept so a change of locking cannot price twice
            return rental
        rental.cost, rental.cost_status, rental.priced_at, rental.receipt.name = cost, "priced", now, receipt
        audit.record(
            "bikes.rental.price",
            actor=None,
            target=rental,
            changes={"cost": (None, cost), "cost_status": ("pending", "priced")},
        )
        payload = {
            "rental_id": rental.pk,
            "cost": str(cost),
            "currency": rental.currency,
            "duration_seconds": rental.duration_seconds,
        }
        publish_to_rider_and_fleet("rental.priced", payload, rider_id=rental.rider_id, actor=None)
    return rental


@audit.audited("bikes.rental.pricing_failed")
@transaction.atomic
def fail_pricing(*, rental_id: int, error: str) -> Rental:
    """The task gave up pricing a ride: mark it ``failed`` so staff can look at it (still only once)."""
    rental = lock_rental(rental_id)
    if rental.cost_status == Rental.CostStatus.PENDING and rental.ended_at is not None:
        Rental.objects.filter(pk=rental.pk).update(cost_status=Rental.CostStatus.FAILED, pricing_error=error[:300])
        audit.record(
            "bikes.rental.pricing_failed",
            actor=None,
            target=rental,
            changes={"cost_status": ("pending", "failed"), "pricing_error": (None, error[:300])},
        )
        rental.cost_status = Rental.CostStatus.FAILED
    return rental

"""The bike rental: stations with docks, vehicle types, bikes, GBFS pricing plans and rentals.

Rules two requests can race on are the database's to keep: one active rental per rider and
one per bike (partial unique constraints), never more docked bikes at a station than it has
docks (a maintained ``docked_count`` with a check constraint, moved by conditional updates),
costs never below zero (check constraints).
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from circulate.bikes.storage import bikes_storage
from circulate.core.models import BaseModel


class Station(BaseModel):
    """A docking station. ``docked_count`` counts the bikes standing in its docks (available or in repair)."""

    name = models.CharField(max_length=200)
    lat = models.DecimalField(
        max_digits=9, decimal_places=6, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    lon = models.DecimalField(
        max_digits=9, decimal_places=6, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    address = models.CharField(max_length=300, blank=True)
    capacity = models.PositiveIntegerField(help_text="Number of docks.")
    docked_count = models.PositiveIntegerField(default=0, editable=False, help_text="Bikes in the docks now.")
    is_installed = models.BooleanField(default=True, help_text="The station is on the street.")
    is_renting = models.BooleanField(default=True, help_text="Bikes may be taken from it.")
    is_returning = models.BooleanField(default=True, help_text="Bikes may be returned to it.")
    # When a bike arrived or left, or a flag changed: GBFS last_reported.
    status_changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("name", "id")
        constraints = [
            models.CheckConstraint(
                condition=Q(docked_count__lte=F("capacity")), name="bikes_station_docked_within_capacity"
            ),
            models.CheckConstraint(condition=Q(lat__gte=-90, lat__lte=90), name="bikes_station_lat_range"),
            models.CheckConstraint(condition=Q(lon__gte=-180, lon__lte=180), name="bikes_station_lon_range"),
        ]

    def __str__(self) -> str:
        return self.name


class VehicleType(BaseModel):
    class FormFactor(models.TextChoices):
        BICYCLE = "bicycle"
        CARGO_BICYCLE = "cargo_bicycle"

    class Propulsion(models.TextChoices):
        HUMAN = "human"
        ELECTRIC_ASSIST = "electric_assist"

    name = models.CharField(max_length=100)
    form_factor = models.CharField(max_length=20, choices=FormFactor.choices, default=FormFactor.BICYCLE)
    propulsion = models.CharField(max_length=20, choices=Propulsion.choices, default=Propulsion.HUMAN)
    max_range_meters = models.PositiveIntegerField(
        null=True, blank=True, help_text="Range on a full battery (electric assist only)."
    )

    class Meta:
        ordering = ("name", "id")

    def __str__(self) -> str:
        return self.name

    @property
    def is_electric(self) -> bool:
        return self.propulsion == self.Propulsion.ELECTRIC_ASSIST


class PricingPlan(BaseModel):
    """A GBFS pricing plan: ``price`` once per trip plus ``per_min_pricing`` segments, optionally capped."""

    name = models.CharField(max_length=100)
    currency = models.CharField(max_length=3, help_text="ISO 4217 code, e.g. EUR.")
    price = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal(0), help_text="Charged once per trip (unlock fee)."
    )
    per_min_pricing = models.JSONField(
        default=list, blank=True, help_text="Segments [{start, rate, interval, end?}] in minutes; see GBFS."
    )
    fare_cap_duration = models.PositiveIntegerField(null=True, blank=True, help_text="Cap period in minutes.")
    fare_cap_price = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, help_text="Most a cap period costs."
    )
    is_taxable = models.BooleanField(default=False)
    description = models.TextField(blank=True)
    is_default = models.BooleanField(default=False, help_text="Rentals started without a plan use this one.")

    class Meta:
        ordering = ("name", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True, is_active=True), name="bikes_one_default_plan"
            ),
            models.CheckConstraint(condition=Q(price__gte=0), name="bikes_plan_price_not_negative"),
            models.CheckConstraint(
                condition=Q(fare_cap_duration__isnull=True, fare_cap_price__isnull=True)
                | Q(fare_cap_duration__gt=0, fare_cap_price__gte=0),
                name="bikes_plan_cap_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.currency})"


class Bike(BaseModel):
    class Status(models.TextChoices):
        AVAILABLE = "available"
        RENTED = "rented"
        MAINTENANCE = "maintenance"

    serial = models.CharField(max_length=40)
    vehicle_type = models.ForeignKey(VehicleType, on_delete=models.PROTECT, related_name="bikes")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.AVAILABLE)
    station = models.ForeignKey(Station, null=True, blank=True, on_delete=models.PROTECT, related_name="bikes")
    current_range_meters = models.PositiveIntegerField(null=True, blank=True)
    photo = models.ImageField(upload_to="bikes/photos/", storage=bikes_storage, blank=True)
    # The id GBFS feeds publish. It changes after every trip so that nobody can follow one bike's rides.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status_changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("serial", "id")
        constraints = [
            models.UniqueConstraint(fields=["serial"], condition=Q(is_active=True), name="bikes_serial_unique_active"),
            # A rented bike is in no dock; an available one is in one; one in repair may be either.
            models.CheckConstraint(
                condition=Q(status="rented", station__isnull=True)
                | Q(status="available", station__isnull=False)
                | Q(status="maintenance"),
                name="bikes_bike_status_matches_station",
            ),
        ]
        indexes = [models.Index(fields=["station", "status"], name="bikes_bike_station_status")]

    def __str__(self) -> str:
        return self.serial


class Rental(BaseModel):
    class CostStatus(models.TextChoices):
        PENDING = "pending"  # riding, or finished and waiting for the pricing task
        PRICED = "priced"
        FAILED = "failed"

    rider = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="rentals")
    bike = models.ForeignKey(Bike, on_delete=models.PROTECT, related_name="rentals")
    plan = models.ForeignKey(PricingPlan, on_delete=models.PROTECT, related_name="rentals")
    # The plan as it was when the ride started: a later change of the plan does not change this ride's price.
    plan_terms = models.JSONField(default=dict, editable=False)
    currency = models.CharField(max_length=3)
    started_at = models.DateTimeField(default=timezone.now)
    start_station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="rentals_started")
    ended_at = models.DateTimeField(null=True, blank=True)
    end_station = models.ForeignKey(
        Station, null=True, blank=True, on_delete=models.PROTECT, related_name="rentals_ended"
    )
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    cost = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    cost_status = models.CharField(max_length=8, choices=CostStatus.choices, default=CostStatus.PENDING)
    priced_at = models.DateTimeField(null=True, blank=True)
    pricing_error = models.CharField(max_length=300, blank=True)
    receipt = models.FileField(upload_to="bikes/receipts/", storage=bikes_storage, blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ("-started_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=["rider"], condition=Q(ended_at__isnull=True), name="bikes_one_active_rental_per_rider"
            ),
            models.UniqueConstraint(
                fields=["bike"], condition=Q(ended_at__isnull=True), name="bikes_one_active_rental_per_bike"
            ),
            models.CheckConstraint(condition=Q(cost__isnull=True) | Q(cost__gte=0), name="bikes_cost_not_negative"),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")),
                name="bikes_rental_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(cost_status="priced") | Q(cost__isnull=False), name="bikes_priced_has_cost"
            ),
        ]
        indexes = [
            models.Index(fields=["rider", "-started_at"], name="bikes_rental_rider_started"),
            models.Index(fields=["cost_status", "ended_at"], name="bikes_rental_pricing_queue"),
        ]

    def __str__(self) -> str:
        return f"Ride #{self.pk}"

    @property
    def is_riding(self) -> bool:
        return self.ended_at is None

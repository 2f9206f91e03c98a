"""Partner branches: other libraries' branches whose copies our members can reserve.

A branch runs its own service (``services/branch``); we keep what we learnt from it
(``PartnerAvailability``, refreshed by Celery beat), what our members reserved there
(``PartnerReservation``) and every HTTP call we made to it (``PartnerCall``). The circuit
breaker's state lives on the branch row, so every web and worker process shares it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from circulate.core.models import BaseModel


class PartnerBranch(BaseModel):
    name = models.CharField(max_length=200)
    code = models.SlugField(max_length=50, unique=True)
    base_url = models.URLField(help_text="Where the branch service answers, e.g. http://127.0.0.1:5013.")
    token = models.CharField(max_length=200, help_text="Bearer token of the branch service; never shown by the API.")
    connect_timeout = models.FloatField(default=2.0, validators=[MinValueValidator(0.05), MaxValueValidator(30)])
    read_timeout = models.FloatField(default=5.0, validators=[MinValueValidator(0.05), MaxValueValidator(60)])
    max_attempts = models.PositiveSmallIntegerField(default=3, validators=[MinValueValidator(1), MaxValueValidator(6)])
    enabled = models.BooleanField(default=True, help_text="Members may see and reserve its copies.")
    # The circuit breaker: consecutive failed calls, and until when calls are refused without trying.
    breaker_failures = models.PositiveIntegerField(default=0, editable=False)
    breaker_open_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_refresh_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.CharField(max_length=300, blank=True, editable=False)

    class Meta:
        ordering = ("name", "id")
        verbose_name_plural = "partner branches"

    def __str__(self) -> str:
        return self.name


class PartnerAvailability(models.Model):
    class Outcome(models.TextChoices):
        OK = "ok"
        NOT_HELD = "not_held", "not held by the branch"
        UNAVAILABLE = "unavailable", "branch unavailable"

    branch = models.ForeignKey(PartnerBranch, on_delete=models.CASCADE, related_name="availability")
    isbn = models.CharField(max_length=13)
    copies_available = models.PositiveIntegerField(default=0)
    copies_total = models.PositiveIntegerField(default=0)
    holds = models.PositiveIntegerField(default=0)
    checked_at = models.DateTimeField()
    outcome = models.CharField(max_length=20, choices=Outcome.choices)

    class Meta:
        ordering = ("branch_id", "isbn")
        verbose_name_plural = "partner availability"
        constraints = [models.UniqueConstraint(fields=["branch", "isbn"], name="partners_availability_branch_isbn_uq")]
        indexes = [models.Index(fields=["isbn"], name="partners_availability_isbn")]

    def __str__(self) -> str:
        return f"{self.isbn} at {self.branch_id}: {self.copies_available}"


class PartnerReservation(BaseModel):
    class Status(models.TextChoices):
        REQUESTED = "requested", "requested (the branch has not confirmed)"
        PENDING = "pending"
        READY = "ready"
        CANCELLED = "cancelled"
        COLLECTED = "collected"
        FAILED = "failed"

    OPEN = (Status.REQUESTED, Status.PENDING, Status.READY)

    branch = models.ForeignKey(PartnerBranch, on_delete=models.PROTECT, related_name="reservations")
    book = models.ForeignKey("library.Book", on_delete=models.PROTECT, related_name="partner_reservations")
    member = models.ForeignKey("library.Member", on_delete=models.PROTECT, related_name="partner_reservations")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    remote_id = models.PositiveBigIntegerField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REQUESTED)
    pickup_until = models.DateTimeField(null=True, blank=True)
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            # One open reservation per member, book and branch: a double click reserves once.
            models.UniqueConstraint(
                fields=["branch", "book", "member"],
                condition=Q(status__in=["requested", "pending", "ready"]),
                name="partners_reservation_one_open",
            ),
        ]
        indexes = [models.Index(fields=["status"], name="partners_reservation_status")]

    def __str__(self) -> str:
        return f"{self.book_id} for {self.member_id} at {self.branch_id} ({self.status})"


class PartnerCall(models.Model):
    """One HTTP attempt to a branch: what we asked, what came back, how long it took."""

    branch = models.ForeignKey(PartnerBranch, on_delete=models.CASCADE, related_name="calls")
    method = models.CharField(max_length=10)
    url = models.CharField(max_length=500)
    status = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Empty when no answer came.")
    duration_ms = models.PositiveIntegerField(default=0)
    attempt = models.PositiveSmallIntegerField(default=1, help_text="0: refused by the open circuit breaker.")
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.method} {self.url} → {self.status or self.error}"

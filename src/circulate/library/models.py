"""The library: catalogue (authors, books), readers with cards, likes, holds and loans.

Circulation follows real library systems: a member's card belongs to a tier that sets
the loan limit, the loan period, the renewals allowed, the hold limit and the pickup
window. Invariants that concurrent requests could break are constraints here:
``0 <= copies_available <= copies_total``, one active hold and one open loan per
member and book, one ISBN among active books, one reminder per loan per day.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from circulate.core.models import BaseModel
from circulate.library.isbn import validate_isbn13


class Author(BaseModel):
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ("name", "id")
        indexes = [models.Index(fields=["name", "id"], name="library_author_name")]

    def __str__(self) -> str:
        return self.name


class Book(BaseModel):
    title = models.CharField(max_length=300)
    isbn = models.CharField("ISBN-13", max_length=13, validators=[validate_isbn13])
    description = models.TextField(blank=True)
    year = models.SmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1000), MaxValueValidator(2100)]
    )
    authors = models.ManyToManyField(Author, related_name="books", blank=True)
    copies_total = models.PositiveIntegerField(default=1)
    copies_available = models.PositiveIntegerField(default=1)
    # A counter kept by the like/unlike services with conditional updates, so that
    # ordering 100,000 books by popularity is an index scan, not an aggregate.
    likes_count = models.PositiveIntegerField(default=0)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="library_books_added"
    )
    cover = models.ImageField(upload_to="library/covers/", blank=True)
    # Title and author names in one column, kept by the services, so that a search over
    # both is one trigram index scan on PostgreSQL instead of a join per match.
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ("title", "id")
        constraints = [
            models.CheckConstraint(
                condition=Q(copies_available__gte=0) & Q(copies_available__lte=F("copies_total")),
                name="library_book_copies_available_in_range",
            ),
            models.UniqueConstraint(fields=["isbn"], condition=Q(is_active=True), name="library_book_isbn_active_uq"),
        ]
        indexes = [
            models.Index(fields=["title", "id"], condition=Q(is_active=True), name="library_book_title"),
            models.Index(fields=["-created_at", "-id"], condition=Q(is_active=True), name="library_book_newest"),
            models.Index(
                fields=["-likes_count", "title", "id"], condition=Q(is_active=True), name="library_book_liked"
            ),
            models.Index(
                fields=["title", "id"], condition=Q(is_active=True, copies_available__gt=0), name="library_book_avail"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_available(self) -> bool:
        return self.copies_available > 0


class MembershipTier(BaseModel):
    """A patron category (Koha's "category"): the circulation rules for its cards."""

    name = models.CharField(max_length=100, unique=True)
    loan_limit = models.PositiveSmallIntegerField(default=3, help_text="Unreturned loans a member may hold.")
    loan_period_days = models.PositiveSmallIntegerField(default=14)
    max_renewals = models.PositiveSmallIntegerField(default=2)
    renewal_grace_days = models.PositiveSmallIntegerField(
        default=0, help_text="How many days after the due date a loan may still be renewed."
    )
    hold_limit = models.PositiveSmallIntegerField(default=5, help_text="Waiting or ready reservations at once.")
    pickup_window_days = models.PositiveSmallIntegerField(default=3)
    card_validity_days = models.PositiveSmallIntegerField(default=365)
    self_checkout = models.BooleanField(default=True, help_text="Members may issue loans to themselves.")
    is_default = models.BooleanField(default=False, help_text="Cards issued without a tier get this one.")

    class Meta:
        ordering = ("name",)
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="library_tier_one_default"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Member(BaseModel):
    """A reader. Self-service members are linked to a user account; walk-in readers are not."""

    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="library_member"
    )

    class Meta:
        ordering = ("name", "id")
        indexes = [
            models.Index(fields=["name", "id"], name="library_member_name"),
            models.Index(fields=["email"], name="library_member_email"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def contact_email(self) -> str:
        if self.email:
            return self.email
        return self.user.email if self.user_id and self.user else ""


class MembershipCard(BaseModel):
    member = models.OneToOneField(Member, on_delete=models.CASCADE, related_name="card")
    number = models.CharField(max_length=20, unique=True)
    tier = models.ForeignKey(MembershipTier, on_delete=models.PROTECT, related_name="cards")
    valid_until = models.DateField()

    class Meta:
        ordering = ("number",)

    def __str__(self) -> str:
        return self.number

    def is_valid_on(self, day: date) -> bool:
        return self.is_active and self.valid_until >= day


class Like(BaseModel):
    """A member likes a book. Unliking deactivates the row; liking again reactivates it."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="likes")
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="likes")
    liked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-liked_at", "-id")
        constraints = [models.UniqueConstraint(fields=["book", "member"], name="library_like_book_member_uq")]

    def __str__(self) -> str:
        return f"{self.member_id} likes {self.book_id}"


class Loan(BaseModel):
    """A copy lent to a member. The history stays: returning sets ``returned_at``."""

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="loans")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="loans")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    returned_at = models.DateTimeField(null=True, blank=True)
    renewals = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("-issued_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "book"], condition=Q(returned_at__isnull=True), name="library_loan_one_open_uq"
            )
        ]
        indexes = [
            models.Index(fields=["member", "-issued_at"], name="library_loan_member"),
            models.Index(fields=["book", "-issued_at"], name="library_loan_book"),
            models.Index(fields=["due_at"], condition=Q(returned_at__isnull=True), name="library_loan_open_due"),
        ]

    def __str__(self) -> str:
        return f"Loan #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.returned_at is None


class Reservation(BaseModel):
    """A hold: ``waiting`` in first-come order, ``ready`` once a copy is set aside."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting"
        READY = "ready", "Ready for pickup"
        FULFILLED = "fulfilled", "Fulfilled"
        CANCELLED = "cancelled", "Cancelled"
        EXPIRED = "expired", "Expired"

    ACTIVE_STATUSES = (Status.WAITING, Status.READY)

    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="reservations")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="reservations")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.WAITING)
    ready_at = models.DateTimeField(null=True, blank=True)
    ready_until = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "book"],
                condition=Q(status__in=["waiting", "ready"]),
                name="library_reservation_one_active_uq",
            )
        ]
        indexes = [
            models.Index(fields=["book", "status", "id"], name="library_resv_queue"),
            models.Index(fields=["member", "status"], name="library_resv_member"),
            models.Index(fields=["ready_until"], condition=Q(status="ready"), name="library_resv_ready_until"),
        ]

    def __str__(self) -> str:
        return f"Reservation #{self.pk} ({self.status})"


class LoanReminder(BaseModel):
    """An e-mail reminder sent for a loan. The unique date makes it one per loan per day."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", "Due soon"
        OVERDUE = "overdue", "Overdue"

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    sent_on = models.DateField()

    class Meta:
        ordering = ("-sent_on", "-id")
        constraints = [models.UniqueConstraint(fields=["loan", "sent_on"], name="library_reminder_one_per_day_uq")]

    def __str__(self) -> str:
        return f"{self.kind} reminder for loan #{self.loan_id} on {self.sent_on}"

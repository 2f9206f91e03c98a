"""Input serializers (what a client may write) and output serializers (what it reads back)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from circulate.accounts.models import User
from circulate.core.api import ReadModelSerializer
from circulate.library.isbn import normalize_isbn
from circulate.library.models import Author, Book, Loan, Member, MembershipCard, MembershipTier, Reservation

# --- Authors ------------------------------------------------------------------------------------


class AuthorInputSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200)


class AuthorSerializer(ReadModelSerializer[Author]):
    class Meta:
        model = Author
        fields = ["id", "name", "created_at", "updated_at"]


class AuthorBriefSerializer(ReadModelSerializer[Author]):
    class Meta:
        model = Author
        fields = ["id", "name"]


# --- Books ----------------------------------------------------------------------------------------


class BookInputSerializer(serializers.Serializer[Any]):
    """Fields left out of a PUT or PATCH keep their value."""

    title = serializers.CharField(max_length=300)
    isbn = serializers.CharField(max_length=20, help_text="ISBN-10 or ISBN-13, hyphens allowed; stored as ISBN-13.")
    authors = serializers.PrimaryKeyRelatedField(
        queryset=Author.objects.all(), many=True, required=False, help_text="Author ids."
    )
    copies_total = serializers.IntegerField(min_value=1, max_value=10_000, required=False, help_text="Default 1.")
    description = serializers.CharField(required=False, allow_blank=True)
    year = serializers.IntegerField(min_value=1000, max_value=2100, required=False, allow_null=True)
    cover = serializers.ImageField(required=False, allow_null=True, help_text="Cover image (multipart uploads only).")

    def validate_isbn(self, value: str) -> str:
        try:
            return normalize_isbn(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages[0]) from exc


class BookSerializer(ReadModelSerializer[Book]):
    authors = AuthorBriefSerializer(many=True, read_only=True)
    is_available = serializers.BooleanField(read_only=True)
    liked_by_me = serializers.BooleanField(read_only=True, help_text="Whether the caller likes this book.")
    cover = serializers.ImageField(read_only=True, allow_null=True)

    class Meta:
        model = Book
        fields = [
            "id",
            "title",
            "isbn",
            "authors",
            "description",
            "year",
            "copies_total",
            "copies_available",
            "is_available",
            "likes_count",
            "liked_by_me",
            "cover",
            "added_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


# --- Tiers, members and cards ----------------------------------------------------------------------


class MembershipTierSerializer(ReadModelSerializer[MembershipTier]):
    class Meta:
        model = MembershipTier
        fields = [
            "id",
            "name",
            "loan_limit",
            "loan_period_days",
            "max_renewals",
            "renewal_grace_days",
            "hold_limit",
            "pickup_window_days",
            "card_validity_days",
            "self_checkout",
            "is_default",
        ]
        read_only_fields = fields


class CardSerializer(ReadModelSerializer[MembershipCard]):
    tier = MembershipTierSerializer(read_only=True)
    is_valid = serializers.SerializerMethodField(  # type: ignore[assignment]  # the JSON key, not the method
        help_text="Active and not expired today."
    )

    class Meta:
        model = MembershipCard
        fields = ["number", "member", "tier", "valid_until", "is_valid", "created_at", "updated_at"]
        read_only_fields = fields

    def get_is_valid(self, card: MembershipCard) -> bool:
        return card.is_valid_on(timezone.localdate())


class CardInputSerializer(serializers.Serializer[Any]):
    tier = serializers.PrimaryKeyRelatedField(
        queryset=MembershipTier.objects.all(),
        required=False,
        allow_null=True,
        help_text="Tier id; omitted: the card's current tier, or the default tier for a new card.",
    )
    valid_until = serializers.DateField(
        required=False, allow_null=True, help_text="Omitted: extended by the tier's card validity period."
    )

    def validate_valid_until(self, value: date | None) -> date | None:
        if value is not None and value < timezone.localdate():
            raise serializers.ValidationError("Choose a date from today on.")
        return value


class MemberInputSerializer(serializers.Serializer[Any]):
    """Fields left out of a PUT or PATCH keep their value."""

    name = serializers.CharField(max_length=200)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="The user account of a self-service member; null for a walk-in reader.",
    )


class MemberSerializer(ReadModelSerializer[Member]):
    # allow_blank documents "" (a walk-in member who gave none) beside a valid address.
    email = serializers.EmailField(read_only=True, allow_blank=True)
    card = serializers.SerializerMethodField(help_text="The active membership card, or null.")

    class Meta:
        model = Member
        fields = ["id", "name", "email", "phone", "user", "card", "created_at", "updated_at"]
        read_only_fields = fields

    @extend_schema_field(CardSerializer(allow_null=True))
    def get_card(self, member: Member) -> dict[str, Any] | None:
        card = getattr(member, "card", None)
        if card is None or not card.is_active:
            return None
        return CardSerializer(card, context=self.context).data


# --- Loans and reservations -------------------------------------------------------------------------


class LoanInputSerializer(serializers.Serializer[Any]):
    book = serializers.IntegerField(min_value=1, help_text="Book id.")
    member = serializers.IntegerField(
        min_value=1, required=False, help_text="Member id; members borrowing for themselves may leave it out."
    )


class LoanSerializer(ReadModelSerializer[Loan]):
    book_title = serializers.CharField(source="book.title", read_only=True)
    member_name = serializers.CharField(source="member.name", read_only=True)
    status = serializers.SerializerMethodField(help_text="active, overdue or returned.")
    renewals_left = serializers.SerializerMethodField(help_text="Renewals the member's tier still allows.")

    class Meta:
        model = Loan
        fields = [
            "id",
            "book",
            "book_title",
            "member",
            "member_name",
            "status",
            "issued_by",
            "issued_at",
            "due_at",
            "returned_at",
            "renewals",
            "renewals_left",
        ]
        read_only_fields = fields

    def get_status(self, loan: Loan) -> str:
        if loan.returned_at is not None:
            return "returned"
        return "overdue" if loan.due_at < timezone.now() else "active"

    def get_renewals_left(self, loan: Loan) -> int:
        card = getattr(loan.member, "card", None)
        if loan.returned_at is not None or card is None or not card.is_active:
            return 0
        return max(card.tier.max_renewals - loan.renewals, 0)


class ReservationInputSerializer(serializers.Serializer[Any]):
    book = serializers.IntegerField(min_value=1, help_text="Book id.")
    member = serializers.IntegerField(
        min_value=1, required=False, help_text="Member id (librarians); members reserve for themselves."
    )


class ReservationSerializer(ReadModelSerializer[Reservation]):
    book_title = serializers.CharField(source="book.title", read_only=True)
    member_name = serializers.CharField(source="member.name", read_only=True)
    position = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Place in the queue for a waiting hold (1 = next); else null."
    )

    class Meta:
        model = Reservation
        fields = [
            "id",
            "book",
            "book_title",
            "member",
            "member_name",
            "status",
            "position",
            "ready_at",
            "ready_until",
            "closed_at",
            "created_at",
        ]
        read_only_fields = fields

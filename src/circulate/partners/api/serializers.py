"""What the partners API reads and writes. A branch's token never leaves the server."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from circulate.core.api import ReadModelSerializer
from circulate.partners.client import breaker_state
from circulate.partners.models import PartnerBranch, PartnerCall, PartnerReservation


class PartnerBranchSerializer(ReadModelSerializer[PartnerBranch]):
    breaker = serializers.SerializerMethodField(help_text="closed, open (calls refused at once) or half_open.")
    healthy = serializers.SerializerMethodField(help_text="The last call succeeded and the breaker is closed.")

    class Meta:
        model = PartnerBranch
        fields = (
            "id",
            "name",
            "code",
            "base_url",
            "enabled",
            "connect_timeout",
            "read_timeout",
            "max_attempts",
            "breaker",
            "healthy",
            "breaker_failures",
            "last_error",
            "last_success_at",
            "last_refresh_at",
        )
        read_only_fields = fields

    def get_breaker(self, branch: PartnerBranch) -> str:
        return breaker_state(branch)

    def get_healthy(self, branch: PartnerBranch) -> bool:
        return branch.breaker_failures == 0 and branch.breaker_open_until is None and not branch.last_error


class PartnerBranchRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    code = serializers.CharField()
    breaker = serializers.CharField()


class PartnerAvailabilitySerializer(serializers.Serializer[Any]):
    branch = PartnerBranchRefSerializer()
    outcome = serializers.ChoiceField(choices=["ok", "not_held", "unavailable"])
    origin = serializers.ChoiceField(
        source="source", choices=["stored", "live"], help_text="stored: the periodic refresh; live: asked now."
    )
    copies_available = serializers.IntegerField(allow_null=True)
    copies_total = serializers.IntegerField(allow_null=True)
    holds = serializers.IntegerField(allow_null=True)
    checked_at = serializers.DateTimeField(allow_null=True)


class PartnerStatusSerializer(serializers.Serializer[Any]):
    book = serializers.IntegerField()
    isbn = serializers.CharField()
    branches = PartnerAvailabilitySerializer(many=True)


class PartnerReservationInputSerializer(serializers.Serializer[Any]):
    branch = serializers.IntegerField(min_value=1)
    member = serializers.IntegerField(min_value=1, required=False, help_text="Librarians: the member to reserve for.")


class PartnerReservationSerializer(ReadModelSerializer[PartnerReservation]):
    branch = serializers.SerializerMethodField()
    book = serializers.SerializerMethodField()
    member = serializers.SerializerMethodField()

    class Meta:
        model = PartnerReservation
        fields = ("id", "status", "branch", "book", "member", "remote_id", "pickup_until", "synced_at", "created_at")
        read_only_fields = fields

    def get_branch(self, row: PartnerReservation) -> dict[str, Any]:
        return {"id": row.branch_id, "name": row.branch.name, "code": row.branch.code}

    def get_book(self, row: PartnerReservation) -> dict[str, Any]:
        return {"id": row.book_id, "title": row.book.title, "isbn": row.book.isbn}

    def get_member(self, row: PartnerReservation) -> dict[str, Any]:
        return {"id": row.member_id, "name": row.member.name}


class PartnerCallSerializer(ReadModelSerializer[PartnerCall]):
    branch = serializers.CharField(source="branch.code")

    class Meta:
        model = PartnerCall
        fields = ("id", "branch", "method", "url", "status", "duration_ms", "attempt", "error", "created_at")
        read_only_fields = fields

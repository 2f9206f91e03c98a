"""Reads of the partners app: who sees which reservations, the branches, the call log."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from circulate.core.permissions import UserLike
from circulate.library.selectors import is_librarian
from circulate.partners.models import PartnerAvailability, PartnerBranch, PartnerCall, PartnerReservation


def is_partner_staff(user: UserLike | None) -> bool:
    """Librarians and staff read every reservation, the branches' health and the call log."""
    return user is not None and user.is_authenticated and (bool(user.is_staff) or is_librarian(user))


def enabled_branches() -> QuerySet[PartnerBranch]:
    return PartnerBranch.objects.filter(enabled=True).order_by("name", "id")


def branches() -> QuerySet[PartnerBranch]:
    return PartnerBranch.objects.order_by("name", "id")


def fresh_since() -> datetime:
    return timezone.now() - timedelta(minutes=settings.PARTNERS_AVAILABILITY_FRESH_MINUTES)


def stored_availability(*, isbn: str) -> dict[int, PartnerAvailability]:
    return {row.branch_id: row for row in PartnerAvailability.objects.filter(isbn=isbn)}


def reservations_for(*, user: UserLike | None) -> QuerySet[PartnerReservation]:
    queryset = PartnerReservation.objects.select_related("branch", "book", "member")
    if is_partner_staff(user):
        return queryset
    if user is None or not user.is_authenticated:
        return queryset.none()
    return queryset.filter(member__user_id=user.pk)


def calls() -> QuerySet[PartnerCall]:
    return PartnerCall.objects.select_related("branch")


def open_remote_reservations() -> QuerySet[PartnerReservation]:
    return PartnerReservation.objects.filter(status__in=PartnerReservation.OPEN).select_related(
        "branch", "book", "member"
    )

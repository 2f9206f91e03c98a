"""Membership tiers and cards: the default tier, issuing, renewing and revoking cards."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from circulate.accounts.models import User
from circulate.audit import services as audit
from circulate.core.errors import InvalidInputError, NotFoundError
from circulate.core.services import soft_delete
from circulate.library import selectors
from circulate.library.models import (
    MembershipCard,
    MembershipTier,
)
from circulate.library.services._access import (
    lock_member,
    require_librarian,
)

DEFAULT_TIER_NAME = "Standard"


CARD_FIELDS = ("number", "tier", "valid_until", "is_active")


TIER_FIELDS = ("name", "loan_limit", "loan_period_days", "max_renewals", "hold_limit", "is_default")


@audit.audited("library.tier.create")
def default_tier() -> MembershipTier:
    """The tier of cards issued without one; a "Standard" tier with the usual rules is created on first need."""
    tier = MembershipTier.objects.filter(is_default=True).order_by("pk").first()
    if tier is not None:
        return tier
    try:
        with transaction.atomic():
            tier, made = MembershipTier.objects.get_or_create(name=DEFAULT_TIER_NAME, defaults={"is_default": True})
            if made:
                audit.record("library.tier.create", actor=None, target=tier, changes=audit.created(tier, TIER_FIELDS))
    except IntegrityError:  # created by a concurrent request
        tier = MembershipTier.objects.get(name=DEFAULT_TIER_NAME)
    return tier


def _new_card_number() -> str:
    while True:
        number = f"LIB-{secrets.randbelow(10**10):010d}"
        if not MembershipCard.all_objects.filter(number=number).exists():
            return number


@dataclass(frozen=True)
class CardResult:
    card: MembershipCard
    created: bool


@audit.audited("library.card.issue", "library.card.renew")
@transaction.atomic
def issue_or_renew_card(
    *,
    actor: User,
    member_id: int,
    tier: MembershipTier | None = None,
    valid_until: date | None = None,
    today: date | None = None,
) -> CardResult:
    """Issue a card (default tier when none is given) or renew the member's card.

    Renewing keeps the number and, unless told otherwise, the tier, and extends the
    validity by the tier's card period from today or from the current end, whichever is later.
    """
    require_librarian(actor, "issue membership cards")
    today = today or timezone.localdate()
    member = lock_member(member_id)
    card = MembershipCard.all_objects.select_for_update().filter(member=member).first()
    current = card if card is not None and card.is_active else None
    chosen = tier or (current.tier if current else default_tier())
    if valid_until is None:
        start = max(today, current.valid_until) if current else today
        valid_until = start + timedelta(days=chosen.card_validity_days)
    if valid_until < today:
        raise InvalidInputError("A card cannot be valid only until a past date.", field="valid_until")
    created = current is None
    if card is None:
        card = MembershipCard(member=member)
    before = audit.snapshot(card, CARD_FIELDS) if card.pk else dict.fromkeys(CARD_FIELDS)
    if created:
        card.number = _new_card_number()  # a revoked card is re-issued under a new number
    card.tier = chosen
    card.valid_until = valid_until
    card.is_active = True
    card.save()
    action = "library.card.issue" if created else "library.card.renew"
    audit.record(action, actor=actor, target=card, changes=audit.changes_since(before, card))
    return CardResult(card=card, created=created)


@audit.audited("library.card.revoke")
@transaction.atomic
def revoke_card(*, actor: User, member_id: int) -> None:
    require_librarian(actor, "revoke membership cards")
    member = lock_member(member_id)
    card = selectors.active_card(member=member)
    if card is None:
        raise NotFoundError(f"{member.name} has no membership card.")
    soft_delete(instance=card)
    audit.record("library.card.revoke", actor=actor, target=card, changes={"is_active": (True, False)})

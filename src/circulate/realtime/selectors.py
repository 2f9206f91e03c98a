"""Reads of notifications shared by the REST API and the WebSocket consumer.

An event is visible to a user when its audience is everyone, a role the user
holds (superusers hold them all), or names the user; never when the user is its
actor. The unread count is the number of visible events after the user's read
cursor; it stops at ``UNREAD_COUNT_LIMIT`` (a client shows "1000+") so that it
stays a short index range scan however many events there are.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from circulate.accounts.models import User
from circulate.accounts.roles import ALL_ROLES
from circulate.core.permissions import role_names
from circulate.realtime.audience import EVERYONE, ROLE
from circulate.realtime.models import Event, EventRecipient, ReadCursor

UNREAD_COUNT_LIMIT = 1000
REPLAY_LIMIT = 500


def notification_roles(*, user: User) -> frozenset[str]:
    """The roles whose events ``user`` receives."""
    if user.is_superuser:
        return frozenset(ALL_ROLES)
    return role_names(user) & frozenset(ALL_ROLES)


def visible_events(*, user: User, roles: frozenset[str] | None = None) -> QuerySet[Event]:
    """Every event ``user`` may see, newest first."""
    if roles is None:
        roles = notification_roles(user=user)
    addressed = EventRecipient.objects.filter(user_id=user.pk).values("event_id")
    return (
        Event.objects.filter(Q(audience=EVERYONE) | Q(audience=ROLE, role__in=sorted(roles)) | Q(seq__in=addressed))
        .exclude(actor_id=user.pk)
        .order_by("-seq")
    )


def last_seen_seq(*, user: User) -> int:
    seen = ReadCursor.objects.filter(user_id=user.pk).values_list("last_seen_seq", flat=True).first()
    return seen or 0


def unread_count(*, user: User, roles: frozenset[str] | None = None) -> int:
    """Visible events after the user's read cursor, at most ``UNREAD_COUNT_LIMIT``; one query.

    Each part of the union is a range scan of its own index: (audience, role, seq)
    for everyone and role events, (user, event) for events naming the user.
    """
    if roles is None:
        roles = notification_roles(user=user)
    cursor = Coalesce(
        Subquery(ReadCursor.objects.filter(user_id=user.pk).values("last_seen_seq")[:1]),
        Value(0),
    )
    to_everyone = (
        Event.objects.filter(audience=EVERYONE, role="", seq__gt=cursor)
        .exclude(actor_id=user.pk)
        .order_by()
        .values_list("seq")
    )
    parts: list[QuerySet[Any, tuple[int]]] = [
        EventRecipient.objects.filter(user_id=user.pk, event_id__gt=cursor).order_by().values_list("event_id")
    ]
    if roles:
        parts.append(
            Event.objects.filter(audience=ROLE, role__in=sorted(roles), seq__gt=cursor)
            .exclude(actor_id=user.pk)
            .order_by()
            .values_list("seq")
        )
    return to_everyone.union(*parts, all=True)[:UNREAD_COUNT_LIMIT].count()


def latest_visible_seq(*, user: User, roles: frozenset[str] | None = None) -> int:
    """The sequence number of the newest event ``user`` may see, 0 when there is none."""
    latest = visible_events(user=user, roles=roles).values_list("seq", flat=True).first()
    return latest or 0


def latest_seq() -> int:
    """The sequence number of the newest event of all."""
    latest = Event.objects.order_by("-seq").values_list("seq", flat=True).first()
    return latest or 0


def missed_events(*, user: User, after: int, roles: frozenset[str] | None = None) -> list[Event]:
    """The newest ``REPLAY_LIMIT`` visible events after ``after``, oldest first (for a reconnecting client)."""
    newest = list(visible_events(user=user, roles=roles).filter(seq__gt=after)[:REPLAY_LIMIT])
    newest.reverse()
    return newest

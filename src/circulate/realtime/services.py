"""Publishing domain events and moving read cursors.

Services call :func:`publish` inside their transaction. The event is stored and
fanned out to the channel layer only after the transaction commits, so a
rolled-back write sends nothing. The actor never receives its own event.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from circulate.accounts.models import User
from circulate.core.db import after_commit, lock_user
from circulate.core.errors import InvalidInputError
from circulate.realtime import selectors
from circulate.realtime.audience import USERS, Audience, user_group
from circulate.realtime.models import Event, EventRecipient, ReadCursor

logger = logging.getLogger(__name__)

# Group message types, handled by NotificationConsumer.notify_event / notify_unread.
EVENT_MESSAGE = "notify.event"
UNREAD_MESSAGE = "notify.unread"


def publish(event_type: str, payload: dict[str, Any], *, audience: Audience, actor: User | None = None) -> None:
    """Store and broadcast ``event_type`` to ``audience`` once the current transaction commits."""
    if not event_type or len(event_type) > Event._meta.get_field("type").max_length:  # type: ignore[operator]
        raise ValueError(f"Bad event type {event_type!r}.")
    # Round-trip through JSON now: a payload that cannot be stored fails in the caller, not after commit,
    # and the socket and the REST API then carry exactly the same data.
    data = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    # The write has committed; a failure to notify is logged, it does not fail the request.
    after_commit(_store_and_send, event_type, data, audience, actor_id)


def _store_and_send(event_type: str, data: dict[str, Any], audience: Audience, actor_id: int | None) -> None:
    recipient_ids = [pk for pk in audience.user_ids if pk != actor_id]
    with transaction.atomic():
        event = Event.objects.create(
            type=event_type, payload=data, audience=audience.kind, role=audience.role, actor_id=actor_id
        )
        EventRecipient.objects.bulk_create([EventRecipient(event=event, user_id=pk) for pk in recipient_ids])
    # "sent": when it left, so that a socket can tell it has fallen behind (consumers.MAX_EVENT_DELAY_SECONDS).
    message = {"type": EVENT_MESSAGE, "event": serialize_event(event), "actor_id": actor_id, "sent": time.time()}
    groups = [user_group(pk) for pk in recipient_ids] if audience.kind == USERS else audience.groups()
    for group in groups:
        _group_send(group, message)


def _group_send(group: str, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:  # the event is stored; a client that missed it gets it on reconnect
        logger.exception("could not send %s to group %s", message["type"], group)


def serialize_event(event: Event) -> dict[str, Any]:
    """The JSON an event has on the socket and in the REST list."""
    at = event.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return {"type": event.type, "seq": event.seq, "at": at, "data": event.payload}


@transaction.atomic
def mark_seen(*, user: User, seq: int | None = None) -> int:
    """Move ``user``'s read cursor forward to ``seq`` (default: their newest visible event).

    The cursor never moves back: the update is conditional, so of two concurrent
    calls the larger ``seq`` wins whatever the order. Returns the cursor. The
    user's open sockets are told their new unread count after the commit. Calls for one user
    queue on their row lock: the first creates the cursor, the others then move it.
    """
    lock_user(user.pk)
    if seq is None:
        seq = selectors.latest_visible_seq(user=user)
    elif seq < 0:
        raise InvalidInputError("The sequence number cannot be negative.", field="seq")
    elif seq > selectors.latest_seq():
        raise InvalidInputError(f"There is no event #{seq} yet.", field="seq")
    ReadCursor.objects.bulk_create([ReadCursor(user=user)], ignore_conflicts=True)
    ReadCursor.objects.filter(user=user, last_seen_seq__lt=seq).update(last_seen_seq=seq, updated_at=timezone.now())
    seen = selectors.last_seen_seq(user=user)
    after_commit(_group_send, user_group(user.pk), {"type": UNREAD_MESSAGE, "last_seen_seq": seen})
    return seen

"""Publishing domain events.

Services call :func:`publish` inside their transaction. The event is stored and
fanned out to the channel layer only after the transaction commits, so a
rolled-back write sends nothing. The actor never receives its own event.
"""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from circulate.accounts.models import User
from circulate.realtime.audience import Audience
from circulate.realtime.models import Event

logger = logging.getLogger(__name__)


def publish(event_type: str, payload: dict[str, Any], *, audience: Audience, actor: User | None = None) -> None:
    """Store and broadcast ``event_type`` to ``audience`` once the current transaction commits."""
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    transaction.on_commit(lambda: _store_and_send(event_type, payload, audience, actor_id))


def _store_and_send(event_type: str, payload: dict[str, Any], audience: Audience, actor_id: int | None) -> None:
    with transaction.atomic():
        event = Event.objects.create(
            type=event_type, payload=payload, audience=audience.kind, role=audience.role, actor_id=actor_id
        )
        if audience.user_ids:
            event.recipients.add(*audience.user_ids)
    message = {"type": "notify.event", "event": serialize_event(event), "actor_id": actor_id}
    layer = get_channel_layer()
    if layer is None:
        return
    for group in audience.groups():
        try:
            async_to_sync(layer.group_send)(group, message)
        except Exception:  # the event is stored; a client that missed it gets it on reconnect
            logger.exception("could not fan out event %s to %s", event.seq, group)


def serialize_event(event: Event) -> dict[str, Any]:
    return {"type": event.type, "seq": event.seq, "at": event.created_at.isoformat(), "data": event.payload}

"""Input and output serializers of the notification endpoints."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from circulate.realtime.models import Event
from circulate.realtime.services import serialize_event


class NotificationSerializer(serializers.Serializer[Event]):
    """An event as the socket sends it, plus whether it is after the reader's cursor."""

    type = serializers.CharField(help_text="Event type, e.g. `book.created`.")
    seq = serializers.IntegerField(help_text="Sequence number: increases with every event.")
    at = serializers.DateTimeField(help_text="When the event was stored (UTC).")
    # DRF takes declared fields off the class, so the field does not shadow Serializer.data at run time.
    data = serializers.JSONField(  # type: ignore[assignment]
        help_text="The event's payload; see the events table in the README."
    )
    unread = serializers.BooleanField(help_text="True when `seq` is after the reader's read cursor.")

    def to_representation(self, instance: Event) -> dict[str, Any]:
        body = serialize_event(instance)
        body["unread"] = instance.seq > self.context["last_seen_seq"]
        return body


class UnreadCountSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField(help_text="Visible events after the read cursor (stops at 1000).")
    last_seen_seq = serializers.IntegerField(help_text="The read cursor: the last sequence number seen.")


class MarkSeenInputSerializer(serializers.Serializer[Any]):
    seq = serializers.IntegerField(
        required=False,
        min_value=0,
        help_text="Mark everything up to this sequence number as seen; default: everything so far.",
    )

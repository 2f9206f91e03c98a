"""Domain events, stored once each with their audience, and per-user read cursors.

An event is one row whatever the number of recipients: its audience is everyone,
one role, or a list of users (the only case that needs a row per recipient, and
those lists are short). A user's unread count is the number of events visible to
them with a sequence number above their read cursor.
"""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class Event(models.Model):
    class Audience(models.TextChoices):
        EVERYONE = "everyone", "Everyone signed in"
        ROLE = "role", "One role"
        USERS = "users", "Given users"

    # The primary key is the sequence number: monotonically increasing, assigned by the database.
    seq = models.BigAutoField(primary_key=True)
    type = models.CharField(max_length=64)
    payload = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    audience = models.CharField(max_length=16, choices=Audience.choices)
    role = models.CharField(max_length=64, blank=True, help_text="The role, when the audience is one role.")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-seq",)
        indexes = [
            # Counting "everyone" or "role R" events after a cursor is a range scan of this index;
            # the actor (never notified of its own events) is in it too, so the table is not read.
            models.Index(fields=["audience", "role", "seq", "actor"], name="realtime_event_audience_seq"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.type}"


class EventRecipient(models.Model):
    """One named recipient of an event addressed to given users (never its actor)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE)
    # The unique (user, event) index serves "this user's events after a cursor".
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, db_index=False, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "event"], name="realtime_recipient_user_event_unique")]

    def __str__(self) -> str:
        return f"#{self.event_id} → {self.user_id}"


class ReadCursor(models.Model):
    """The highest sequence number a user has seen. It only ever moves forward."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="read_cursor")
    last_seen_seq = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(last_seen_seq__gte=0), name="realtime_cursor_seq_non_negative")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} saw up to #{self.last_seen_seq}"

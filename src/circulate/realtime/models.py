"""Domain events, stored once each with their audience, and per-user read cursors.

An event is one row whatever the number of recipients: its audience is everyone,
one role, or a list of users (the only case that needs a row per recipient, and
those lists are short). A user's unread count is the number of events visible to
them with a sequence number above their read cursor.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Event(models.Model):
    class Audience(models.TextChoices):
        EVERYONE = "everyone", "Everyone signed in"
        ROLE = "role", "One role"
        USERS = "users", "Given users"

    # The primary key is the sequence number: monotonically increasing, assigned by the database.
    seq = models.BigAutoField(primary_key=True)
    type = models.CharField(max_length=64, db_index=True)
    payload = models.JSONField(default=dict)
    audience = models.CharField(max_length=16, choices=Audience.choices)
    role = models.CharField(max_length=64, blank=True, help_text="The role, when the audience is one role.")
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-seq",)
        indexes = [models.Index(fields=["audience", "role", "seq"], name="realtime_event_audience_seq")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.type}"


class ReadCursor(models.Model):
    """The highest sequence number a user has seen."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="read_cursor")
    last_seen_seq = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user_id} saw up to #{self.last_seen_seq}"

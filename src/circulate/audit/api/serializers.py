"""Read model of an audit entry."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from circulate.audit.models import AuditEntry
from circulate.core.api import ReadModelSerializer


class ActorSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(allow_null=True, help_text="The user's id; null when a task or the system acted.")
    label = serializers.CharField(  # type: ignore[assignment]  # a field named like Field.label, on purpose
        help_text="The user's e-mail at the time, or `task:<name>` / `system`."
    )


class ObjectRefSerializer(serializers.Serializer[Any]):
    type = serializers.CharField(help_text="`<app>.<model>`")
    id = serializers.CharField()
    label = serializers.CharField(help_text="How the object read at the time.")  # type: ignore[assignment]


class AuditEntrySerializer(ReadModelSerializer[AuditEntry]):
    actor = serializers.SerializerMethodField()
    object = serializers.SerializerMethodField()
    changes = serializers.DictField(
        child=serializers.ListField(min_length=2, max_length=2),
        help_text='Changed fields as `{"field": [old, new]}`; passwords and tokens read `[redacted]`.',
    )

    class Meta:
        model = AuditEntry
        fields = ("id", "at", "actor", "action", "object", "changes", "request_id", "client_ip")

    @extend_schema_field(ActorSerializer)
    def get_actor(self, entry: AuditEntry) -> dict[str, Any]:
        return {"id": entry.actor_id, "label": entry.actor_label}

    @extend_schema_field(ObjectRefSerializer)
    def get_object(self, entry: AuditEntry) -> dict[str, Any]:
        return {"type": entry.object_type, "id": entry.object_id, "label": entry.object_label}

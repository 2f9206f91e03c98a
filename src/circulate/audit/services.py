"""Recording the audit trail. Domain services call :func:`record` for every state change they make.

Why explicit calls rather than signals or a history library: the services change state
with conditional ``UPDATE``s (``copies_available = copies_available - 1 WHERE ... > 0``),
bulk updates and row locks, which ``post_save`` signals (django-auditlog,
django-simple-history) never see; database triggers (django-pghistory) are
PostgreSQL-only and cannot name the use case or the acting user. A call in the service
names the use case (``library.loan.issue``), sees the actor, and runs in the service's
transaction, so a rolled-back write leaves no entry, on SQLite, PostgreSQL and MariaDB alike.

Every public function of a ``services`` module is marked with :func:`audited` (the actions
it records) or listed in ``audit.registry.NOT_AUDITED`` with the reason; a test walks the
service modules and fails on a function that is neither.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from circulate.audit.models import AuditEntry
from circulate.core import context

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

ACTION_PATTERN = re.compile(r"^[a-z][a-z_]*\.[a-z][a-z_]*\.[a-z][a-z_]*$")
SECRET_FIELD = re.compile(r"password|secret|token|api_key|authorization|credential", re.IGNORECASE)
REDACTED = "[redacted]"
LABEL_LENGTH = AuditEntry._meta.get_field("object_label").max_length or 200

Changes = Mapping[str, tuple[Any, Any]]


def audited(*actions: str) -> Callable[[F], F]:
    """Declare the audit actions a service records (read by the test that walks the service modules)."""
    for action in actions:
        if not ACTION_PATTERN.match(action):
            raise ValueError(f"Bad audit action {action!r}: use <domain>.<object>.<verb>.")

    def mark(function: F) -> F:
        function.audit_actions = actions  # type: ignore[attr-defined]
        return function

    return mark


def object_type_of(model: type[models.Model] | models.Model) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def _plain(value: Any) -> Any:
    """A JSON value for a field value: model instances by primary key, files by name, the rest as JSON does."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_plain(item) for item in value]
        return sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, models.QuerySet):
        return sorted(value.values_list("pk", flat=True))
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _redacted(changes: Changes) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for field, (old, new) in changes.items():
        if SECRET_FIELD.search(field):
            out[field] = [REDACTED, REDACTED]
        else:
            out[field] = [_plain(old), _plain(new)]
    return out


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of ``fields`` (foreign keys as ids), to compare with after a change."""
    values: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        if field.many_to_many:
            values[name] = sorted(getattr(instance, name).values_list("pk", flat=True)) if instance.pk else []
        else:
            values[name] = _plain(getattr(instance, getattr(field, "attname", name)))
    return values


def changes_since(before: Mapping[str, Any], instance: models.Model) -> dict[str, tuple[Any, Any]]:
    """The fields of a :func:`snapshot` whose value is different now."""
    after = snapshot(instance, before.keys())
    return {name: (before[name], after[name]) for name in before if before[name] != after[name]}


def created(instance: models.Model, fields: Iterable[str]) -> dict[str, tuple[Any, Any]]:
    """Changes for a new row: every field from nothing to its value."""
    return {name: (None, value) for name, value in snapshot(instance, fields).items()}


def record(
    action: str,
    *,
    actor: Any,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: Any = None,
    label: str | None = None,
    changes: Changes | None = None,
) -> AuditEntry:
    """Write one entry in the caller's transaction (call it inside the service's ``atomic`` block).

    ``actor`` is the acting user, or None when a task or the system acts (the name bound
    with ``core.context.acting_as`` is recorded). The object is ``target``, or
    ``object_type`` + ``object_id`` for something that is not a row of ours.
    """
    if not ACTION_PATTERN.match(action):
        raise ValueError(f"Bad audit action {action!r}: use <domain>.<object>.<verb>.")
    if target is not None:
        object_type = object_type or object_type_of(target)
        object_id = target.pk
        label = str(target) if label is None else label
    if not object_type or object_id is None:
        raise ValueError("An audit entry needs the object it is about.")
    ctx = context.current()
    user_acts = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEntry.objects.create(
        actor_id=actor.pk if user_acts else None,
        actor_label=(actor.email or actor.get_username()) if user_acts else ctx.actor_label,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_label=(label or "")[:LABEL_LENGTH],
        changes=_redacted(changes or {}),
        request_id=ctx.request_id,
        client_ip=ctx.client_ip,
    )


def retention_cutoff(*, now: Any = None) -> Any:
    return (now or timezone.now()) - timedelta(days=settings.AUDIT_RETENTION_DAYS)


def purge_expired_entries(*, now: Any = None) -> int:
    """Remove entries older than ``AUDIT_RETENTION_DAYS``: the one way entries ever leave the trail."""
    removed = AuditEntry.objects.filter(at__lt=retention_cutoff(now=now)).purge()
    logger.info("Removed %d audit entries older than %d days", removed, settings.AUDIT_RETENTION_DAYS)
    return removed

"""API plumbing shared by every domain's viewsets.

``ScopedQuerysetMixin`` applies the viewset's ``scope_queryset`` to every request,
so a row the rules hide is a 404 on every endpoint, whatever the action.
``SoftDeleteMixin`` makes DELETE deactivate instead of remove.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import mixins
from rest_framework.serializers import BaseSerializer

from circulate.core.services import soft_delete


class ScopedQuerysetMixin:
    """Every queryset the view uses goes through ``scope_queryset(queryset, user)``."""

    request: Any

    def scope_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset

    def get_queryset(self) -> QuerySet[Any]:
        queryset: QuerySet[Any] = super().get_queryset()  # type: ignore[misc]
        return self.scope_queryset(queryset)


class SoftDeleteMixin(mixins.DestroyModelMixin):
    """DELETE deactivates the row (``is_active=False``) through the core service."""

    def perform_destroy(self, instance: Any) -> None:
        soft_delete(instance=instance)


class InputOutputSerializerMixin:
    """Separate serializers for what a client may write and what it reads back.

    Set ``input_serializer_class`` (writes) and ``serializer_class`` (reads).
    """

    input_serializer_class: type[BaseSerializer[Any]] | None = None
    action: str | None

    def get_input_serializer(self, *args: Any, **kwargs: Any) -> BaseSerializer[Any]:
        assert self.input_serializer_class is not None
        kwargs.setdefault("context", self.get_serializer_context())  # type: ignore[attr-defined]
        return self.input_serializer_class(*args, **kwargs)

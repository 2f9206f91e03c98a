"""API plumbing shared by every domain's viewsets."""

from __future__ import annotations

from typing import Any

from rest_framework.serializers import BaseSerializer


class InputOutputSerializerMixin:
    """Separate serializers for what a client may write and what it reads back.

    Set ``input_serializer_class`` (writes) and ``serializer_class`` (reads).
    """

    input_serializer_class: type[BaseSerializer[Any]] | None = None

    def get_input_serializer(self, *args: Any, **kwargs: Any) -> BaseSerializer[Any]:
        assert self.input_serializer_class is not None
        kwargs.setdefault("context", self.get_serializer_context())  # type: ignore[attr-defined]
        return self.input_serializer_class(*args, **kwargs)

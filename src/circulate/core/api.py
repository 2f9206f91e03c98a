"""API plumbing shared by every domain's viewsets."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, TypeVar

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.fields import Field
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from circulate.accounts.models import User
from circulate.core.read_cache import Generation, ReadAhead

M = TypeVar("M", bound=Any)


# A ``ModelSerializer`` for answers that builds its fields from the model once per class.
# DRF builds a ``ModelSerializer``'s fields from the model's metadata for every serializer
# instance: on a list of 20 books that was about a third of the serialization time. Here they
# are built on first use and each instance gets a deep copy, which is what a plain
# ``Serializer`` does with its declared fields. For read-only answers only: their fields do
# not depend on the request. (A comment, not a docstring: the schema would show a docstring
# as the description of every serializer built on this one.)
class ReadModelSerializer(serializers.ModelSerializer[M]):
    _built_fields: dict[str, Field[Any, Any, Any, Any]] | None = None

    def get_fields(self) -> dict[str, Field[Any, Any, Any, Any]]:
        cls = type(self)
        built = cls.__dict__.get("_built_fields")
        if built is None:
            built = super().get_fields()
            cls._built_fields = built
        return copy.deepcopy(built)


class InputOutputSerializerMixin:
    """Separate serializers for what a client may write and what it reads back.

    Set ``input_serializer_class`` (writes) and ``serializer_class`` (reads).
    """

    input_serializer_class: type[BaseSerializer[Any]] | None = None

    def get_input_serializer(self, *args: Any, **kwargs: Any) -> BaseSerializer[Any]:
        assert self.input_serializer_class is not None
        kwargs.setdefault("context", self.get_serializer_context())  # type: ignore[attr-defined]
        return self.input_serializer_class(*args, **kwargs)


class ServiceViewSet(InputOutputSerializerMixin, viewsets.GenericViewSet[Any]):
    """Plumbing every domain viewset shares: integer ids, django-filter lists, read-back through the selector."""

    lookup_value_regex = r"\d+"
    filter_backends = [DjangoFilterBackend]

    @property
    def actor(self) -> User:
        """The signed-in user (the endpoints of these viewsets require authentication)."""
        user = self.request.user
        assert isinstance(user, User)
        return user

    def valid_input(self, *, partial: bool = False) -> dict[str, Any]:
        serializer = self.get_input_serializer(data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def object_id(self) -> int:
        """The visible row's id from the URL (404 when the caller may not see it)."""
        return int(self.get_object().pk)

    def render(self, pk: int, *, status_code: int = status.HTTP_200_OK) -> Response:
        instance = self.get_queryset().get(pk=pk)
        return Response(self.get_serializer(instance).data, status=status_code)


class ServiceCrudViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ServiceViewSet):
    """List, read, create, edit and remove through one service per write.

    Subclasses name the services (wrapped in ``staticmethod``) and the keyword that
    carries the row's id; every write goes through ``services``, never ``save()``.
    """

    create_service: Callable[..., Any]
    update_service: Callable[..., Any]
    delete_service: Callable[..., Any]
    id_argument: str
    # PATCH may send only some fields; False where every write needs the whole input.
    partial_update_allowed = True

    def create(self, request: Request) -> Response:
        instance = self.create_service(actor=self.actor, **self.valid_input())
        return self.render(instance.pk, status_code=status.HTTP_201_CREATED)

    def update(self, request: Request, pk: str, partial: bool = False) -> Response:
        row_id = {self.id_argument: self.object_id()}
        instance = self.update_service(actor=self.actor, **row_id, **self.valid_input(partial=partial))
        return self.render(instance.pk)

    def partial_update(self, request: Request, pk: str) -> Response:
        return self.update(request, pk, partial=self.partial_update_allowed)

    def destroy(self, request: Request, pk: str) -> Response:
        self.delete_service(actor=self.actor, **{self.id_argument: self.object_id()})
        return Response(status=status.HTTP_204_NO_CONTENT)


# ``list`` and ``retrieve`` answered from a shared read cache (``core/read_cache.py``), for views whose
# answer is the same for every caller who gets the shared answer (``kept_for``): it is kept under the
# URL in ``kept_in`` and read with the caller's user row in one read of the cache (``read_ahead``,
# ``accounts.authentication``); other callers are answered as built. (Comments, not a docstring:
# drf-spectacular would publish a docstring as the description of every view using it.)
class KeptListAndDetail(mixins.ListModelMixin, mixins.RetrieveModelMixin):
    kept_in: Generation

    def kept_for(self, user: Any) -> bool:
        """Whether ``user`` gets the shared answer (default: everyone)."""
        return True

    def read_ahead(self, user_id: Any) -> list[tuple[Generation, list[str]]]:
        if getattr(self, "action", None) not in ("list", "retrieve"):
            return []
        return [(self.kept_in, [self.request.build_absolute_uri()])]  # type: ignore[attr-defined]

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._kept(request, lambda: super(KeptListAndDetail, self).list(request, *args, **kwargs).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._kept(request, lambda: super(KeptListAndDetail, self).retrieve(request, *args, **kwargs).data)

    def _kept(self, request: Request, build: Callable[[], Any]) -> Response:
        if not self.kept_for(request.user):
            return Response(build())
        return Response(self.kept_in.shared(request.build_absolute_uri(), build, ReadAhead.of(request)))

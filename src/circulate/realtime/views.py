"""Notification endpoints: the list, the unread count and marking as seen."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from circulate.core.pagination import CursorPagination
from circulate.core.schema import ErrorSerializer
from circulate.realtime import selectors, services
from circulate.realtime.models import Event
from circulate.realtime.serializers import (
    MarkSeenInputSerializer,
    NotificationSerializer,
    UnreadCountSerializer,
)

UNAUTHENTICATED = OpenApiResponse(
    ErrorSerializer,
    description="No token, or an invalid or expired one.",
    examples=[
        OpenApiExample(
            "Not signed in",
            value={
                "detail": "Authentication credentials were not provided.",
                "code": "not_authenticated",
                "errors": {},
            },
        )
    ],
)

EVENT_EXAMPLE = {
    "type": "book.created",
    "seq": 42,
    "at": "2026-11-23T10:15:02.123456Z",
    "data": {"id": 7, "title": "The Dispossessed"},
    "unread": True,
}


class NotificationPagination(CursorPagination):
    ordering = "-seq"


class NotificationFilter(django_filters.FilterSet):
    type = django_filters.CharFilter(field_name="type", help_text="Only events of this type, e.g. `book.created`.")

    class Meta:
        model = Event
        fields = ["type"]


class NotificationListView(generics.ListAPIView[Event]):
    serializer_class = NotificationSerializer
    pagination_class = NotificationPagination
    filterset_class = NotificationFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]

    def get_queryset(self) -> QuerySet[Event]:
        return selectors.visible_events(user=self.request.user)  # type: ignore[arg-type]

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if self.request.user.is_authenticated:
            context["last_seen_seq"] = selectors.last_seen_seq(user=self.request.user)
        return context

    @extend_schema(
        operation_id="notifications_list",
        summary="Your notifications, newest first",
        description=(
            "Events visible to you (to everyone, to a role you hold, or to you by name; never your own "
            "actions), newest first, paginated by sequence number: follow `next` for older ones."
        ),
        responses={200: NotificationSerializer(many=True), 401: UNAUTHENTICATED},
        examples=[
            OpenApiExample(
                "A page",
                value={
                    "next": "http://127.0.0.1:8000/api/notifications/?cursor=cD00MQ%3D%3D",
                    "previous": None,
                    "results": [EVENT_EXAMPLE],
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class UnreadCountView(APIView):
    @extend_schema(
        operation_id="notifications_unread_count",
        summary="How many notifications you have not seen",
        description="Visible events after your read cursor; the count stops at 1000.",
        responses={
            200: OpenApiResponse(
                UnreadCountSerializer,
                examples=[OpenApiExample("Three unread", value={"count": 3, "last_seen_seq": 39})],
            ),
            401: UNAUTHENTICATED,
        },
    )
    def get(self, request: Request) -> Response:
        user: Any = request.user
        body = {"count": selectors.unread_count(user=user), "last_seen_seq": selectors.last_seen_seq(user=user)}
        return Response(UnreadCountSerializer(body).data)


class MarkSeenView(APIView):
    @extend_schema(
        operation_id="notifications_mark_seen",
        summary="Mark notifications as seen",
        description=(
            "Moves your read cursor to `seq` (default: your newest notification). The cursor only moves "
            "forward: a smaller `seq` changes nothing. Your open sockets receive the new unread count."
        ),
        request=MarkSeenInputSerializer,
        examples=[
            OpenApiExample("Everything so far", value={}, request_only=True),
            OpenApiExample("Up to one event", value={"seq": 41}, request_only=True),
        ],
        responses={
            200: OpenApiResponse(
                UnreadCountSerializer,
                examples=[OpenApiExample("All seen", value={"count": 0, "last_seen_seq": 42})],
            ),
            400: OpenApiResponse(
                ErrorSerializer,
                description="`seq` is not a sequence number, or no such event exists yet.",
                examples=[
                    OpenApiExample(
                        "Future event",
                        value={
                            "detail": "There is no event #900 yet.",
                            "code": "invalid",
                            "errors": {"seq": ["There is no event #900 yet."]},
                        },
                    )
                ],
            ),
            401: UNAUTHENTICATED,
        },
    )
    def post(self, request: Request) -> Response:
        user: Any = request.user
        serializer = MarkSeenInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        seen = services.mark_seen(user=user, seq=serializer.validated_data.get("seq"))
        body = {"count": selectors.unread_count(user=user), "last_seen_seq": seen}
        return Response(UnreadCountSerializer(body).data, status=status.HTTP_200_OK)

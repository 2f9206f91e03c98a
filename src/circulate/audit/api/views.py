"""GET /api/audit/: the audit trail for staff, newest first, with cursor pagination."""

from __future__ import annotations

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from circulate.audit import selectors
from circulate.audit.api.serializers import AuditEntrySerializer
from circulate.audit.filters import AuditEntryFilter
from circulate.audit.models import AuditEntry
from circulate.core.pagination import CursorPagination
from circulate.core.schema import error_response, response_example

ENTRY_EXAMPLE = {
    "id": 1042,
    "at": "2026-11-24T09:12:44.120931Z",
    "actor": {"id": 2, "label": "librarian@circulate.local"},
    "action": "library.loan.issue",
    "object": {"type": "library.loan", "id": "318", "label": "Dune → Alice Liddell"},
    "changes": {"book": [None, 12], "member": [None, 5], "due_at": [None, "2026-12-15T09:12:44.118Z"]},
    "request_id": "5f0c2d8e9a1b4c7f8e6d5a4b3c2d1e0f",
    "client_ip": "127.0.0.1",
}


class IsStaff(BasePermission):
    message = "Only staff may read the audit trail."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return selectors.can_read_audit(request.user)  # type: ignore[arg-type]


class AuditPagination(CursorPagination):
    ordering = "-id"


@extend_schema(
    summary="Read the audit trail (staff)",
    description=(
        "Every state change made through a service or the admin, newest first. One object's history: "
        "`?object=library.book:12`. Cursor pagination: follow `next`."
    ),
    responses={
        200: AuditEntrySerializer(many=True),
        400: error_response(
            400,
            (
                "Bad filter",
                {"detail": "Invalid input: check object.", "code": "invalid", "errors": {"object": ["..."]}},
            ),
            description="A filter value is malformed.",
        ),
        401: error_response(
            401,
            (
                "Not signed in",
                {"detail": "Authentication credentials were not provided.", "code": "not_authenticated", "errors": {}},
            ),
            description="No token, or an invalid one.",
        ),
        403: error_response(
            403,
            (
                "Not staff",
                {"detail": "Only staff may read the audit trail.", "code": "permission_denied", "errors": {}},
            ),
            description="The caller is not staff.",
        ),
    },
    examples=[response_example("Entries", [ENTRY_EXAMPLE])],
    tags=["audit"],
)
class AuditEntryListView(generics.ListAPIView[AuditEntry]):
    serializer_class = AuditEntrySerializer
    permission_classes = [IsStaff]
    pagination_class = AuditPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = AuditEntryFilter

    def get_queryset(self) -> QuerySet[AuditEntry]:
        return selectors.entries()

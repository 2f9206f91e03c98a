"""Partner branch endpoints: parse, call one service, render.

Members read and cancel their own partner reservations, librarians everyone's (another
member's is a 404); the branches and the call log are for librarians and staff.
"""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from circulate.core.api import ServiceViewSet
from circulate.core.errors import NotFoundError
from circulate.library.models import Book
from circulate.partners import selectors, services
from circulate.partners.api.docs import errors
from circulate.partners.api.serializers import (
    PartnerBranchSerializer,
    PartnerCallSerializer,
    PartnerReservationInputSerializer,
    PartnerReservationSerializer,
    PartnerStatusSerializer,
)
from circulate.partners.models import PartnerBranch, PartnerCall, PartnerReservation


class IsPartnerStaff(BasePermission):
    message = "Only librarians and staff may read this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return selectors.is_partner_staff(request.user)


class BranchViewSet(mixins.ListModelMixin, ServiceViewSet):
    serializer_class = PartnerBranchSerializer
    queryset = PartnerBranch.objects.none()
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> QuerySet[PartnerBranch]:
        return selectors.branches() if selectors.is_partner_staff(self.request.user) else selectors.enabled_branches()

    @extend_schema(
        summary="Partner branches with their health and last refresh",
        responses={200: PartnerBranchSerializer(many=True)},
    )
    def list(self, request: Request) -> Response:
        return super().list(request)


class CallViewSet(mixins.ListModelMixin, ServiceViewSet):
    serializer_class = PartnerCallSerializer
    queryset = PartnerCall.objects.none()
    permission_classes = [IsPartnerStaff]

    def get_queryset(self) -> QuerySet[PartnerCall]:
        queryset = selectors.calls()
        if branch := self.request.query_params.get("branch"):
            queryset = queryset.filter(branch__code=branch)
        return queryset

    @extend_schema(
        summary="Every HTTP call to the branches, newest first (librarians and staff)",
        responses={200: PartnerCallSerializer(many=True), **errors(403)},
    )
    def list(self, request: Request) -> Response:
        return super().list(request)


class ReservationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ServiceViewSet):
    serializer_class = PartnerReservationSerializer
    queryset = PartnerReservation.objects.none()
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> QuerySet[PartnerReservation]:
        queryset = selectors.reservations_for(user=self.request.user)
        if state := self.request.query_params.get("status"):
            queryset = queryset.filter(status=state)
        return queryset

    @extend_schema(summary="Partner reservations (a member's own; everyone's for librarians)")
    def list(self, request: Request) -> Response:
        return super().list(request)

    @extend_schema(summary="One partner reservation", responses={200: PartnerReservationSerializer, **errors(404)})
    def retrieve(self, request: Request, pk: str) -> Response:
        return super().retrieve(request, pk)

    @extend_schema(
        summary="Cancel at the branch: its copy goes back on the branch's shelf",
        request=None,
        responses={200: PartnerReservationSerializer, **errors(404, 409, 503)},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        reservation = services.cancel_partner_reservation(actor=self.actor, reservation_id=int(pk))
        return Response(self.get_serializer(reservation).data)


def _book(book_id: int) -> Book:
    book = Book.objects.filter(pk=book_id).first()
    if book is None:
        raise NotFoundError(f"No book with id {book_id}.")
    return book


@extend_schema(
    summary="Copies of this book at each partner branch (stored refresh when fresh, else asked live)",
    responses={200: PartnerStatusSerializer, **errors(404)},
    tags=["partners"],
)
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def partner_status(request: Request, book_id: int) -> Response:
    book = _book(book_id)
    data = {"book": book.pk, "isbn": book.isbn, "branches": services.partner_status(book=book)}
    return Response(PartnerStatusSerializer(data).data)


@extend_schema(
    summary="Reserve this book at a partner branch (a member for themself, a librarian for any member)",
    request=PartnerReservationInputSerializer,
    responses={201: PartnerReservationSerializer, **errors(400, 403, 404, 409, 503)},
    tags=["partners"],
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def partner_reserve(request: Request, book_id: int) -> Response:
    serializer = PartnerReservationInputSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    reservation = services.reserve_at_branch(
        actor=request.user,
        book_id=book_id,
        branch_id=serializer.validated_data["branch"],
        member_id=serializer.validated_data.get("member"),
    )
    return Response(PartnerReservationSerializer(reservation).data, status=status.HTTP_201_CREATED)

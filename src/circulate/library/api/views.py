"""Library endpoints: parse with an input serializer, call one service, render the read model.

Who may see a row is decided by the selectors (``*_for(user=...)``): a row the caller may
not see is a 404 on every endpoint. Who may change it is decided by the services, which
raise 403/409 with a clear message.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from circulate.core.api import ServiceCrudViewSet, ServiceViewSet
from circulate.core.read_cache import Generation, ReadAhead
from circulate.library import catalogue_cache, filters, selectors, services
from circulate.library.api import docs
from circulate.library.api.docs import errors, request_example, response_example
from circulate.library.api.serializers import (
    AuthorInputSerializer,
    AuthorSerializer,
    BookInputSerializer,
    BookSerializer,
    CardInputSerializer,
    CardSerializer,
    LoanInputSerializer,
    LoanSerializer,
    MemberInputSerializer,
    MemberSerializer,
    MembershipTierSerializer,
    ReservationInputSerializer,
    ReservationSerializer,
)
from circulate.library.models import Author, Book, Loan, Member, MembershipTier, Reservation

# --- Authors ---------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List authors",
        responses={200: AuthorSerializer(many=True), **errors(400)},
        examples=[response_example("Authors", docs.AUTHOR_EXAMPLE)],
    ),
    retrieve=extend_schema(summary="Read an author", responses={200: AuthorSerializer, **errors(404)}),
    create=extend_schema(
        summary="Add an author (any signed-in user)",
        request=AuthorInputSerializer,
        responses={201: AuthorSerializer, **errors(400)},
        examples=[
            request_example("New author", {"name": "Ursula K. Le Guin"}),
            response_example("Created", docs.AUTHOR_EXAMPLE, 201),
        ],
    ),
    update=extend_schema(
        summary="Rename an author (librarians)",
        request=AuthorInputSerializer,
        responses={200: AuthorSerializer, **errors(400, 403, 404)},
        examples=[request_example("Rename", {"name": "Ursula Le Guin"})],
    ),
    partial_update=extend_schema(
        summary="Rename an author (librarians)",
        request=AuthorInputSerializer,
        responses={200: AuthorSerializer, **errors(400, 403, 404)},
        examples=[request_example("Rename", {"name": "Ursula Le Guin"})],
    ),
    destroy=extend_schema(
        summary="Remove an author (librarians; soft delete)", responses={204: None, **errors(403, 404)}
    ),
)
class AuthorViewSet(ServiceCrudViewSet):
    serializer_class = AuthorSerializer
    input_serializer_class = AuthorInputSerializer
    filterset_class = filters.AuthorFilter
    queryset = Author.objects.none()
    create_service = staticmethod(services.create_author)
    update_service = staticmethod(services.update_author)
    delete_service = staticmethod(services.delete_author)
    id_argument = "author_id"
    partial_update_allowed = False  # an author has one field: a PATCH renames as a PUT does

    def get_queryset(self) -> QuerySet[Author]:
        return selectors.authors()


# --- Books -------------------------------------------------------------------------------------------

BOOK_INPUT_EXAMPLE = {
    "title": "A Wizard of Earthsea",
    "isbn": "0-553-38304-3",
    "authors": [1],
    "copies_total": 2,
    "description": "A young mage learns the cost of power.",
    "year": 1968,
}


@extend_schema_view(
    list=extend_schema(
        summary="List and search the catalogue",
        responses={200: BookSerializer(many=True), **errors(400)},
        examples=[response_example("Books", docs.BOOK_EXAMPLE)],
    ),
    retrieve=extend_schema(summary="Read a book", responses={200: BookSerializer, **errors(404)}),
    create=extend_schema(
        summary="Add a book (any signed-in user)",
        request={"application/json": BookInputSerializer, "multipart/form-data": BookInputSerializer},
        responses={201: BookSerializer, **errors(400, 409, conflict="The ISBN is already in the catalogue.")},
        examples=[
            request_example("New book (ISBN-10 is normalised)", BOOK_INPUT_EXAMPLE),
            response_example("Created", docs.BOOK_EXAMPLE, 201),
        ],
    ),
    update=extend_schema(
        summary="Edit a book (librarians, or the member who added it)",
        request={"application/json": BookInputSerializer, "multipart/form-data": BookInputSerializer},
        responses={
            200: BookSerializer,
            **errors(
                400,
                403,
                404,
                409,
                conflict="ISBN already in the catalogue, or copies_total below the copies on loan.",
            ),
        },
        examples=[request_example("Edit", BOOK_INPUT_EXAMPLE), response_example("Updated", docs.BOOK_EXAMPLE)],
    ),
    partial_update=extend_schema(
        summary="Change some fields of a book (librarians, or the member who added it)",
        request={"application/json": BookInputSerializer, "multipart/form-data": BookInputSerializer},
        responses={
            200: BookSerializer,
            **errors(
                400,
                403,
                404,
                409,
                conflict="ISBN already in the catalogue, or copies_total below the copies on loan.",
            ),
        },
        examples=[request_example("More copies", {"copies_total": 3})],
    ),
    destroy=extend_schema(
        summary="Remove a book (soft delete; librarians, or the member who added it)",
        responses={204: None, **errors(403, 404, 409, conflict="Copies of the book are on loan.")},
    ),
)
class BookViewSet(ServiceCrudViewSet):
    serializer_class = BookSerializer
    input_serializer_class = BookInputSerializer
    filterset_class = filters.BookFilter
    queryset = Book.objects.none()
    create_service = staticmethod(services.create_book)
    update_service = staticmethod(services.update_book)
    delete_service = staticmethod(services.delete_book)
    id_argument = "book_id"

    def get_queryset(self) -> QuerySet[Book]:
        # The list and the detail are built as everyone sees them and kept in the catalogue
        # cache; ``liked_by_me`` is laid over per caller (catalogue_cache.with_likes).
        shared = self.action in ("list", "retrieve")
        return selectors.books_for(user=None if shared else self.request.user)

    def read_ahead(self, user_id: Any) -> list[tuple[Generation, list[str]]]:
        """The kept page or book and the caller's likes, read with the caller's user row (KeptUserJWTAuthentication)."""
        if self.action not in ("list", "retrieve"):
            return []
        return catalogue_cache.read_ahead(self.request.build_absolute_uri(), user_id)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        def build() -> dict[str, Any]:
            data = super(BookViewSet, self).list(request, *args, **kwargs).data
            return {**data, "results": [dict(row) for row in data["results"]]}

        page, liked = catalogue_cache.shared_with_likes(
            request.build_absolute_uri(), build, request.user, ReadAhead.of(request)
        )
        return Response({**page, "results": catalogue_cache.with_likes(page["results"], liked)})

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        def build() -> dict[str, Any]:
            return dict(super(BookViewSet, self).retrieve(request, *args, **kwargs).data)

        book, liked = catalogue_cache.shared_with_likes(
            request.build_absolute_uri(), build, request.user, ReadAhead.of(request)
        )
        return Response(catalogue_cache.with_likes([book], liked)[0])

    @extend_schema(
        methods=["POST"],
        summary="Like a book (idempotent)",
        request=None,
        responses={200: BookSerializer, **errors(404, 409, conflict="Your membership was closed.")},
        examples=[response_example("Liked", docs.BOOK_EXAMPLE)],
    )
    @extend_schema(
        methods=["DELETE"],
        summary="Take a like back (idempotent)",
        request=None,
        responses={200: BookSerializer, **errors(404)},
        examples=[response_example("Not liked any more", {**docs.BOOK_EXAMPLE, "liked_by_me": False})],
    )
    @action(detail=True, methods=["post", "delete"])
    def like(self, request: Request, pk: str) -> Response:
        book_id = self.object_id()
        if request.method == "POST":
            services.like_book(actor=self.actor, book_id=book_id)
        else:
            services.unlike_book(actor=self.actor, book_id=book_id)
        return self.render(book_id)


# --- Tiers -------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List membership tiers (their circulation rules)",
        responses={200: MembershipTierSerializer(many=True), **errors()},
        examples=[response_example("Tiers", docs.TIER_EXAMPLE)],
    ),
    retrieve=extend_schema(summary="Read a membership tier", responses={200: MembershipTierSerializer, **errors(404)}),
)
class MembershipTierViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ServiceViewSet):
    serializer_class = MembershipTierSerializer
    queryset = MembershipTier.objects.none()

    def get_queryset(self) -> QuerySet[MembershipTier]:
        return selectors.tiers()


# --- Members -----------------------------------------------------------------------------------------

MEMBER_INPUT_EXAMPLE = {
    "name": "Alice Reader",
    "email": "alice@circulate.local",
    "phone": "+44 20 7946 0000",
    "user": 5,
}


@extend_schema_view(
    list=extend_schema(
        summary="List members (librarians: all; others: their own record)",
        responses={200: MemberSerializer(many=True), **errors(400)},
        examples=[response_example("Members", docs.MEMBER_EXAMPLE)],
    ),
    retrieve=extend_schema(summary="Read a member", responses={200: MemberSerializer, **errors(404)}),
    create=extend_schema(
        summary="Register a member (librarians)",
        request=MemberInputSerializer,
        responses={
            201: MemberSerializer,
            **errors(400, 403, 409, conflict="The user account is already linked to a member."),
        },
        examples=[
            request_example("Self-service member", MEMBER_INPUT_EXAMPLE),
            request_example("Walk-in reader", {"name": "Walter Walk-in", "phone": "+44 20 7946 0001"}),
            response_example("Created", {**docs.MEMBER_EXAMPLE, "card": None}, 201),
        ],
    ),
    update=extend_schema(
        summary="Edit a member (librarians)",
        request=MemberInputSerializer,
        responses={
            200: MemberSerializer,
            **errors(400, 403, 404, 409, conflict="The user account is already linked to a member."),
        },
        examples=[request_example("Edit", MEMBER_INPUT_EXAMPLE)],
    ),
    partial_update=extend_schema(
        summary="Change some fields of a member (librarians)",
        request=MemberInputSerializer,
        responses={
            200: MemberSerializer,
            **errors(400, 403, 404, 409, conflict="The user account is already linked to a member."),
        },
        examples=[request_example("New phone", {"phone": "+44 20 7946 0002"})],
    ),
    destroy=extend_schema(
        summary="Close a membership (librarians; soft delete)",
        responses={204: None, **errors(403, 404, 409, conflict="The member still has unreturned loans.")},
    ),
)
class MemberViewSet(ServiceCrudViewSet):
    serializer_class = MemberSerializer
    input_serializer_class = MemberInputSerializer
    filterset_class = filters.MemberFilter
    queryset = Member.objects.none()
    create_service = staticmethod(services.create_member)
    update_service = staticmethod(services.update_member)
    delete_service = staticmethod(services.delete_member)
    id_argument = "member_id"

    def get_queryset(self) -> QuerySet[Member]:
        return selectors.members_for(user=self.request.user)

    @extend_schema(
        methods=["GET"],
        summary="Read the member's membership card",
        responses={200: CardSerializer, **errors(404)},
        examples=[response_example("Card", docs.CARD_EXAMPLE)],
    )
    @extend_schema(
        methods=["PUT"],
        summary="Issue or renew the card (librarians); an empty body issues one on the default tier",
        request=CardInputSerializer,
        responses={201: CardSerializer, 200: CardSerializer, **errors(400, 403, 404)},
        examples=[
            request_example("Default tier, one validity period", {}),
            request_example("Chosen tier and date", {"tier": 2, "valid_until": "2027-06-30"}),
            response_example("Issued", docs.CARD_EXAMPLE, 201),
            response_example("Renewed", docs.CARD_EXAMPLE, 200),
        ],
    )
    @extend_schema(
        methods=["DELETE"],
        summary="Revoke the card (librarians)",
        request=None,
        responses={204: None, **errors(403, 404)},
    )
    @action(detail=True, methods=["get", "put", "delete"], input_serializer_class=CardInputSerializer)
    def card(self, request: Request, pk: str) -> Response:
        member = self.get_object()
        if request.method == "PUT":
            result = services.issue_or_renew_card(actor=self.actor, member_id=member.pk, **self.valid_input())
            code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
            return Response(CardSerializer(result.card).data, status=code)
        if request.method == "DELETE":
            services.revoke_card(actor=self.actor, member_id=member.pk)
            return Response(status=status.HTTP_204_NO_CONTENT)
        card = selectors.active_card(member=member)
        if card is None:
            return Response(
                {"detail": f"{member.name} has no membership card.", "code": "not_found", "errors": {}},
                status=status.HTTP_404_NOT_FOUND,
            )
        return Response(CardSerializer(card).data)

    @extend_schema(
        summary="The books a member has borrowed",
        parameters=[
            OpenApiParameter(
                "active",
                OpenApiTypes.STR,
                enum=["true", "false"],
                description="true: not returned yet; false: returned. Omit for all.",
            )
        ],
        responses={200: LoanSerializer(many=True), **errors(400, 404)},
        examples=[response_example("Loans", docs.LOAN_EXAMPLE)],
        filters=False,
    )
    @action(detail=True, methods=["get"], filterset_class=None)
    def loans(self, request: Request, pk: str) -> Response:
        member = self.get_object()
        queryset = selectors.loans_for(user=request.user).filter(member=member)
        filterset = filters.MemberLoanFilter(request.query_params, queryset=queryset)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        page = self.paginate_queryset(filterset.qs)
        return self.get_paginated_response(LoanSerializer(page, many=True).data)


# --- Loans ---------------------------------------------------------------------------------------------

LOAN_CONFLICTS = (
    "No copy is free, the loan limit of the member's tier is reached, the card is missing or expired, "
    "or the member already has this book."
)


@extend_schema_view(
    list=extend_schema(
        summary="List loans (librarians: all; members: their own)",
        responses={200: LoanSerializer(many=True), **errors(400)},
        examples=[response_example("Loans", docs.LOAN_EXAMPLE)],
    ),
    retrieve=extend_schema(summary="Read a loan", responses={200: LoanSerializer, **errors(404)}),
    create=extend_schema(
        summary="Issue a loan (librarians for any member; members for themselves if their tier allows)",
        request=LoanInputSerializer,
        responses={201: LoanSerializer, **errors(400, 403, 404, 409, conflict=LOAN_CONFLICTS)},
        examples=[
            request_example("Librarian issues", {"book": 7, "member": 3}),
            request_example("Self-checkout", {"book": 7}),
            response_example("Issued", docs.LOAN_EXAMPLE, 201),
        ],
    ),
)
class LoanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ServiceViewSet):
    serializer_class = LoanSerializer
    input_serializer_class = LoanInputSerializer
    filterset_class = filters.LoanFilter
    queryset = Loan.objects.none()

    def get_queryset(self) -> QuerySet[Loan]:
        return selectors.loans_for(user=self.request.user)

    def create(self, request: Request) -> Response:
        data = self.valid_input()
        loan = services.issue_loan(actor=self.actor, book_id=data["book"], member_id=data.get("member"))
        return self.render(loan.pk, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Return a loan; the copy goes to the next waiting reservation or back on the shelf",
        request=None,
        responses={200: LoanSerializer, **errors(404, 409, conflict="The loan was already returned.")},
        examples=[
            response_example(
                "Returned", {**docs.LOAN_EXAMPLE, "status": "returned", "returned_at": "2026-01-10T09:00:00Z"}
            )
        ],
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request: Request, pk: str) -> Response:
        loan = services.return_loan(actor=self.actor, loan_id=self.object_id())
        return self.render(loan.pk)

    @extend_schema(
        summary="Renew a loan by the tier's loan period",
        request=None,
        responses={
            200: LoanSerializer,
            **errors(
                404,
                409,
                conflict="No renewals left, overdue beyond the grace period, someone is waiting, "
                "the card expired, or the loan was returned.",
            ),
        },
        examples=[response_example("Renewed", {**docs.LOAN_EXAMPLE, "due_at": "2026-02-03T10:00:00Z", "renewals": 1})],
    )
    @action(detail=True, methods=["post"])
    def renew(self, request: Request, pk: str) -> Response:
        loan = services.renew_loan(actor=self.actor, loan_id=self.object_id())
        return self.render(loan.pk)


# --- Reservations ------------------------------------------------------------------------------------

RESERVATION_CONFLICTS = (
    "Hold limit of the tier reached, an active reservation for this book exists, the member has the book "
    "on loan, or the card is missing or expired."
)


@extend_schema_view(
    list=extend_schema(
        summary="List reservations (librarians: all; members: their own)",
        responses={200: ReservationSerializer(many=True), **errors(400)},
        examples=[response_example("Reservations", docs.RESERVATION_EXAMPLE)],
    ),
    retrieve=extend_schema(summary="Read a reservation", responses={200: ReservationSerializer, **errors(404)}),
    create=extend_schema(
        summary="Reserve a book: ready at once if a copy is free, else waiting in line",
        request=ReservationInputSerializer,
        responses={201: ReservationSerializer, **errors(400, 404, 409, conflict=RESERVATION_CONFLICTS)},
        examples=[
            request_example("For myself", {"book": 7}),
            request_example("Librarian for a member", {"book": 7, "member": 3}),
            response_example("Waiting", docs.RESERVATION_EXAMPLE, 201),
        ],
    ),
)
class ReservationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ServiceViewSet):
    serializer_class = ReservationSerializer
    input_serializer_class = ReservationInputSerializer
    filterset_class = filters.ReservationFilter
    queryset = Reservation.objects.none()

    def get_queryset(self) -> QuerySet[Reservation]:
        return selectors.reservations_for(user=self.request.user)

    def create(self, request: Request) -> Response:
        data = self.valid_input()
        reservation = services.reserve_book(actor=self.actor, book_id=data["book"], member_id=data.get("member"))
        return self.render(reservation.pk, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Cancel a reservation; a set-aside copy passes to the next in line",
        request=None,
        responses={200: ReservationSerializer, **errors(404, 409, conflict="The reservation is no longer active.")},
        examples=[
            response_example(
                "Cancelled",
                {
                    **docs.RESERVATION_EXAMPLE,
                    "status": "cancelled",
                    "position": None,
                    "closed_at": "2026-01-07T08:00:00Z",
                },
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        reservation = services.cancel_reservation(actor=self.actor, reservation_id=self.object_id())
        return self.render(reservation.pk)

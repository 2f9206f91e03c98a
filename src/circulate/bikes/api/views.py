"""Bike rental endpoints: parse with an input serializer, call one service, render the read model.

Everyone signed in reads stations, vehicle types, bikes and plans; the services let only
fleet managers write them (403 otherwise). A rider sees their own rides, a fleet manager
everyone's; another rider's ride is a 404 on every endpoint.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, HttpResponseRedirect
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from circulate.bikes import filters, fleet_cache, selectors, services
from circulate.bikes.api import docs
from circulate.bikes.api.docs import errors
from circulate.bikes.api.serializers import (
    BikeChangeSerializer,
    BikeInputSerializer,
    BikeSerializer,
    PhotoInputSerializer,
    PricingPlanInputSerializer,
    PricingPlanSerializer,
    ProfileSerializer,
    ReleaseInputSerializer,
    RentalFinishSerializer,
    RentalSerializer,
    RentalStartSerializer,
    StationInputSerializer,
    StationSerializer,
    VehicleTypeInputSerializer,
    VehicleTypeSerializer,
)
from circulate.bikes.errors import NoActiveRentalError
from circulate.bikes.models import Bike, PricingPlan, Rental, Station, VehicleType
from circulate.bikes.storage import bikes_storage, is_remote
from circulate.core import schema
from circulate.core.api import KeptListAndDetail, ServiceCrudViewSet, ServiceViewSet
from circulate.core.errors import NotFoundError
from circulate.core.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from circulate.core.schema import request_example, response_example

FLEET_ONLY = "fleet managers"


def crud_schema(noun: str, read: Any, write: Any, example: dict[str, Any], conflict: str) -> Any:
    """The schema of a fleet-managed resource: everyone signed in reads, fleet managers write."""
    return schema.crud_schema(noun, read, write, example, writers=FLEET_ONLY, conflict=conflict, errors=errors)


# --- Stations and vehicle types -----------------------------------------------------------------------


@crud_schema(
    "station",
    StationSerializer,
    StationInputSerializer,
    docs.STATION_EXAMPLE,
    "capacity below the bikes in the docks, or bikes still standing at it",
)
class StationViewSet(ServiceCrudViewSet):
    serializer_class = StationSerializer
    input_serializer_class = StationInputSerializer
    filterset_class = filters.StationFilter
    queryset = Station.objects.none()
    create_service = staticmethod(services.create_station)
    update_service = staticmethod(services.update_station)
    delete_service = staticmethod(services.delete_station)
    id_argument = "station_id"

    def get_queryset(self) -> QuerySet[Station]:
        return selectors.stations().order_by("name", "id")


@crud_schema(
    "vehicle type", VehicleTypeSerializer, VehicleTypeInputSerializer, docs.VEHICLE_TYPE_EXAMPLE, "bikes use the type"
)
class VehicleTypeViewSet(ServiceCrudViewSet):
    serializer_class = VehicleTypeSerializer
    input_serializer_class = VehicleTypeInputSerializer
    queryset = VehicleType.objects.none()
    create_service = staticmethod(services.create_vehicle_type)
    update_service = staticmethod(services.update_vehicle_type)
    delete_service = staticmethod(services.delete_vehicle_type)
    id_argument = "vehicle_type_id"

    def get_queryset(self) -> QuerySet[VehicleType]:
        return selectors.vehicle_types()


# --- Bikes -----------------------------------------------------------------------------------------------


@crud_schema(
    "bike", BikeSerializer, BikeInputSerializer, docs.BIKE_EXAMPLE, "station full, serial taken, or bike rented"
)
@extend_schema_view(
    update=extend_schema(
        summary="Change a bike (fleet managers)",
        request=BikeChangeSerializer,
        responses={200: BikeSerializer, **errors(400, 403, 404, 409, conflict="serial taken")},
    ),
    partial_update=extend_schema(
        summary="Change some fields of a bike (fleet managers)",
        request=BikeChangeSerializer,
        responses={200: BikeSerializer, **errors(400, 403, 404, 409, conflict="serial taken")},
    ),
)
class BikeViewSet(KeptListAndDetail, ServiceViewSet):
    # The list and the detail are the same for every caller: kept in the fleet cache.
    kept_in = fleet_cache.FLEET
    serializer_class = BikeSerializer
    input_serializer_class = BikeInputSerializer
    filterset_class = filters.BikeFilter
    queryset = Bike.objects.none()

    def get_queryset(self) -> QuerySet[Bike]:
        return selectors.bikes()

    def create(self, request: Request) -> Response:
        data = self.valid_input()
        bike = services.create_bike(
            actor=self.actor,
            serial=data["serial"],
            vehicle_type_id=data["vehicle_type"],
            station_id=data["station"],
            current_range_meters=data.get("current_range_meters"),
        )
        return self.render(bike.pk, status_code=status.HTTP_201_CREATED)

    def update(self, request: Request, pk: str, partial: bool = False) -> Response:
        serializer = BikeChangeSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        if "vehicle_type" in changes:
            changes["vehicle_type_id"] = changes.pop("vehicle_type")
        bike = services.update_bike(actor=self.actor, bike_id=self.object_id(), **changes)
        return self.render(bike.pk)

    def partial_update(self, request: Request, pk: str) -> Response:
        return self.update(request, pk, partial=True)

    def destroy(self, request: Request, pk: str) -> Response:
        services.delete_bike(actor=self.actor, bike_id=self.object_id())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Send a bike to maintenance (fleet managers); it stays in its dock, disabled",
        request=None,
        responses={200: BikeSerializer, **errors(403, 404, 409, conflict="The bike is out on a ride.")},
    )
    @action(detail=True, methods=["post"])
    def maintenance(self, request: Request, pk: str) -> Response:
        bike = services.send_to_maintenance(actor=self.actor, bike_id=self.object_id())
        return self.render(bike.pk)

    @extend_schema(
        summary="Put a repaired bike back in service (fleet managers), optionally at another station",
        request=ReleaseInputSerializer,
        responses={200: BikeSerializer, **errors(400, 403, 404, 409, conflict="The station is full.")},
        examples=[request_example("Back at station 5", {"station": 5})],
    )
    @action(detail=True, methods=["post"])
    def release(self, request: Request, pk: str) -> Response:
        serializer = ReleaseInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        station_id = serializer.validated_data.get("station")
        bike = services.release_from_maintenance(actor=self.actor, bike_id=self.object_id(), station_id=station_id)
        return self.render(bike.pk)

    @extend_schema(
        summary="Upload a photo of the bike (fleet managers; JPEG, PNG or WebP up to 5 MB)",
        request={"multipart/form-data": PhotoInputSerializer},
        responses={200: BikeSerializer, **errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def photo(self, request: Request, pk: str) -> Response:
        serializer = PhotoInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        bike = services.set_bike_photo(
            actor=self.actor, bike_id=self.object_id(), photo=serializer.validated_data["photo"]
        )
        return self.render(bike.pk)


# --- Pricing plans --------------------------------------------------------------------------------------------


@crud_schema(
    "pricing plan",
    PricingPlanSerializer,
    PricingPlanInputSerializer,
    docs.PLAN_EXAMPLE,
    "the default plan, or rides under it still unpriced",
)
class PricingPlanViewSet(ServiceCrudViewSet):
    serializer_class = PricingPlanSerializer
    input_serializer_class = PricingPlanInputSerializer
    queryset = PricingPlan.objects.none()
    create_service = staticmethod(services.create_plan)
    update_service = staticmethod(services.update_plan)
    delete_service = staticmethod(services.delete_plan)
    id_argument = "plan_id"

    def get_queryset(self) -> QuerySet[PricingPlan]:
        return selectors.pricing_plans()

    def valid_input(self, *, partial: bool = False) -> dict[str, Any]:
        serializer = PricingPlanInputSerializer(data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return serializer.to_service(dict(serializer.validated_data))


# --- Rentals ----------------------------------------------------------------------------------------------------

START_CONFLICTS = (
    "`bike_unavailable` (rented, in repair, or its station is not renting), `rental_active` (already riding)."
)
FINISH_CONFLICTS = "`station_full`, `station_not_returning`, `rental_finished`."
FINISH_DESCRIPTION = (
    "202: the ride is over; its price is worked out by a background task (`cost_status` `pending` → "
    "`priced`, live event `rental.priced`). `estimate` is what the plan says it costs."
)


@extend_schema_view(
    list=extend_schema(
        summary="Rides: your own (fleet managers: everyone's, `?rider=`)",
        responses={200: RentalSerializer(many=True), **errors(400)},
        examples=[response_example("Rides", [docs.RENTAL_EXAMPLE])],
    ),
    retrieve=extend_schema(summary="Read a ride", responses={200: RentalSerializer, **errors(404)}),
)
class RentalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ServiceViewSet):
    serializer_class = RentalSerializer
    input_serializer_class = RentalStartSerializer
    filterset_class = filters.RentalFilter
    queryset = Rental.objects.none()

    def get_queryset(self) -> QuerySet[Rental]:
        return selectors.rentals_for(user=self.actor)

    @extend_schema(
        summary="Start a ride: take a bike from its dock",
        request=RentalStartSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: RentalSerializer, **errors(400, 404, 409, conflict=START_CONFLICTS)},
        examples=[
            request_example("Default plan", {"bike": 42}),
            response_example("Riding", {**docs.RENTAL_EXAMPLE, "status": "active", "ended_at": None}, 201),
        ],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = self.valid_input()
        rental = services.start_rental(actor=self.actor, bike_id=data["bike"], plan_id=data.get("plan"))
        return self.render(rental.pk, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Finish a ride at a station (the rider, or a fleet manager for an abandoned bike)",
        description=FINISH_DESCRIPTION,
        request=RentalFinishSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={202: RentalSerializer, **errors(400, 404, 409, conflict=FINISH_CONFLICTS)},
        examples=[request_example("At station 5", {"station": 5}), response_example("Ended", docs.RENTAL_EXAMPLE, 202)],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def finish(self, request: Request, pk: str) -> Response:
        serializer = RentalFinishSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rental = services.finish_rental(
            actor=self.actor, rental_id=self.object_id(), station_id=serializer.validated_data["station"]
        )
        return self.render(rental.pk, status_code=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Your ride now",
        responses={200: RentalSerializer, **errors(404)},
        description="404 `no_active_rental` when you are not riding.",
    )
    @action(detail=False, methods=["get"])
    def current(self, request: Request) -> Response:
        rental = selectors.active_rental_of(user=self.actor)
        if rental is None:
            raise NoActiveRentalError()
        return Response(self.get_serializer(rental).data)

    @extend_schema(
        summary="The receipt of a priced ride (plain text; a signed, short-lived link when kept in S3)",
        responses={
            (200, "text/plain"): OpenApiResponse(OpenApiTypes.STR, description="The receipt."),
            302: OpenApiResponse(description="Redirect to a signed URL of the receipt in object storage."),
            **errors(404),
        },
    )
    @action(detail=True, methods=["get"], url_name="receipt")
    def receipt(self, request: Request, pk: str) -> Any:
        rental = self.get_object()
        if not rental.receipt:
            raise NotFoundError("This ride has no receipt yet: it is priced a moment after it ends.")
        if is_remote():
            return HttpResponseRedirect(rental.receipt.url)
        handle = bikes_storage().open(rental.receipt.name, "rb")
        return FileResponse(handle, content_type="text/plain; charset=utf-8", filename=f"ride-{rental.pk}.txt")


# --- The rider's profile and seed 002's routes -------------------------------------------------------------------


class ProfileView(APIView):
    @extend_schema(
        summary="Your riding profile: current ride, rides, minutes, money spent, the last 10 rides",
        responses={200: ProfileSerializer, **errors()},
    )
    def get(self, request: Request) -> Response:
        profile = selectors.rider_profile(user=request.user)  # type: ignore[arg-type]
        return Response(ProfileSerializer(profile, context={"request": request}).data)


class AvailableBikesView(BikeViewSet):
    """``GET /api/bikes/list/``: the bikes that can be rented now (seed 002)."""

    def get_queryset(self) -> QuerySet[Bike]:
        return selectors.bikes().filter(
            status=Bike.Status.AVAILABLE, station__is_renting=True, station__is_installed=True
        )


class RentEndView(ServiceViewSet):
    """``POST /api/bikes/rent_end/`` ``{station}``: finish the caller's ride (seed 002)."""

    serializer_class = RentalSerializer
    queryset = Rental.objects.none()

    def get_queryset(self) -> QuerySet[Rental]:
        return selectors.rentals_for(user=self.actor)

    @extend_schema(
        summary="Finish your ride at a station (seed 002's rent_end)",
        request=RentalFinishSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={202: RentalSerializer, **errors(400, 404, 409, conflict=FINISH_CONFLICTS)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        serializer = RentalFinishSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rental = services.finish_current_rental(actor=self.actor, station_id=serializer.validated_data["station"])
        return self.render(rental.pk, status_code=status.HTTP_202_ACCEPTED)

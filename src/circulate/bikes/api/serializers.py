"""Input and output serializers of the bike rental API: what a client may write is never "all fields"."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from circulate.bikes import selectors
from circulate.bikes.models import Bike, PricingPlan, Rental, Station, VehicleType
from circulate.core.api import ReadModelSerializer

# --- Stations and vehicle types ---------------------------------------------------------------------


class StationSerializer(ReadModelSerializer[Station]):
    bikes_available = serializers.IntegerField(read_only=True, help_text="Bikes ready to rent in the docks.")
    bikes_disabled = serializers.IntegerField(read_only=True, help_text="Bikes in the docks but in repair.")
    docks_available = serializers.IntegerField(read_only=True, help_text="Free docks to return a bike to.")

    class Meta:
        model = Station
        fields = [
            "id",
            "name",
            "lat",
            "lon",
            "address",
            "capacity",
            "bikes_available",
            "bikes_disabled",
            "docks_available",
            "is_installed",
            "is_renting",
            "is_returning",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class StationInputSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200)
    lat = serializers.DecimalField(max_digits=9, decimal_places=6, min_value=Decimal(-90), max_value=Decimal(90))
    lon = serializers.DecimalField(max_digits=9, decimal_places=6, min_value=Decimal(-180), max_value=Decimal(180))
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    capacity = serializers.IntegerField(min_value=1, max_value=500, help_text="Number of docks.")
    is_installed = serializers.BooleanField(required=False)
    is_renting = serializers.BooleanField(required=False)
    is_returning = serializers.BooleanField(required=False)


class VehicleTypeSerializer(ReadModelSerializer[VehicleType]):
    class Meta:
        model = VehicleType
        fields = ["id", "name", "form_factor", "propulsion", "max_range_meters", "created_at", "updated_at"]
        read_only_fields = fields


class VehicleTypeInputSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100)
    form_factor = serializers.ChoiceField(choices=VehicleType.FormFactor.choices, required=False)
    propulsion = serializers.ChoiceField(choices=VehicleType.Propulsion.choices, required=False)
    max_range_meters = serializers.IntegerField(min_value=1, max_value=1_000_000, required=False, allow_null=True)


# --- Bikes ------------------------------------------------------------------------------------------


class BriefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class BikeSerializer(ReadModelSerializer[Bike]):
    vehicle_type = VehicleTypeSerializer(read_only=True)
    station = BriefSerializer(read_only=True, allow_null=True)
    photo = serializers.SerializerMethodField(help_text="A link to the photo (signed and short-lived in S3), or null.")

    class Meta:
        model = Bike
        fields = [
            "id",
            "serial",
            "vehicle_type",
            "status",
            "station",
            "current_range_meters",
            "photo",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_photo(self, bike: Bike) -> str | None:
        if not bike.photo:
            return None
        url = bike.photo.url
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None and url.startswith("/") else url


class BikeInputSerializer(serializers.Serializer[Any]):
    serial = serializers.CharField(max_length=40)
    vehicle_type = serializers.IntegerField(min_value=1, help_text="Vehicle type id.")
    station = serializers.IntegerField(min_value=1, help_text="The station whose dock the new bike stands in.")
    current_range_meters = serializers.IntegerField(min_value=0, required=False, allow_null=True)


class BikeChangeSerializer(serializers.Serializer[Any]):
    serial = serializers.CharField(max_length=40, required=False)
    vehicle_type = serializers.IntegerField(min_value=1, required=False, help_text="Vehicle type id.")
    current_range_meters = serializers.IntegerField(min_value=0, required=False, allow_null=True)


class ReleaseInputSerializer(serializers.Serializer[Any]):
    station = serializers.IntegerField(
        min_value=1, required=False, help_text="Dock it at this station; omitted: it stays where it is."
    )


class PhotoInputSerializer(serializers.Serializer[Any]):
    photo = serializers.FileField(help_text="JPEG, PNG or WebP, at most UPLOAD_IMAGE_MAX_BYTES (5 MB).")


# --- Pricing plans -------------------------------------------------------------------------------------


class SegmentSerializer(serializers.Serializer[Any]):
    start = serializers.IntegerField(min_value=0, help_text="Minute of the ride at which charging starts.")
    rate = serializers.DecimalField(max_digits=12, decimal_places=4, help_text="Charged at each mark.")
    interval = serializers.IntegerField(min_value=0, help_text="Minutes between marks; 0 charges once at start.")
    end = serializers.IntegerField(min_value=1, required=False, help_text="Marks before this minute only.")


class FareCapSerializer(serializers.Serializer[Any]):
    duration = serializers.IntegerField(min_value=1, help_text="Minutes per capped period.")
    price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal(0))


class PricingPlanSerializer(ReadModelSerializer[PricingPlan]):
    per_min_pricing = SegmentSerializer(many=True, read_only=True)
    fare_cap = serializers.SerializerMethodField()

    class Meta:
        model = PricingPlan
        fields = [
            "id",
            "name",
            "currency",
            "price",
            "per_min_pricing",
            "fare_cap",
            "is_taxable",
            "description",
            "is_default",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(FareCapSerializer(allow_null=True))
    def get_fare_cap(self, plan: PricingPlan) -> dict[str, Any] | None:
        if plan.fare_cap_duration is None:
            return None
        return {"duration": plan.fare_cap_duration, "price": f"{plan.fare_cap_price:.2f}"}


class PricingPlanInputSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100)
    currency = serializers.CharField(max_length=3, help_text="ISO 4217, e.g. EUR.")
    price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal(0), required=False)
    per_min_pricing = SegmentSerializer(many=True, required=False)
    fare_cap = FareCapSerializer(required=False, allow_null=True)
    is_taxable = serializers.BooleanField(required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    is_default = serializers.BooleanField(required=False)

    def to_service(self, data: dict[str, Any]) -> dict[str, Any]:
        """The service's keyword arguments: the cap flattened into its two columns."""
        data = dict(data)
        if "fare_cap" in data:
            cap = data.pop("fare_cap")
            data["fare_cap_duration"] = cap["duration"] if cap else None
            data["fare_cap_price"] = cap["price"] if cap else None
        if "per_min_pricing" in data:
            data["per_min_pricing"] = [dict(segment) for segment in data["per_min_pricing"]]
        return data


# --- Rentals -------------------------------------------------------------------------------------------


class RentalBikeSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    serial = serializers.CharField()


class RentalSerializer(ReadModelSerializer[Rental]):
    bike = RentalBikeSerializer(read_only=True)
    plan = BriefSerializer(read_only=True)
    start_station = BriefSerializer(read_only=True)
    end_station = BriefSerializer(read_only=True, allow_null=True)
    status = serializers.SerializerMethodField(help_text="`active` while riding, then `finished`.")
    estimate = serializers.SerializerMethodField(
        help_text="What the ride costs under its plan so far (riding) or in total (finished), before the final price."
    )
    receipt = serializers.SerializerMethodField(help_text="Where to fetch the receipt once priced, else null.")

    class Meta:
        model = Rental
        fields = [
            "id",
            "rider",
            "bike",
            "plan",
            "status",
            "started_at",
            "start_station",
            "ended_at",
            "end_station",
            "duration_seconds",
            "currency",
            "estimate",
            "cost",
            "cost_status",
            "receipt",
        ]
        read_only_fields = fields

    def get_status(self, rental: Rental) -> str:
        return "active" if rental.ended_at is None else "finished"

    @extend_schema_field(serializers.DecimalField(max_digits=12, decimal_places=2))
    def get_estimate(self, rental: Rental) -> str:
        return str(selectors.estimate(rental))

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_receipt(self, rental: Rental) -> str | None:
        if not rental.receipt:
            return None
        return reverse("bikes:rental-receipt", args=[rental.pk])


class RentalStartSerializer(serializers.Serializer[Any]):
    bike = serializers.IntegerField(min_value=1, help_text="The bike to take from its dock.")
    plan = serializers.IntegerField(min_value=1, required=False, help_text="Pricing plan id; omitted: the default.")


class RentalFinishSerializer(serializers.Serializer[Any]):
    station = serializers.IntegerField(min_value=1, help_text="The station whose dock the bike goes into.")


class SpentSerializer(serializers.Serializer[Any]):
    currency = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)


class ProfileSerializer(serializers.Serializer[Any]):
    current_rental = RentalSerializer(allow_null=True)
    rides = serializers.IntegerField(help_text="Finished rides.")
    minutes_ridden = serializers.IntegerField()
    spent = SpentSerializer(many=True, help_text="Priced rides' total, per currency.")
    last_rides = RentalSerializer(many=True, help_text="The last 10 finished rides, newest first.")

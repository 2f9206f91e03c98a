"""Admin for the bike rental. Writes go through the services (and so the audit trail); costs are read-only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from circulate.bikes import services
from circulate.bikes.models import Bike, PricingPlan, Rental, Station, VehicleType
from circulate.core.admin import AuditedModelAdmin, SoftDeleteAdmin
from circulate.core.errors import DomainError


def _each(modeladmin: admin.ModelAdmin[Any], request: HttpRequest, rows: QuerySet[Any], verb: str, call: Any) -> None:
    done, refused = 0, []
    for row in rows.order_by("pk"):
        try:
            call(row)
            done += 1
        except DomainError as exc:
            refused.append(f"#{row.pk}: {exc.detail}")
    if done:
        modeladmin.message_user(request, f"{verb} {done} row(s).", messages.SUCCESS)
    for reason in refused:
        modeladmin.message_user(request, reason, messages.WARNING)


def _fields(form: forms.ModelForm[Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in names if name in form.cleaned_data}


class ServiceAdmin(SoftDeleteAdmin):
    """Saves through the model's create and update services (wrapped in ``staticmethod``), never ``save()``."""

    service_fields: tuple[str, ...] = ()
    create_service: Any
    update_service: Any
    id_argument: str

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        fields = _fields(form, self.service_fields)
        if change:
            saved = self.update_service(actor=request.user, **{self.id_argument: obj.pk}, **fields)
        else:
            saved = self.create_service(actor=request.user, **fields)
        obj.pk = saved.pk
        obj._state.adding = False
        obj.refresh_from_db()


@admin.register(Station)
class StationAdmin(ServiceAdmin):
    list_display = ("name", "capacity", "docked_count", "is_installed", "is_renting", "is_returning", "is_active")
    list_filter = ("is_active", "is_renting", "is_returning", "is_installed")
    search_fields = ("name", "address")
    fields = ("name", "lat", "lon", "address", "capacity", "is_installed", "is_renting", "is_returning", "docked_count")
    readonly_fields = ("docked_count",)
    service_fields = ("name", "lat", "lon", "address", "capacity", "is_installed", "is_renting", "is_returning")
    create_service = staticmethod(services.create_station)
    update_service = staticmethod(services.update_station)
    id_argument = "station_id"

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(VehicleType)
class VehicleTypeAdmin(ServiceAdmin):
    list_display = ("name", "form_factor", "propulsion", "max_range_meters", "is_active")
    list_filter = ("is_active", "propulsion")
    fields = ("name", "form_factor", "propulsion", "max_range_meters")
    service_fields = fields
    create_service = staticmethod(services.create_vehicle_type)
    update_service = staticmethod(services.update_vehicle_type)
    id_argument = "vehicle_type_id"

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PricingPlan)
class PricingPlanAdmin(ServiceAdmin):
    list_display = ("name", "currency", "price", "fare_cap_price", "fare_cap_duration", "is_default", "is_active")
    list_filter = ("is_active", "is_default", "currency")
    fields = (
        "name",
        "currency",
        "price",
        "per_min_pricing",
        "fare_cap_duration",
        "fare_cap_price",
        "is_taxable",
        "description",
        "is_default",
    )
    service_fields = fields
    create_service = staticmethod(services.create_plan)
    update_service = staticmethod(services.update_plan)
    id_argument = "plan_id"

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.action(description="Send to maintenance")
def to_maintenance(modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Bike]) -> None:
    _each(
        modeladmin,
        request,
        queryset,
        "Sent",
        lambda bike: services.send_to_maintenance(actor=request.user, bike_id=bike.pk),
    )


@admin.action(description="Back in service (in their dock)")
def release(modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Bike]) -> None:
    _each(
        modeladmin,
        request,
        queryset,
        "Released",
        lambda bike: services.release_from_maintenance(actor=request.user, bike_id=bike.pk),
    )


@admin.action(description="Withdraw from the fleet (soft delete)")
def withdraw(modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Bike]) -> None:
    _each(
        modeladmin,
        request,
        queryset.filter(is_active=True),
        "Withdrew",
        lambda bike: services.delete_bike(actor=request.user, bike_id=bike.pk),
    )


@admin.register(Bike)
class BikeAdmin(SoftDeleteAdmin):
    list_display = ("serial", "vehicle_type", "status", "station", "current_range_meters", "is_active")
    list_filter = ("is_active", "status", "vehicle_type", "station")
    search_fields = ("serial",)
    list_select_related = ("vehicle_type", "station")
    fields = ("serial", "vehicle_type", "station", "current_range_meters", "status", "photo", "public_id")
    readonly_fields = ("status", "photo", "public_id")
    actions = (to_maintenance, release, withdraw)

    def get_readonly_fields(self, request: HttpRequest, obj: Bike | None = None) -> Any:
        # A bike changes station by being ridden or released, never by editing the field.
        return (*self.readonly_fields, "station") if obj else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: Bike, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            saved = services.update_bike(
                actor=request.user,
                bike_id=obj.pk,
                serial=data["serial"],
                vehicle_type_id=data["vehicle_type"].pk,
                current_range_meters=data.get("current_range_meters"),
            )
        else:
            saved = services.create_bike(
                actor=request.user,
                serial=data["serial"],
                vehicle_type_id=data["vehicle_type"].pk,
                station_id=data["station"].pk,
                current_range_meters=data.get("current_range_meters"),
            )
        obj.pk = saved.pk
        obj._state.adding = False
        obj.refresh_from_db()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.action(description="Price now (only rides still pending)")
def price_now(modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Rental]) -> None:
    _each(modeladmin, request, queryset, "Priced", lambda rental: services.price_rental(rental_id=rental.pk))


@admin.register(Rental)
class RentalAdmin(AuditedModelAdmin):
    list_display = (
        "id",
        "rider",
        "bike",
        "started_at",
        "ended_at",
        "duration_seconds",
        "cost",
        "currency",
        "cost_status",
    )
    list_filter = ("cost_status", "currency")
    search_fields = ("rider__email", "bike__serial")
    list_select_related = ("rider", "bike")
    date_hierarchy = "started_at"
    actions = (price_now,)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [field.name for field in Rental._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

"""Admin of the dealership market. Writes go through the services (and so the audit trail).

Balances, stock and sales are read-only: trading moves them. The one manual change of
money is a top-up: *Balance top-ups → Add* calls ``top_up_dealership`` / ``top_up_buyer``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from circulate.core.admin import AuditedModelAdmin, SoftDeleteAdmin
from circulate.dealership import services
from circulate.dealership.models import (
    BalanceTopUp,
    Buyer,
    CarModel,
    Dealership,
    DealershipCar,
    DealershipPromotion,
    DealershipSale,
    Offer,
    Supplier,
    SupplierCar,
    SupplierDiscount,
    SupplierSale,
)


def _saved(obj: Any, saved: Any) -> None:
    obj.pk = saved.pk
    obj._state.adding = False
    obj.refresh_from_db()


def _data(form: forms.ModelForm[Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in names if name in form.cleaned_data}


def _ids(rows: Any) -> list[int]:
    return [row.pk for row in rows or []]


class ServiceAdmin(SoftDeleteAdmin):
    """Saves through the model's create and update services (wrapped in ``staticmethod``), never ``save()``."""

    service_fields: tuple[str, ...] = ()
    create_service: Any
    update_service: Any
    id_argument: str

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        fields = _data(form, self.service_fields)
        if change:
            saved = self.update_service(actor=request.user, **{self.id_argument: obj.pk}, **fields)
        else:
            saved = self.create_service(actor=request.user, **fields)
        _saved(obj, saved)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(AuditedModelAdmin):
    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CarModel)
class CarModelAdmin(ServiceAdmin):
    list_display = ("make", "model", "year", "body_type", "fuel", "transmission", "power_hp", "color", "is_active")
    list_filter = ("is_active", "make", "body_type", "fuel", "transmission", "drive")
    search_fields = ("make", "model", "color")
    fields = services.catalogue.CAR_MODEL_FIELDS
    service_fields = fields
    create_service = staticmethod(services.create_car_model)
    update_service = staticmethod(services.update_car_model)
    id_argument = "car_model_id"


@admin.register(Supplier)
class SupplierAdmin(ServiceAdmin):
    list_display = ("name", "country", "founded_year", "email", "is_active")
    list_filter = ("is_active", "country")
    search_fields = ("name", "email")
    fields = services.catalogue.SUPPLIER_FIELDS
    service_fields = fields
    create_service = staticmethod(services.create_supplier)
    update_service = staticmethod(services.update_supplier)
    id_argument = "supplier_id"


@admin.register(SupplierCar)
class SupplierCarAdmin(SoftDeleteAdmin):
    list_display = ("supplier", "car_model", "price", "is_active")
    list_filter = ("is_active", "supplier")
    list_select_related = ("supplier", "car_model")
    fields = ("supplier", "car_model", "price")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("supplier", "car_model") if obj else ()

    def save_model(self, request: HttpRequest, obj: SupplierCar, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            saved = services.update_supplier_price(actor=request.user, supplier_car_id=obj.pk, price=data["price"])
        else:
            saved = services.set_supplier_price(
                actor=request.user,
                supplier_id=data["supplier"].pk,
                car_model_id=data["car_model"].pk,
                price=data["price"],
            )
        _saved(obj, saved)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SupplierDiscount)
class SupplierDiscountAdmin(SoftDeleteAdmin):
    list_display = ("supplier", "name", "kind", "percent", "min_units", "starts_at", "ends_at", "is_active")
    list_filter = ("is_active", "kind", "supplier")
    fields = ("supplier", "name", "kind", "percent", "min_units", "starts_at", "ends_at", "car_models")
    filter_horizontal = ("car_models",)

    def save_model(self, request: HttpRequest, obj: SupplierDiscount, form: Any, change: bool) -> None:
        data = _data(form, ("name", "kind", "percent", "min_units", "starts_at", "ends_at"))
        data["car_models"] = _ids(form.cleaned_data.get("car_models"))
        if change:
            saved = services.update_supplier_discount(actor=request.user, supplier_discount_id=obj.pk, **data)
        else:
            saved = services.create_supplier_discount(
                actor=request.user, supplier_id=form.cleaned_data["supplier"].pk, **data
            )
        _saved(obj, saved)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """The service set the car models already."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class StockInline(admin.TabularInline[DealershipCar, Dealership]):
    model = DealershipCar
    fields = ("car_model", "quantity", "unit_cost", "price")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Dealership)
class DealershipAdmin(SoftDeleteAdmin):
    list_display = ("name", "country", "city", "balance", "markup_percent", "is_active")
    list_filter = ("is_active", "country")
    search_fields = ("name", "city")
    fields = ("name", "country", "city", "markup_percent", "preferences", "staff", "balance")
    readonly_fields = ("balance",)
    filter_horizontal = ("staff",)
    inlines = (StockInline,)

    def save_model(self, request: HttpRequest, obj: Dealership, form: Any, change: bool) -> None:
        data = _data(form, ("name", "country", "city", "markup_percent", "preferences"))
        if change:
            saved = services.update_dealership(actor=request.user, dealership_id=obj.pk, **data)
        else:
            saved = services.create_dealership(actor=request.user, **data)
        _saved(obj, saved)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        staff = _ids(form.cleaned_data.get("staff"))
        if sorted(staff) != sorted(form.instance.staff.values_list("pk", flat=True)):
            services.set_dealership_staff(actor=request.user, dealership_id=form.instance.pk, user_ids=staff)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DealershipPromotion)
class DealershipPromotionAdmin(SoftDeleteAdmin):
    list_display = ("dealership", "name", "percent", "starts_at", "ends_at", "is_active")
    list_filter = ("is_active", "dealership")
    fields = ("dealership", "name", "percent", "starts_at", "ends_at", "car_models")
    filter_horizontal = ("car_models",)

    def save_model(self, request: HttpRequest, obj: DealershipPromotion, form: Any, change: bool) -> None:
        data = _data(form, ("name", "percent", "starts_at", "ends_at"))
        data["car_models"] = _ids(form.cleaned_data.get("car_models"))
        if change:
            saved = services.update_promotion(actor=request.user, promotion_id=obj.pk, **data)
        else:
            saved = services.create_promotion(
                actor=request.user, dealership_id=form.cleaned_data["dealership"].pk, **data
            )
        _saved(obj, saved)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """The service set the car models already."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DealershipCar)
class DealershipCarAdmin(ReadOnlyAdmin):
    list_display = ("dealership", "car_model", "quantity", "unit_cost", "price")
    list_filter = ("dealership",)
    list_select_related = ("dealership", "car_model")


@admin.register(Buyer)
class BuyerAdmin(ReadOnlyAdmin):
    list_display = ("user", "country", "balance", "is_active")
    search_fields = ("user__email",)
    list_select_related = ("user",)


@admin.register(Offer)
class OfferAdmin(ReadOnlyAdmin):
    list_display = ("id", "buyer", "car_model", "max_price", "status", "created_at", "fulfilled_at")
    list_filter = ("status",)
    list_select_related = ("buyer__user", "car_model")


@admin.register(SupplierSale)
class SupplierSaleAdmin(ReadOnlyAdmin):
    list_display = ("sold_at", "supplier", "dealership", "car_model", "quantity", "unit_price", "total")
    list_filter = ("supplier", "dealership")
    list_select_related = ("supplier", "dealership", "car_model")
    date_hierarchy = "sold_at"


@admin.register(DealershipSale)
class DealershipSaleAdmin(ReadOnlyAdmin):
    list_display = ("sold_at", "dealership", "buyer", "car_model", "price", "discount_percent", "unit_cost")
    list_filter = ("dealership",)
    list_select_related = ("dealership", "buyer__user", "car_model")
    date_hierarchy = "sold_at"


class TopUpForm(forms.ModelForm[BalanceTopUp]):
    class Meta:
        model = BalanceTopUp
        fields = ("dealership", "buyer", "amount", "note")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("dealership") is None) == (data.get("buyer") is None):
            raise forms.ValidationError("Choose either a dealership or a buyer.")
        return data


@admin.register(BalanceTopUp)
class BalanceTopUpAdmin(AuditedModelAdmin):
    """Add a top-up to move money onto a balance (through the top-up services); existing ones are read-only."""

    list_display = ("created_at", "dealership", "buyer", "amount", "note", "added_by")
    list_select_related = ("dealership", "buyer__user", "added_by")
    fields = ("dealership", "buyer", "amount", "note")
    form = TopUpForm

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.fields if obj else ()

    def save_model(self, request: HttpRequest, obj: BalanceTopUp, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if data.get("dealership") is not None:
            saved = services.top_up_dealership(
                actor=request.user, dealership_id=data["dealership"].pk, amount=data["amount"], note=data["note"]
            )
        else:
            saved = services.top_up_buyer(
                actor=request.user, buyer_id=data["buyer"].pk, amount=data["amount"], note=data["note"]
            )
        _saved(obj, saved)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

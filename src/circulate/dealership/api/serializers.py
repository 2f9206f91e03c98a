"""Input and output serializers of the dealership API: balances and trading records are never writable.

Money is a decimal string in :data:`~circulate.dealership.models.CURRENCY` (USD, named in
``currency``); countries come back as ``{code, name}`` and go in as ISO 3166 codes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django_countries.serializer_fields import CountryField
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from circulate.core.api import ReadModelSerializer
from circulate.dealership import selectors
from circulate.dealership.models import (
    CURRENCY,
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

MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}


def required_country(value: Any) -> Any:
    """A country must be named: django-countries turns ``{}`` or ``{"code": ""}`` into "" without complaint."""
    if not value:
        raise serializers.ValidationError("Name a country by its ISO 3166 code, e.g. JP.")
    return value


def country_out(**kwargs: Any) -> CountryField:
    return CountryField(country_dict=True, read_only=True, **kwargs)


class CurrencyMixin(serializers.Serializer[Any]):
    currency = serializers.SerializerMethodField(help_text="ISO 4217: every amount is in this currency.")

    def get_currency(self, obj: Any) -> str:
        return CURRENCY


# --- Catalogue --------------------------------------------------------------------------------------------


class CarModelSerializer(ReadModelSerializer[CarModel]):
    class Meta:
        model = CarModel
        fields = [
            "id",
            "make",
            "model",
            "year",
            "body_type",
            "fuel",
            "transmission",
            "drive",
            "engine_volume_l",
            "power_hp",
            "color",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class CarModelBriefSerializer(ReadModelSerializer[CarModel]):
    class Meta:
        model = CarModel
        fields = ["id", "make", "model", "year", "body_type", "fuel", "transmission", "color"]
        read_only_fields = fields


class CarModelInputSerializer(serializers.Serializer[Any]):
    make = serializers.CharField(max_length=60)
    model = serializers.CharField(max_length=80)
    year = serializers.IntegerField(min_value=1886, max_value=2100)
    body_type = serializers.ChoiceField(choices=CarModel.BodyType.choices)
    fuel = serializers.ChoiceField(choices=CarModel.Fuel.choices)
    transmission = serializers.ChoiceField(choices=CarModel.Transmission.choices, required=False)
    drive = serializers.ChoiceField(choices=CarModel.Drive.choices, required=False)
    engine_volume_l = serializers.DecimalField(
        max_digits=3, decimal_places=1, min_value=Decimal("0.1"), required=False, allow_null=True
    )
    power_hp = serializers.IntegerField(min_value=1, max_value=5000)
    color = serializers.CharField(max_length=30)


class SupplierSerializer(ReadModelSerializer[Supplier]):
    country = country_out()
    # Optional on the model: "" when the supplier has none, so not documented as format email.
    email = serializers.CharField(read_only=True, help_text="Contact e-mail; empty when none is known.")

    class Meta:
        model = Supplier
        fields = ["id", "name", "country", "founded_year", "description", "email", "created_at", "updated_at"]
        read_only_fields = fields


class SupplierInputSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200)
    country = CountryField(help_text="ISO 3166 code, e.g. JP.")
    founded_year = serializers.IntegerField(min_value=1800, max_value=2100)
    description = serializers.CharField(required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)

    def validate_country(self, value: Any) -> Any:
        return required_country(value)


class SupplierCarSerializer(CurrencyMixin, ReadModelSerializer[SupplierCar]):
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)
    car_model = CarModelBriefSerializer(read_only=True)

    class Meta:
        model = SupplierCar
        fields = ["id", "supplier", "supplier_name", "car_model", "price", "currency", "created_at", "updated_at"]
        read_only_fields = fields


class SupplierCarInputSerializer(serializers.Serializer[Any]):
    supplier = serializers.IntegerField(min_value=1)
    car_model = serializers.IntegerField(min_value=1)
    price = serializers.DecimalField(**MONEY, min_value=Decimal("0.01"))


class SupplierCarChangeSerializer(serializers.Serializer[Any]):
    price = serializers.DecimalField(**MONEY, min_value=Decimal("0.01"))


class SupplierDiscountSerializer(ReadModelSerializer[SupplierDiscount]):
    car_models = serializers.SerializerMethodField(help_text="Car model ids; empty: every car of the supplier.")

    class Meta:
        model = SupplierDiscount
        fields = [
            "id",
            "supplier",
            "name",
            "kind",
            "percent",
            "min_units",
            "starts_at",
            "ends_at",
            "car_models",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_car_models(self, obj: SupplierDiscount) -> list[int]:
        return sorted(car.pk for car in obj.car_models.all())


class SupplierDiscountInputSerializer(serializers.Serializer[Any]):
    supplier = serializers.IntegerField(min_value=1)
    name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=SupplierDiscount.Kind.choices)
    percent = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=Decimal("0.01"))
    min_units = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    starts_at = serializers.DateTimeField(required=False, allow_null=True)
    ends_at = serializers.DateTimeField(required=False, allow_null=True)
    car_models = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, max_length=500)


# --- Dealerships ------------------------------------------------------------------------------------------------


class DealershipSerializer(CurrencyMixin, ReadModelSerializer[Dealership]):
    """Everyone sees name and place; its staff and the market's staff also balance, preferences and people."""

    country = country_out()
    balance = serializers.SerializerMethodField(help_text="Read-only; only its staff and the market's staff see it.")
    preferences = serializers.SerializerMethodField(help_text="What it buys (its staff and the market's staff).")
    staff = serializers.SerializerMethodField(help_text="User ids of its people (its staff and the market's staff).")

    class Meta:
        model = Dealership
        fields = [
            "id",
            "name",
            "country",
            "city",
            "markup_percent",
            "balance",
            "currency",
            "preferences",
            "staff",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _insider(self, obj: Dealership) -> bool:
        request = self.context.get("request")
        return request is not None and selectors.manages(request.user, obj.pk)

    @extend_schema_field(serializers.DecimalField(**MONEY, allow_null=True))
    def get_balance(self, obj: Dealership) -> str | None:
        return str(obj.balance) if self._insider(obj) else None

    @extend_schema_field(serializers.JSONField(allow_null=True))
    def get_preferences(self, obj: Dealership) -> dict[str, Any] | None:
        return obj.preferences if self._insider(obj) else None

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField(), allow_null=True))
    def get_staff(self, obj: Dealership) -> list[int] | None:
        return sorted(user.pk for user in obj.staff.all()) if self._insider(obj) else None


class DealershipInputSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200)
    country = CountryField(help_text="ISO 3166 code (the market's staff only).")
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)

    markup_percent = serializers.DecimalField(
        max_digits=6, decimal_places=2, min_value=Decimal(0), max_value=Decimal(1000), required=False
    )
    preferences = serializers.JSONField(required=False, help_text="See docs/dealership.md: criteria and targets.")

    def validate_country(self, value: Any) -> Any:
        return required_country(value)


class StaffInputSerializer(serializers.Serializer[Any]):
    staff = serializers.ListField(child=serializers.IntegerField(min_value=1), max_length=100)


class StockSerializer(CurrencyMixin, ReadModelSerializer[DealershipCar]):
    dealership_name = serializers.CharField(source="dealership.name", read_only=True)
    country = country_out(source="dealership.country")
    car_model = CarModelBriefSerializer(read_only=True)
    unit_cost = serializers.SerializerMethodField(help_text="Average cost of a unit (its staff only).")

    class Meta:
        model = DealershipCar
        fields = [
            "id",
            "dealership",
            "dealership_name",
            "country",
            "car_model",
            "quantity",
            "price",
            "unit_cost",
            "currency",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DecimalField(**MONEY, allow_null=True))
    def get_unit_cost(self, obj: DealershipCar) -> str | None:
        request = self.context.get("request")
        return (
            str(obj.unit_cost) if request is not None and selectors.manages(request.user, obj.dealership_id) else None
        )


class PromotionSerializer(ReadModelSerializer[DealershipPromotion]):
    car_models = serializers.SerializerMethodField(help_text="Car model ids; empty: every car of the dealership.")

    class Meta:
        model = DealershipPromotion
        fields = ["id", "dealership", "name", "percent", "starts_at", "ends_at", "car_models", "created_at"]
        read_only_fields = fields

    def get_car_models(self, obj: DealershipPromotion) -> list[int]:
        return sorted(car.pk for car in obj.car_models.all())


class PromotionInputSerializer(serializers.Serializer[Any]):
    dealership = serializers.IntegerField(min_value=1)
    name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    percent = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=Decimal("0.01"))
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    car_models = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, max_length=500)


# --- Buyers and offers -------------------------------------------------------------------------------------


class BuyerSerializer(CurrencyMixin, ReadModelSerializer[Buyer]):
    email = serializers.EmailField(source="user.email", read_only=True)
    country = country_out(allow_null=True, help_text="null until the buyer names a country.")

    class Meta:
        model = Buyer
        fields = ["id", "email", "country", "balance", "currency", "created_at"]
        read_only_fields = fields


class BuyerInputSerializer(serializers.Serializer[Any]):
    country = CountryField(allow_blank=True, help_text="ISO 3166 code. The balance is read-only.")


class OfferSerializer(CurrencyMixin, ReadModelSerializer[Offer]):
    car_model = CarModelBriefSerializer(read_only=True, allow_null=True, help_text="null: an offer by criteria.")
    sale = serializers.SerializerMethodField(help_text="The sale that fulfilled it.")

    class Meta:
        model = Offer
        fields = [
            "id",
            "buyer",
            "car_model",
            "criteria",
            "max_price",
            "currency",
            "status",
            "sale",
            "created_at",
            "fulfilled_at",
            "cancelled_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_sale(self, obj: Offer) -> int | None:
        sale = getattr(obj, "sale", None)
        return sale.pk if sale is not None else None


class OfferInputSerializer(serializers.Serializer[Any]):
    car_model = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    criteria = serializers.JSONField(required=False, help_text='Characteristics, e.g. {"makes": ["Toyota"]}.')
    max_price = serializers.DecimalField(**MONEY, min_value=Decimal("0.01"))


class SupplierSaleSerializer(CurrencyMixin, ReadModelSerializer[SupplierSale]):
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)
    dealership_name = serializers.CharField(source="dealership.name", read_only=True)
    car_model = CarModelBriefSerializer(read_only=True)

    class Meta:
        model = SupplierSale
        fields = [
            "id",
            "supplier",
            "supplier_name",
            "dealership",
            "dealership_name",
            "car_model",
            "quantity",
            "list_price",
            "discount_percent",
            "unit_price",
            "discount_total",
            "total",
            "currency",
            "sold_at",
        ]
        read_only_fields = fields


class SaleSerializer(CurrencyMixin, ReadModelSerializer[DealershipSale]):
    dealership_name = serializers.CharField(source="dealership.name", read_only=True)
    buyer_email = serializers.SerializerMethodField()
    car_model = CarModelBriefSerializer(read_only=True)
    unit_cost = serializers.SerializerMethodField(help_text="What the car cost the dealership (its staff only).")

    class Meta:
        model = DealershipSale
        fields = [
            "id",
            "dealership",
            "dealership_name",
            "buyer",
            "buyer_email",
            "offer",
            "car_model",
            "list_price",
            "discount_percent",
            "price",
            "unit_cost",
            "currency",
            "sold_at",
        ]
        read_only_fields = fields

    def _insider(self, obj: DealershipSale) -> bool:
        request = self.context.get("request")
        return request is not None and selectors.manages(request.user, obj.dealership_id)

    @extend_schema_field(serializers.EmailField(allow_null=True))
    def get_buyer_email(self, obj: DealershipSale) -> str | None:
        request = self.context.get("request")
        mine = request is not None and obj.buyer.user_id == request.user.pk
        return obj.buyer.user.email if mine or self._insider(obj) else None

    @extend_schema_field(serializers.DecimalField(**MONEY, allow_null=True))
    def get_unit_cost(self, obj: DealershipSale) -> str | None:
        return str(obj.unit_cost) if self._insider(obj) else None


class TradingReportSerializer(serializers.Serializer[Any]):
    purchases = SupplierSaleSerializer(many=True)
    sales = SaleSerializer(many=True)

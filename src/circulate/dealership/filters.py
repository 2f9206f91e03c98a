"""Query-string filters, search and ordering of the dealership market's lists (django-filter)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django_countries import countries

from circulate.core.filters import IdFilter, ordering_filter
from circulate.dealership.models import (
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

COUNTRY_CHOICES = list(countries)


def _search(queryset: QuerySet[Any], fields: tuple[str, ...], value: str) -> QuerySet[Any]:
    value = value.strip()
    if not value:
        return queryset
    q = Q()
    for field in fields:
        q |= Q(**{f"{field}__icontains": value})
    return queryset.filter(q)


class CarModelFilter(django_filters.FilterSet):
    make = django_filters.CharFilter(field_name="make", lookup_expr="iexact")
    model = django_filters.CharFilter(field_name="model", lookup_expr="iexact")
    year_min = django_filters.NumberFilter(field_name="year", lookup_expr="gte")
    year_max = django_filters.NumberFilter(field_name="year", lookup_expr="lte")
    body_type = django_filters.MultipleChoiceFilter(choices=CarModel.BodyType.choices)
    fuel = django_filters.MultipleChoiceFilter(choices=CarModel.Fuel.choices)
    transmission = django_filters.ChoiceFilter(choices=CarModel.Transmission.choices)
    drive = django_filters.ChoiceFilter(choices=CarModel.Drive.choices)
    search = django_filters.CharFilter(method="filter_search", help_text="Make, model or color contains.")
    ordering = ordering_filter(
        {
            "make": ("make", "model", "-year", "id"),
            "-year": ("-year", "make", "model", "id"),
            "year": ("year", "make", "model", "id"),
            "-power_hp": ("-power_hp", "id"),
        },
        "Sort order (default: make).",
    )

    class Meta:
        model = CarModel
        fields = ["make", "model", "year_min", "year_max", "body_type", "fuel", "transmission", "drive"]

    def filter_search(self, queryset: QuerySet[CarModel], name: str, value: str) -> QuerySet[CarModel]:
        return _search(queryset, ("make", "model", "color"), value)


class SupplierFilter(django_filters.FilterSet):
    country = django_filters.MultipleChoiceFilter(choices=COUNTRY_CHOICES, help_text="ISO 3166 code(s).")
    founded_min = django_filters.NumberFilter(field_name="founded_year", lookup_expr="gte")
    founded_max = django_filters.NumberFilter(field_name="founded_year", lookup_expr="lte")
    search = django_filters.CharFilter(method="filter_search", help_text="Name or description contains.")
    ordering = ordering_filter(
        {"name": ("name", "id"), "founded_year": ("founded_year", "id"), "-founded_year": ("-founded_year", "id")},
        "Sort order (default: name).",
    )

    class Meta:
        model = Supplier
        fields = ["country", "founded_min", "founded_max"]

    def filter_search(self, queryset: QuerySet[Supplier], name: str, value: str) -> QuerySet[Supplier]:
        return _search(queryset, ("name", "description"), value)


class SupplierCarFilter(django_filters.FilterSet):
    supplier = IdFilter(field_name="supplier")
    car_model = IdFilter(field_name="car_model")
    price_min = django_filters.NumberFilter(field_name="price", lookup_expr="gte")
    price_max = django_filters.NumberFilter(field_name="price", lookup_expr="lte")
    ordering = ordering_filter(
        {"price": ("price", "id"), "-price": ("-price", "id")}, "Sort order (default: supplier)."
    )

    class Meta:
        model = SupplierCar
        fields = ["supplier", "car_model", "price_min", "price_max"]


class SupplierDiscountFilter(django_filters.FilterSet):
    supplier = IdFilter(field_name="supplier")
    kind = django_filters.ChoiceFilter(choices=SupplierDiscount.Kind.choices)

    class Meta:
        model = SupplierDiscount
        fields = ["supplier", "kind"]


class DealershipFilter(django_filters.FilterSet):
    country = django_filters.MultipleChoiceFilter(choices=COUNTRY_CHOICES)
    city = django_filters.CharFilter(field_name="city", lookup_expr="iexact")
    search = django_filters.CharFilter(method="filter_search", help_text="Name or city contains.")
    ordering = ordering_filter({"name": ("name", "id"), "-created_at": ("-created_at", "-id")}, "Default: name.")

    class Meta:
        model = Dealership
        fields = ["country", "city"]

    def filter_search(self, queryset: QuerySet[Dealership], name: str, value: str) -> QuerySet[Dealership]:
        return _search(queryset, ("name", "city"), value)


class StockFilter(django_filters.FilterSet):
    dealership = IdFilter(field_name="dealership")
    car_model = IdFilter(field_name="car_model")
    make = django_filters.CharFilter(field_name="car_model__make", lookup_expr="iexact")
    model = django_filters.CharFilter(field_name="car_model__model", lookup_expr="iexact")
    body_type = django_filters.MultipleChoiceFilter(
        field_name="car_model__body_type", choices=CarModel.BodyType.choices
    )
    fuel = django_filters.MultipleChoiceFilter(field_name="car_model__fuel", choices=CarModel.Fuel.choices)
    year_min = django_filters.NumberFilter(field_name="car_model__year", lookup_expr="gte")
    year_max = django_filters.NumberFilter(field_name="car_model__year", lookup_expr="lte")
    price_min = django_filters.NumberFilter(field_name="price", lookup_expr="gte")
    price_max = django_filters.NumberFilter(field_name="price", lookup_expr="lte")
    country = django_filters.MultipleChoiceFilter(
        field_name="dealership__country", choices=COUNTRY_CHOICES, help_text="The dealership's country."
    )
    in_stock = django_filters.BooleanFilter(method="filter_in_stock", help_text="true: at least one car.")
    search = django_filters.CharFilter(method="filter_search", help_text="Make, model or dealership contains.")
    ordering = ordering_filter(
        {
            "price": ("price", "id"),
            "-price": ("-price", "id"),
            "-quantity": ("-quantity", "id"),
            "make": ("car_model__make", "car_model__model", "id"),
        },
        "Sort order (default: dealership, car model).",
    )

    class Meta:
        model = DealershipCar
        fields = ["dealership", "car_model", "make", "model", "price_min", "price_max", "country"]

    def filter_in_stock(
        self, queryset: QuerySet[DealershipCar], name: str, value: bool | None
    ) -> QuerySet[DealershipCar]:
        if value is None:
            return queryset
        return queryset.filter(quantity__gt=0) if value else queryset.filter(quantity=0)

    def filter_search(self, queryset: QuerySet[DealershipCar], name: str, value: str) -> QuerySet[DealershipCar]:
        return _search(queryset, ("car_model__make", "car_model__model", "dealership__name"), value)


class PromotionFilter(django_filters.FilterSet):
    dealership = IdFilter(field_name="dealership")
    active_at = django_filters.IsoDateTimeFilter(method="filter_active_at", help_text="Running at this instant.")

    class Meta:
        model = DealershipPromotion
        fields = ["dealership"]

    def filter_active_at(
        self, queryset: QuerySet[DealershipPromotion], name: str, value: Any
    ) -> QuerySet[DealershipPromotion]:
        return queryset.filter(starts_at__lte=value, ends_at__gt=value) if value else queryset


class _SoldFilter(django_filters.FilterSet):
    sold_after = django_filters.IsoDateTimeFilter(field_name="sold_at", lookup_expr="gte", help_text="From (ISO).")
    sold_before = django_filters.IsoDateTimeFilter(field_name="sold_at", lookup_expr="lt", help_text="Until (ISO).")
    dealership = IdFilter(field_name="dealership")
    car_model = IdFilter(field_name="car_model")
    make = django_filters.CharFilter(field_name="car_model__make", lookup_expr="iexact")
    ordering = ordering_filter(
        {"-sold_at": ("-sold_at", "-id"), "sold_at": ("sold_at", "id")}, "Default: newest first."
    )


class SupplierSaleFilter(_SoldFilter):
    supplier = IdFilter(field_name="supplier")

    class Meta:
        model = SupplierSale
        fields = ["supplier", "dealership", "car_model"]


class SaleFilter(_SoldFilter):
    buyer = IdFilter(field_name="buyer")
    price_min = django_filters.NumberFilter(field_name="price", lookup_expr="gte")
    price_max = django_filters.NumberFilter(field_name="price", lookup_expr="lte")

    class Meta:
        model = DealershipSale
        fields = ["buyer", "dealership", "car_model"]


class OfferFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Offer.Status.choices)
    buyer = IdFilter(field_name="buyer", help_text="Staff: one buyer's offers.")
    car_model = IdFilter(field_name="car_model")
    ordering = ordering_filter(
        {"-created_at": ("-created_at", "-id"), "created_at": ("created_at", "id"), "max_price": ("max_price", "id")},
        "Default: newest first.",
    )

    class Meta:
        model = Offer
        fields = ["status", "buyer", "car_model"]

"""Query-string filters of the bike rental lists (django-filter)."""

from __future__ import annotations

import django_filters
from django.db.models import F, Q, QuerySet

from circulate.bikes.models import Bike, Rental, Station
from circulate.core.filters import IdFilter, flag_filter, ordering_filter


class StationFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", help_text="Name or address contains.")
    is_renting = flag_filter("filter_flag", "true: bikes may be taken from it.")
    is_returning = flag_filter("filter_flag", "true: bikes may be returned to it.")
    is_installed = flag_filter("filter_flag", "true: on the street.")
    has_bikes = flag_filter("filter_has_bikes", "true: a bike is ready to rent.")
    has_docks = flag_filter("filter_has_docks", "true: a dock is free.")
    ordering = ordering_filter(
        {
            "name": ("name", "id"),
            "-bikes_available": ("-bikes_available", "name", "id"),
            "-docks_available": ("-docks_available", "name", "id"),
        },
        "Sort order (default: name).",
    )

    class Meta:
        model = Station
        fields = ["search", "is_renting", "is_returning", "is_installed", "has_bikes", "has_docks", "ordering"]

    def filter_search(self, queryset: QuerySet[Station], name: str, value: str) -> QuerySet[Station]:
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(address__icontains=value)) if value else queryset

    def filter_flag(self, queryset: QuerySet[Station], name: str, value: str) -> QuerySet[Station]:
        return queryset.filter(**{name: value == "true"}) if value else queryset

    def filter_has_bikes(self, queryset: QuerySet[Station], name: str, value: str) -> QuerySet[Station]:
        if not value:
            return queryset
        # bikes_available is annotated by selectors.stations()
        wanted = {"bikes_available__gt": 0} if value == "true" else {"bikes_available": 0}
        return queryset.filter(**wanted)

    def filter_has_docks(self, queryset: QuerySet[Station], name: str, value: str) -> QuerySet[Station]:
        if not value:
            return queryset
        free = Q(docked_count__lt=F("capacity"))
        return queryset.filter(free) if value == "true" else queryset.exclude(free)


class BikeFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Bike.Status.choices)
    station = IdFilter(field_name="station")
    vehicle_type = IdFilter(field_name="vehicle_type")
    available = flag_filter("filter_available", "true: rentable now (available, at an installed station that rents).")
    search = django_filters.CharFilter(field_name="serial", lookup_expr="icontains", help_text="Serial contains.")
    ordering = ordering_filter({"serial": ("serial", "id"), "-updated_at": ("-updated_at", "-id")}, "Default: serial.")

    class Meta:
        model = Bike
        fields = ["status", "station", "vehicle_type", "available", "search", "ordering"]

    def filter_available(self, queryset: QuerySet[Bike], name: str, value: str) -> QuerySet[Bike]:
        if not value:
            return queryset
        rentable = Q(status=Bike.Status.AVAILABLE, station__is_renting=True, station__is_installed=True)
        return queryset.filter(rentable) if value == "true" else queryset.exclude(rentable)


class RentalFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=[("active", "active"), ("finished", "finished")], method="filter_status", help_text="Riding or done."
    )
    rider = IdFilter(field_name="rider", help_text="Fleet managers: one rider's rides.")
    bike = IdFilter(field_name="bike")
    cost_status = django_filters.ChoiceFilter(choices=Rental.CostStatus.choices)
    started_after = django_filters.IsoDateTimeFilter(field_name="started_at", lookup_expr="gte")
    started_before = django_filters.IsoDateTimeFilter(field_name="started_at", lookup_expr="lt")
    ordering = ordering_filter(
        {"-started_at": ("-started_at", "-id"), "started_at": ("started_at", "id")}, "Default: newest first."
    )

    class Meta:
        model = Rental
        fields = ["status", "rider", "bike", "cost_status", "started_after", "started_before", "ordering"]

    def filter_status(self, queryset: QuerySet[Rental], name: str, value: str) -> QuerySet[Rental]:
        if not value:
            return queryset
        return queryset.filter(ended_at__isnull=value == "active")

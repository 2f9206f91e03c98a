"""Routes of the bike rental API (mounted at /api/bikes/), with seed 002's own routes as aliases."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from circulate.bikes.api import views

router = SimpleRouter(trailing_slash=True)
router.register("stations", views.StationViewSet, basename="station")
router.register("vehicle-types", views.VehicleTypeViewSet, basename="vehicle-type")
router.register("bikes", views.BikeViewSet, basename="bike")
router.register("pricing-plans", views.PricingPlanViewSet, basename="pricing-plan")
router.register("rentals", views.RentalViewSet, basename="rental")

urlpatterns: list[URLPattern | URLResolver] = [
    *router.urls,
    path("profile/", views.ProfileView.as_view(), name="profile"),
    # Seed 002's routes: the same views under the names its clients call.
    path("list/", views.AvailableBikesView.as_view({"get": "list"}), name="seed-list"),
    path("rent_start/", views.RentalViewSet.as_view({"post": "create"}), name="seed-rent-start"),
    path("rent_end/", views.RentEndView.as_view({"post": "create"}), name="seed-rent-end"),
]

"""Routes of the dealership market API (mounted at /api/dealership/)."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from circulate.dealership.api import stats_views, views

router = SimpleRouter(trailing_slash=True)
router.register("car-models", views.CarModelViewSet, basename="car-model")
router.register("suppliers", views.SupplierViewSet, basename="supplier")
router.register("supplier-prices", views.SupplierCarViewSet, basename="supplier-price")
router.register("supplier-discounts", views.SupplierDiscountViewSet, basename="supplier-discount")
router.register("dealerships", views.DealershipViewSet, basename="dealership")
router.register("stock", views.StockViewSet, basename="stock")
router.register("promotions", views.PromotionViewSet, basename="promotion")
router.register("buyers", views.BuyerViewSet, basename="buyer")
router.register("offers", views.OfferViewSet, basename="offer")
router.register("supplier-sales", views.SupplierSaleViewSet, basename="supplier-sale")
router.register("sales", views.SaleViewSet, basename="sale")

urlpatterns: list[URLPattern | URLResolver] = [
    *router.urls,
    path("trading/run/", views.TradingRunView.as_view(), name="trading-run"),
    path("stats/dealerships/<int:pk>/", stats_views.DealershipStatsView.as_view(), name="stats-dealership"),
    path("stats/buyers/<int:pk>/", stats_views.BuyerStatsView.as_view(), name="stats-buyer"),
    path("stats/suppliers/<int:pk>/", stats_views.SupplierStatsView.as_view(), name="stats-supplier"),
    path("stats/overview/", stats_views.OverviewStatsView.as_view(), name="stats-overview"),
]

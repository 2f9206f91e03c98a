"""Routes of the library API (mounted at /api/library/)."""

from rest_framework.routers import SimpleRouter

from circulate.library.api import views

router = SimpleRouter(trailing_slash=True)
router.register("authors", views.AuthorViewSet, basename="author")
router.register("books", views.BookViewSet, basename="book")
router.register("tiers", views.MembershipTierViewSet, basename="tier")
router.register("members", views.MemberViewSet, basename="member")
router.register("loans", views.LoanViewSet, basename="loan")
router.register("reservations", views.ReservationViewSet, basename="reservation")

urlpatterns = router.urls

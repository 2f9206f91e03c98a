"""Routes of the partners API: /api/partners/ and the two book routes under /api/library/books/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from circulate.partners.api import views

router = SimpleRouter(trailing_slash=True)
router.register("branches", views.BranchViewSet, basename="partner-branch")
router.register("reservations", views.ReservationViewSet, basename="partner-reservation")
router.register("calls", views.CallViewSet, basename="partner-call")

urlpatterns = router.urls

book_urlpatterns = [
    path("<int:book_id>/partner-status/", views.partner_status, name="book-partner-status"),
    path("<int:book_id>/partner-reservations/", views.partner_reserve, name="book-partner-reservations"),
]

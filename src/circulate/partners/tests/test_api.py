"""Lists: who sees what, the token never shown, a constant number of queries."""

from __future__ import annotations

from typing import Any

import pytest

from circulate.library.tests.factories import BookFactory, member_with_card
from circulate.partners.models import PartnerBranch, PartnerCall, PartnerReservation

pytestmark = pytest.mark.django_db


def _reservations(branch: PartnerBranch, member: Any, count: int) -> None:
    for _ in range(count):
        PartnerReservation.objects.create(branch=branch, book=BookFactory(), member=member, status="pending")


def test_members_see_their_own_reservations_librarians_everyones(
    auth_client: Any, alice: Any, librarian: Any, branch: PartnerBranch
) -> None:
    # given
    _reservations(branch, alice.library_member, 2)
    _reservations(branch, member_with_card(), 1)

    # when
    own = auth_client(alice).get("/api/partners/reservations/")
    everyone = auth_client(librarian).get("/api/partners/reservations/")

    # then
    assert own.json()["count"] == 2
    assert everyone.json()["count"] == 3


def test_the_reservation_list_runs_a_constant_number_of_queries(
    auth_client: Any, librarian: Any, branch: PartnerBranch, django_assert_max_num_queries: Any
) -> None:
    # given
    _reservations(branch, member_with_card(), 8)
    client = auth_client(librarian)
    client.get("/api/partners/reservations/")  # warm the per-user role cache path

    # when / then
    with django_assert_max_num_queries(6):
        response = client.get("/api/partners/reservations/")
    assert response.json()["count"] == 8


def test_branches_show_health_but_never_the_token(auth_client: Any, alice: Any, branch: PartnerBranch) -> None:
    # when
    response = auth_client(alice).get("/api/partners/branches/")

    # then
    [item] = response.json()["results"]
    assert "token" not in item
    assert (item["code"], item["breaker"], item["healthy"]) == ("riverside", "closed", True)
    assert PartnerBranch.objects.get().token not in response.content.decode()


def test_the_call_log_is_for_staff(auth_client: Any, alice: Any, librarian: Any, branch: PartnerBranch) -> None:
    # given
    PartnerCall.objects.create(branch=branch, method="GET", url=f"{branch.base_url}/status/1", status=200)

    # when
    member = auth_client(alice).get("/api/partners/calls/")
    staff = auth_client(librarian).get("/api/partners/calls/?branch=riverside")

    # then
    assert member.status_code == 403
    assert staff.status_code == 200
    assert [(c["method"], c["status"], c["branch"]) for c in staff.json()["results"]] == [("GET", 200, "riverside")]


def test_admin_pages_open(client: Any, branch: PartnerBranch) -> None:
    # given
    from circulate.accounts.tests.factories import UserFactory

    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)

    # when
    pages = [
        client.get("/admin/partners/partnerbranch/"),
        client.get(f"/admin/partners/partnerbranch/{branch.pk}/change/"),
        client.get("/admin/partners/partnerreservation/"),
        client.get("/admin/partners/partnercall/"),
        client.get("/admin/partners/partneravailability/"),
    ]

    # then
    assert [page.status_code for page in pages] == [200] * 5
    assert branch.token not in pages[1].content.decode()

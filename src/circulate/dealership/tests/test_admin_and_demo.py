"""The demo data and the admin: demo trading history for every chart, top-ups through the service."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command

from circulate.accounts.models import User
from circulate.audit.models import AuditEntry
from circulate.dealership import stats
from circulate.dealership.models import (
    BalanceTopUp,
    Buyer,
    CarModel,
    Dealership,
    DealershipSale,
    Offer,
    Supplier,
    SupplierSale,
)
from circulate.dealership.tests.factories import make_buyer, make_dealership, make_staff

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_a_market_with_history_once() -> None:
    # when the demo is loaded twice
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = (Supplier.objects.count(), CarModel.objects.count(), Dealership.objects.count())
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    # then 5 suppliers in 5 countries, 30 car models, 4 dealerships, once
    assert counts == (5, 30, 4)
    assert (Supplier.objects.count(), CarModel.objects.count(), Dealership.objects.count()) == counts
    assert len(set(Supplier.objects.values_list("country", flat=True))) == 5
    # and dealer@ works at one, alice@ and bob@ are buyers, offers stay open
    dealer = User.objects.get(email="dealer@circulate.local")
    assert Dealership.objects.filter(staff=dealer).count() == 1
    assert Buyer.objects.filter(user__email__in=["alice@circulate.local", "bob@circulate.local"]).count() == 2
    assert Offer.objects.filter(status="active").exists()
    # and the history feeds every statistic: several months of sales and purchases
    assert DealershipSale.objects.count() > 10
    assert SupplierSale.objects.count() > 10
    berlin = Dealership.objects.get(staff=dealer)
    figures = stats.dealership_stats(dealership=berlin, period=stats.Period())
    assert figures["cars_sold"] > 0
    assert len(stats.overview(period=stats.Period())["sales_per_month"]) >= 3


def test_a_top_up_in_the_admin_goes_through_the_service_and_is_recorded(client) -> None:  # type: ignore[no-untyped-def]
    # given an admin, a dealership and a buyer
    admin = make_staff(is_superuser=True)
    dealership = make_dealership(balance="100")
    buyer = make_buyer()
    client.force_login(admin)
    # when the admin adds a top-up of each
    url = "/admin/dealership/balancetopup/add/"
    to_dealer = client.post(url, {"dealership": dealership.pk, "amount": "250.00", "note": "Capital"})
    to_buyer = client.post(url, {"buyer": buyer.pk, "amount": "99.99", "note": ""})
    both = client.post(url, {"dealership": dealership.pk, "buyer": buyer.pk, "amount": "1"})
    # then both balances moved, each is a recorded top-up with an audit entry; both at once is refused
    assert to_dealer.status_code == to_buyer.status_code == 302
    assert both.status_code == 200
    assert Dealership.objects.get(pk=dealership.pk).balance == Decimal("350.00")
    assert Buyer.objects.get(pk=buyer.pk).balance == Decimal("99.99")
    assert BalanceTopUp.objects.filter(added_by=admin).count() == 2
    assert AuditEntry.objects.filter(action="dealership.dealership.top_up", actor_id=admin.pk).count() == 1
    assert AuditEntry.objects.filter(action="dealership.buyer.top_up", actor_id=admin.pk).count() == 1


def test_balances_and_sales_are_read_only_in_the_admin(client) -> None:  # type: ignore[no-untyped-def]
    # given an admin and a dealership
    admin = make_staff(is_superuser=True)
    dealership = make_dealership(balance="100")
    client.force_login(admin)
    # when the admin opens the pages
    change = client.get(f"/admin/dealership/dealership/{dealership.pk}/change/")
    sales_add = client.get("/admin/dealership/dealershipsale/add/")
    # then the balance is shown but not editable and sales cannot be added
    assert change.status_code == 200
    assert b'name="balance"' not in change.content
    assert sales_add.status_code == 403


@pytest.mark.parametrize(
    "model",
    [
        "carmodel",
        "supplier",
        "suppliercar",
        "supplierdiscount",
        "dealership",
        "dealershippromotion",
        "dealershipcar",
        "buyer",
        "offer",
        "suppliersale",
        "dealershipsale",
        "balancetopup",
    ],
)
def test_every_admin_list_opens(client, model: str) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_staff(is_superuser=True))
    assert client.get(f"/admin/dealership/{model}/").status_code == 200

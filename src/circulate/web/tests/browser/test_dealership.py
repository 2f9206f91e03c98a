"""The car market page: a buyer offers for a car in stock, staff run trading, the buyer hears it sold live;
the dealer sees their dealership's figures as charts.

Against a real ASGI server: the staff's "Run trading now" calls the match cycle in the server,
whose ``offer.fulfilled`` event reaches the buyer's open page over the WebSocket.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from circulate.accounts.tests.factories import UserFactory
from circulate.dealership.models import Dealership, Offer
from circulate.dealership.tests.factories import (
    make_buyer,
    make_car_model,
    make_dealer,
    make_dealership,
    make_staff,
    stocked,
)
from circulate.web.tests.browser.conftest import assert_accessible, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_cars(page: Page) -> None:
    page.goto("/dealership/")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")


def visible_tabs(page: Page) -> list[str]:
    return [text.strip() for text in page.locator('[role="tab"]:visible').all_inner_texts()]


def test_a_buyer_offers_staff_run_trading_and_the_buyer_hears_it_sold(new_page: Callable[..., Page]) -> None:
    # given a dealership with a Corolla in stock, its dealer, the staff, and a buyer with money
    staff = make_staff(username="stella")
    dealer = make_dealer(username="dana")
    car = make_car_model(staff=staff, make="Toyota", model="Corolla", year=2024)
    dealership = make_dealership(balance="50000", staff=staff, people=[dealer], name="Berlin Auto Haus")
    stocked(dealership, car, 2, staff=staff)
    buyer = make_buyer(balance="30000", staff=staff, user=UserFactory(username="bruno"))
    page = new_page(phone=True)
    sign_in(page, buyer.user.email)
    open_cars(page)

    # then the buyer gets the buyer's tabs only, and the car in stock at 12,000 (10,000 + 20 %)
    assert visible_tabs(page) == ["Cars in stock", "My offers", "My purchases"]
    row = page.locator('[data-table="stock"] tbody tr').first
    expect(row).to_contain_text("Toyota Corolla 2024")
    expect(row).to_contain_text("12000.00 USD")
    assert_accessible(page, "cars in stock on a phone")
    screenshot(page, "buyer-phone-stock")

    # when the buyer offers the asking price
    row.get_by_role("button", name="Offer 12000.00 USD for a Toyota Corolla 2024").click()

    # then the answer is beside the button and the offer exists
    expect(row.locator(".outcome")).to_contain_text("201 Created")
    offer = Offer.objects.get(buyer=buyer)
    assert offer.status == "active"

    # when the staff press "Run trading now" in another browser
    desk = new_page()
    sign_in(desk, staff.email)
    open_cars(desk)
    desk.get_by_role("tab", name="Market").click()
    desk.get_by_role("button", name="Run trading now").click()
    expect(desk.locator("#run-trading").locator("xpath=..").locator(".outcome")).to_contain_text("sold 1 to buyers")
    assert_accessible(desk, "the market tab")
    screenshot(desk, "staff-market")

    # then the buyer's page says so live, and My offers shows it fulfilled
    notice = f"Offer #{offer.pk} fulfilled: 12000.00 USD at Berlin Auto Haus."
    expect(page.locator(".toast", has_text=notice)).to_be_visible()
    page.get_by_role("tab", name="My offers").click()
    expect(page.locator('[data-table="offers"] tbody tr').first).to_contain_text("fulfilled")
    expect(page.locator("#balance")).to_have_text("18000.00 USD")
    assert Offer.objects.get(pk=offer.pk).status == "fulfilled"
    assert_accessible(page, "my offers on a phone")

    # when the dealer opens their dealership
    shop = new_page()
    sign_in(shop, dealer.email)
    open_cars(shop)
    shop.get_by_role("tab", name="My dealership").click()

    # then they see its figures, the sale and a chart of the month
    expect(shop.locator("#dealership-name")).to_have_text("Berlin Auto Haus")
    expect(shop.locator("#dealer-facts")).to_contain_text("Cars sold")
    expect(shop.locator('[data-table="dealersales"] tbody tr').first).to_contain_text(buyer.user.email)
    expect(shop.locator("#dealer-chart rect")).to_have_count(2)
    assert "Market" not in visible_tabs(shop)
    assert_accessible(shop, "my dealership")
    screenshot(shop, "dealer-dealership")
    # 50,000 less two cars at 10,000 from the supplier, plus the 12,000 sale
    assert Dealership.objects.get(pk=dealership.pk).balance == Decimal("42000.00")

"""The bike rental page: a rider on a phone rides and sees the price arrive; a fleet manager runs the fleet.

Against a real ASGI server whose Celery tasks run in place (the test server sets
CELERY_TASK_ALWAYS_EAGER), so the price of a ride is worked out right after it is finished and
arrives on the rider's page as the live event ``rental.priced``.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from circulate.accounts.tests.factories import UserFactory
from circulate.bikes import services
from circulate.bikes.models import Bike, Rental
from circulate.bikes.tests.factories import make_bike, make_fleet_manager, make_plan, make_station, make_vehicle_type
from circulate.web.tests.browser.conftest import assert_accessible, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_bikes(page: Page) -> None:
    page.goto("/bikes/")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")


def test_a_rider_on_a_phone_takes_a_bike_rides_and_sees_the_price_arrive(new_page: Callable[..., Page]) -> None:
    # given two stations, a bike at the first, the default plan, and a rider on a phone
    fleet = make_fleet_manager()
    make_plan(fleet=fleet)
    harbour = make_station(fleet=fleet, name="Harbour", capacity=4)
    square = make_station(fleet=fleet, name="Square", capacity=2)
    bike = make_bike(station=harbour, fleet=fleet)
    rider = UserFactory(username="rita")
    page = new_page(phone=True)
    sign_in(page, rider.email)
    open_bikes(page)

    # then the rider gets the ride tab, no fleet tabs
    tabs = [text.strip() for text in page.locator('[role="tab"]:visible').all_inner_texts()]
    assert tabs == ["Ride", "Stations", "My rides", "Prices"]
    assert_accessible(page, "the ride tab on a phone")
    row = page.locator(f'#bikes-here tr[data-id="{bike.pk}"]')
    expect(row).to_contain_text(bike.serial)
    screenshot(page, "rider-phone-pick")

    # when the rider starts a ride on the bike
    row.get_by_role("button", name=f"Start a ride on {bike.serial}").click()

    # then the ride shows with its timer and estimate
    expect(page.locator("#riding-bike")).to_have_text(bike.serial)
    expect(page.locator("#riding-estimate")).to_have_text("2.00 EUR")
    expect(page.locator("#riding-timer")).not_to_have_text("0:00", timeout=5_000)
    assert Bike.objects.get(pk=bike.pk).status == "rented"
    assert_accessible(page, "the ride under way on a phone")
    screenshot(page, "rider-phone-riding")

    # when the square's last dock is taken meanwhile and the rider tries to dock there
    page.locator("#finish-station").select_option(str(square.pk))
    make_bike(station=square, fleet=fleet)
    make_bike(station=square, fleet=fleet)
    page.get_by_role("button", name="Finish the ride").click()

    # then the refusal shows beside the button, in words
    expect(page.locator("#finish-form .outcome")).to_contain_text("409 Refused: Every dock of Square is taken.")

    # when the rider docks at the harbour instead
    page.locator("#finish-station").select_option(str(harbour.pk))
    page.get_by_role("button", name="Finish the ride").click()

    # then the ride is over, and its price arrives live from the pricing task
    expect(page.locator("#last-ride-summary")).to_contain_text(f"{bike.serial} to Harbour")
    expect(page.locator("#last-ride .outcome")).to_have_text("Priced: 2.00 EUR. The receipt is under My rides.")
    rental = Rental.objects.get(bike=bike)
    assert (rental.cost, rental.cost_status) == (Decimal("2.00"), "priced")
    screenshot(page, "rider-phone-priced")

    # and the history lists it, with its receipt
    page.get_by_role("tab", name="My rides").click()
    ride_row = page.locator(f'#rides-body tr[data-id="{rental.pk}"]')
    expect(ride_row).to_contain_text("2.00 EUR")
    ride_row.get_by_role("button", name=f"Receipt of ride {rental.pk}").click()
    expect(ride_row.locator("pre.receipt")).to_contain_text("Total:       2.00 EUR")
    expect(page.locator("#totals")).to_contain_text("2.00 EUR")
    assert_accessible(page, "the rider's history on a phone")
    page.get_by_role("tab", name="Stations").click()
    expect(page.locator("#station-map .map-station")).to_have_count(2)
    assert_accessible(page, "the stations and their map on a phone")


def test_a_fleet_manager_repairs_a_bike_adds_a_station_and_ends_an_abandoned_ride(
    new_page: Callable[..., Page],
) -> None:
    # given a fleet manager, two bikes (one out on a ride someone left) and a station
    fleet = make_fleet_manager(username="fred")
    make_plan(fleet=fleet)
    kind = make_vehicle_type(fleet=fleet)
    station = make_station(fleet=fleet, name="Depot", capacity=5)
    idle = make_bike(station=station, vehicle_type=kind, fleet=fleet)
    ridden = make_bike(station=station, vehicle_type=kind, fleet=fleet)
    services.start_rental(actor=UserFactory(), bike_id=ridden.pk)
    page = new_page()
    sign_in(page, fleet.email)
    open_bikes(page)
    tabs = [text.strip() for text in page.locator('[role="tab"]:visible').all_inner_texts()]
    assert tabs == ["Ride", "Stations", "My rides", "Bikes", "Rides under way", "Prices"]

    # when the fleet manager sends the idle bike to repair, then back
    page.get_by_role("tab", name="Bikes").click()
    row = page.locator(f'#fleet-body tr[data-id="{idle.pk}"]')
    row.get_by_role("button", name=f"Send {idle.serial} to repair").click()
    expect(row.locator(".outcome")).to_have_text(f"200 OK: {idle.serial} is in repair.")
    expect(row).to_contain_text("in repair")
    row.get_by_role("button", name=f"Put {idle.serial} back in service").click()
    expect(row).to_contain_text("available")
    assert_accessible(page, "the fleet's bikes")
    screenshot(page, "fleet-bikes")

    # and ends the abandoned ride at the depot
    page.get_by_role("tab", name="Rides under way").click()
    under_way = page.locator("#underway-body tr", has_text=ridden.serial)
    under_way.get_by_role("button", name=f"End the ride on {ridden.serial}").click()
    expect(page.locator('[data-table="underway"] > .outcome')).to_contain_text("the bike is docked")
    expect(page.locator("#underway-body")).to_contain_text("Nobody is riding.")
    assert Rental.objects.get(bike=ridden).finished_by_id == fleet.pk

    # and adds a station
    page.get_by_role("tab", name="Stations").click()
    page.locator("summary", has_text="Add a station").click()
    form = page.locator("#station-form")
    form.get_by_label("Name").fill("Ferry Pier")
    form.get_by_label("Latitude").fill("59.445")
    form.get_by_label("Longitude").fill("24.77")
    form.get_by_label("Docks").fill("6")
    page.get_by_role("button", name="Add the station").click()
    expect(form.locator(".outcome")).to_contain_text("201 Created: Ferry Pier added with 6 docks.")
    expect(page.locator("#stations-body")).to_contain_text("Ferry Pier")
    assert_accessible(page, "the stations for a fleet manager")
    phone = new_page(phone=True)
    sign_in(phone, fleet.email)
    open_bikes(phone)
    phone.get_by_role("tab", name="Bikes").click()
    screenshot(phone, "fleet-phone-bikes")

"""The admin lists every model and writes through the services; the demo data loads twice."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from circulate.accounts import demo as accounts_demo
from circulate.accounts.tests.factories import UserFactory
from circulate.audit.models import AuditEntry
from circulate.bikes import demo, services
from circulate.bikes.models import Bike, PricingPlan, Rental, Station
from circulate.bikes.tests.factories import make_bike, make_fleet_manager, make_plan, make_station

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_() -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True, email="root@example.com"))
    return client


@pytest.mark.parametrize("model", ["station", "vehicletype", "pricingplan", "bike", "rental"])
def test_every_model_has_a_changelist_and_a_change_page(admin_client_: Client, model: str) -> None:
    # given one of everything
    fleet = make_fleet_manager()
    plan = make_plan(fleet=fleet)
    rider = UserFactory()
    bike = make_bike(fleet=fleet)
    rental = services.start_rental(actor=rider, bike_id=bike.pk)
    station = make_station(fleet=fleet)
    services.finish_rental(actor=rider, rental_id=rental.pk, station_id=station.pk)
    pk = {
        "station": station.pk,
        "vehicletype": bike.vehicle_type_id,
        "pricingplan": plan.pk,
        "bike": bike.pk,
        "rental": rental.pk,
    }[model]
    # then
    assert admin_client_.get(f"/admin/bikes/{model}/").status_code == 200
    assert admin_client_.get(f"/admin/bikes/{model}/?q=1").status_code == 200
    assert admin_client_.get(f"/admin/bikes/{model}/{pk}/change/").status_code == 200


def test_a_station_edited_in_the_admin_goes_through_its_service(admin_client_: Client) -> None:
    # given a station with two bikes
    fleet = make_fleet_manager()
    station = make_station(fleet=fleet, capacity=3)
    make_bike(station=station, fleet=fleet)
    make_bike(station=station, fleet=fleet)
    form = {"name": station.name, "lat": "59.4", "lon": "24.7", "address": "", "is_installed": "on", "is_renting": "on"}
    # when its capacity is set below the bikes in its docks, the admin says why it saved nothing
    refused = admin_client_.post(f"/admin/bikes/station/{station.pk}/change/", {**form, "capacity": "1"}, follow=True)
    assert refused.status_code == 200
    assert "Not saved: 2 bikes stand in" in refused.content.decode()
    assert Station.objects.get(pk=station.pk).capacity == 3
    # and a valid change is saved and audited as the admin user
    done = admin_client_.post(f"/admin/bikes/station/{station.pk}/change/", {**form, "capacity": "5"})
    assert done.status_code == 302
    station.refresh_from_db()
    assert (station.capacity, station.is_returning) == (5, False)
    entry = AuditEntry.objects.filter(action="bikes.station.update").latest("id")
    assert entry.actor_label == "root@example.com"


def test_the_price_now_action_prices_pending_rides(admin_client_: Client) -> None:
    fleet = make_fleet_manager()
    make_plan(fleet=fleet)
    rider = UserFactory()
    rental = services.start_rental(actor=rider, bike_id=make_bike(fleet=fleet).pk)
    services.finish_rental(actor=rider, rental_id=rental.pk, station_id=make_station(fleet=fleet).pk)
    admin_client_.post("/admin/bikes/rental/", {"action": "price_now", "_selected_action": [rental.pk]})
    assert Rental.objects.get(pk=rental.pk).cost_status == "priced"


def test_the_demo_loads_once_and_again(capsys: pytest.CaptureFixture[str]) -> None:
    # given the demo users
    accounts_demo.seed()
    # when
    first = demo.seed()
    again = demo.seed()
    # then
    assert first.startswith("8 stations, 40 bikes, 2 plans, 5 priced rides, 1 ride under way")
    assert again == "already there"
    assert Bike.objects.count() == 40
    assert PricingPlan.objects.filter(is_default=True).count() == 1
    assert Rental.objects.filter(ended_at__isnull=True, rider__email="bob@circulate.local").count() == 1
    assert sum(Station.objects.values_list("docked_count", flat=True)) == 39
    call_command("seed_demo")
    assert "bikes: already there" in capsys.readouterr().out

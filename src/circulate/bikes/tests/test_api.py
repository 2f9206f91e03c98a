"""The bike rental over HTTP: who may do what, the answers' shapes, filters, query budgets, Idempotency-Key."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from circulate.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from circulate.bikes import services
from circulate.bikes.models import Bike, Rental
from circulate.bikes.tests.factories import make_bike, make_fleet_manager, make_plan, make_station, make_vehicle_type

pytestmark = pytest.mark.django_db

API = "/api/bikes"


@pytest.fixture
def fleet():  # type: ignore[no-untyped-def]
    return make_fleet_manager()


@pytest.fixture
def plan(fleet):  # type: ignore[no-untyped-def]
    return make_plan(fleet=fleet)


def png(size: tuple[int, int] = (8, 8)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile("bike.png", buffer.getvalue(), content_type="image/png")


# --- Who may do what ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["stations/", "vehicle-types/", "bikes/", "pricing-plans/", "rentals/", "profile/"])
def test_every_list_needs_a_signed_in_user(api_client, path) -> None:  # type: ignore[no-untyped-def]
    response = api_client.get(f"{API}/{path}")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_riders_read_the_fleet_and_only_fleet_managers_change_it(auth_client, fleet, plan) -> None:  # type: ignore[no-untyped-def]
    # given
    station = make_station(fleet=fleet)
    kind = make_vehicle_type(fleet=fleet)
    rider = auth_client(UserFactory())
    manager = auth_client(fleet)
    new_station = {"name": "Pier", "lat": "59.44", "lon": "24.76", "capacity": 6}
    # then a rider reads everything and changes nothing
    for path in ("stations/", "vehicle-types/", "bikes/", "pricing-plans/"):
        assert rider.get(f"{API}/{path}").status_code == 200
    refused = rider.post(f"{API}/stations/", new_station)
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    assert rider.patch(f"{API}/stations/{station.pk}/", {"capacity": 3}).status_code == 403
    assert rider.post(f"{API}/pricing-plans/", {"name": "Free", "currency": "EUR"}).status_code == 403
    # and a fleet manager adds a station and a bike in it
    created = manager.post(f"{API}/stations/", new_station)
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["capacity"], body["docks_available"], body["bikes_available"]) == (6, 6, 0)
    bike = manager.post(f"{API}/bikes/", {"serial": "BK-77", "vehicle_type": kind.pk, "station": body["id"]})
    assert bike.status_code == 201, bike.json()
    assert bike.json()["station"] == {"id": body["id"], "name": "Pier"}
    assert manager.get(f"{API}/stations/{body['id']}/").json()["bikes_available"] == 1


def test_a_bad_station_is_a_400_naming_each_field(auth_client, fleet) -> None:  # type: ignore[no-untyped-def]
    response = auth_client(fleet).post(f"{API}/stations/", {"name": "", "lat": "91", "lon": "x", "capacity": 0})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"name", "lat", "lon", "capacity"}


def test_maintenance_release_and_photo(auth_client, fleet, settings) -> None:  # type: ignore[no-untyped-def]
    # given
    bike = make_bike(fleet=fleet)
    client = auth_client(fleet)
    # when / then
    assert client.post(f"{API}/bikes/{bike.pk}/maintenance/").json()["status"] == "maintenance"
    released = client.post(f"{API}/bikes/{bike.pk}/release/", {})
    assert (released.status_code, released.json()["status"]) == (200, "available")
    uploaded = client.post(f"{API}/bikes/{bike.pk}/photo/", {"photo": png()}, format="multipart")
    assert uploaded.status_code == 200, uploaded.json()
    assert uploaded.json()["photo"].startswith("http://testserver/media/bikes/photos/bike-")
    # a file that is not an image, or too large, is a 400 that says so
    fake = SimpleUploadedFile("bike.png", b"not an image at all", content_type="image/png")
    refused = client.post(f"{API}/bikes/{bike.pk}/photo/", {"photo": fake}, format="multipart")
    assert (refused.status_code, refused.json()["errors"]["photo"]) == (
        400,
        ["The file is not an image Pillow can read."],
    )
    settings.UPLOAD_IMAGE_MAX_BYTES = 10
    too_big = client.post(f"{API}/bikes/{bike.pk}/photo/", {"photo": png()}, format="multipart")
    assert too_big.status_code == 400
    assert "larger than" in too_big.json()["errors"]["photo"][0]


def test_pricing_plans_in_the_gbfs_shape(auth_client, fleet) -> None:  # type: ignore[no-untyped-def]
    client = auth_client(fleet)
    body = {
        "name": "Pay as you go",
        "currency": "eur",
        "price": "3.00",
        "per_min_pricing": [{"start": 0, "rate": "0.50", "interval": 1}],
        "fare_cap": {"duration": 720, "price": "15.00"},
        "is_default": True,
    }
    created = client.post(f"{API}/pricing-plans/", body)
    assert created.status_code == 201, created.json()
    plan = created.json()
    assert plan["currency"] == "EUR"
    assert plan["fare_cap"] == {"duration": 720, "price": "15.00"}
    assert plan["per_min_pricing"] == [{"start": 0, "rate": "0.5000", "interval": 1}]
    refused = client.post(f"{API}/pricing-plans/", {**body, "currency": "ABC"})
    assert (refused.status_code, list(refused.json()["errors"])) == (400, ["currency"])
    removed = client.delete(f"{API}/pricing-plans/{plan['id']}/")
    assert (removed.status_code, removed.json()["code"]) == (409, "plan_in_use")


# --- Rides ------------------------------------------------------------------------------------------------------


def test_a_ride_over_the_api(auth_client, fleet, plan) -> None:  # type: ignore[no-untyped-def]
    # given a bike and a rider
    start, end = make_station(fleet=fleet), make_station(fleet=fleet)
    bike = make_bike(station=start, fleet=fleet)
    rider = auth_client(UserFactory())
    # when the rider starts a ride
    started = rider.post(f"{API}/rentals/", {"bike": bike.pk})
    # then
    assert started.status_code == 201, started.json()
    ride = started.json()
    assert (ride["status"], ride["bike"], ride["cost_status"]) == (
        "active",
        {"id": bike.pk, "serial": bike.serial},
        "pending",
    )
    assert rider.get(f"{API}/rentals/current/").json()["id"] == ride["id"]
    again = rider.post(f"{API}/rentals/", {"bike": make_bike(fleet=fleet).pk})
    assert (again.status_code, again.json()["code"]) == (409, "rental_active")
    # when the rider finishes it
    finished = rider.post(f"{API}/rentals/{ride['id']}/finish/", {"station": end.pk})
    # then 202: the price comes later; the estimate now
    assert finished.status_code == 202, finished.json()
    body = finished.json()
    assert body["status"] == "finished"
    assert body["end_station"] == {"id": end.pk, "name": end.name}
    assert body["cost_status"] == "pending"
    assert body["estimate"] == "2.00"
    assert isinstance(body["duration_seconds"], int)
    no_ride = rider.get(f"{API}/rentals/current/")
    assert (no_ride.status_code, no_ride.json()["code"]) == (404, "no_active_rental")


def test_rides_and_receipts_are_private(auth_client, fleet, plan) -> None:  # type: ignore[no-untyped-def]
    # given bob's priced ride and alice
    bob, alice = UserFactory(), UserFactory()
    rental = services.start_rental(actor=bob, bike_id=make_bike(fleet=fleet).pk)
    services.finish_rental(actor=bob, rental_id=rental.pk, station_id=make_station(fleet=fleet).pk)
    services.price_rental(rental_id=rental.pk)
    as_alice, as_bob, as_fleet = auth_client(alice), auth_client(bob), auth_client(fleet)
    # then alice cannot see, finish or fetch anything of it
    for path in (f"rentals/{rental.pk}/", f"rentals/{rental.pk}/receipt/"):
        assert as_alice.get(f"{API}/{path}").status_code == 404
    assert as_alice.post(f"{API}/rentals/{rental.pk}/finish/", {"station": 1}).status_code == 404
    assert as_alice.get(f"{API}/rentals/").json()["results"] == []
    # bob reads his receipt; a fleet manager sees every ride and filters by rider
    receipt = as_bob.get(f"{API}/rentals/{rental.pk}/receipt/")
    assert receipt.status_code == 200
    assert receipt["Content-Type"] == "text/plain; charset=utf-8"
    assert b"Total:       2.00 EUR" in b"".join(receipt.streaming_content)
    assert [row["id"] for row in as_fleet.get(f"{API}/rentals/", {"rider": bob.pk}).json()["results"]] == [rental.pk]
    assert as_bob.get(f"{API}/rentals/{rental.pk}/").json()["receipt"] == f"{API}/rentals/{rental.pk}/receipt/"


def test_ride_filters(auth_client, fleet, plan) -> None:  # type: ignore[no-untyped-def]
    # given a finished ride last week and one under way
    rider = UserFactory()
    last_week = timezone.now() - timedelta(days=7)
    old = services.start_rental(actor=rider, bike_id=make_bike(fleet=fleet).pk, now=last_week)
    services.finish_rental(actor=rider, rental_id=old.pk, station_id=make_station(fleet=fleet).pk, now=last_week)
    current = services.start_rental(actor=rider, bike_id=make_bike(fleet=fleet).pk)
    client = auth_client(rider)

    def ids(**params: str) -> list[int]:
        response = client.get(f"{API}/rentals/", params)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    # then
    assert ids() == [current.pk, old.pk]
    assert ids(status="active") == [current.pk]
    assert ids(status="finished") == [old.pk]
    assert ids(started_after=(timezone.now() - timedelta(days=1)).isoformat()) == [current.pk]
    assert client.get(f"{API}/rentals/", {"status": "lost"}).status_code == 400


def test_bike_and_station_filters(auth_client, fleet, plan) -> None:  # type: ignore[no-untyped-def]
    # given an empty station, one with a bike to rent, and one whose only bike is in repair
    make_station(fleet=fleet, name="Empty")
    busy = make_station(fleet=fleet, name="Busy")
    repair = make_station(fleet=fleet, name="Repair")
    ready = make_bike(station=busy, fleet=fleet)
    broken = make_bike(station=repair, fleet=fleet)
    services.send_to_maintenance(actor=fleet, bike_id=broken.pk)
    client = auth_client(UserFactory())

    def names(path: str, **params: str) -> list[str]:
        response = client.get(f"{API}/{path}", params)
        assert response.status_code == 200, response.json()
        return [row.get("name") or row.get("serial") for row in response.json()["results"]]

    # then
    assert names("stations/", has_bikes="true") == ["Busy"]
    assert names("stations/", has_bikes="false") == ["Empty", "Repair"]
    assert names("stations/", search="rep") == ["Repair"]
    assert names("stations/", ordering="-bikes_available")[0] == "Busy"
    assert names("bikes/", available="true") == [ready.serial]
    assert names("bikes/", status="maintenance") == [broken.serial]
    assert names("bikes/", station=str(repair.pk)) == [broken.serial]
    assert names("list/") == [ready.serial]
    assert client.get(f"{API}/stations/", {"has_bikes": "maybe"}).status_code == 400


@pytest.mark.parametrize(("path", "queries"), [("stations/", 3), ("bikes/", 3), ("pricing-plans/", 3), ("rentals/", 4)])
def test_lists_run_a_constant_number_of_queries(  # type: ignore[no-untyped-def]
    auth_client, fleet, plan, django_assert_num_queries, path, queries
) -> None:
    # given eleven of everything
    kind = make_vehicle_type(fleet=fleet)
    for _ in range(11):
        station = make_station(fleet=fleet)
        bike = make_bike(station=station, vehicle_type=kind, fleet=fleet)
        rental = services.start_rental(actor=UserFactory(), bike_id=bike.pk)
        services.finish_rental(actor=fleet, rental_id=rental.pk, station_id=station.pk)
        make_plan(fleet=fleet, default=False)
    client = auth_client(fleet)
    # when / then: the same number of queries for 2 rows and for 10
    for size in (2, 10):
        with django_assert_num_queries(queries):
            response = client.get(f"{API}/{path}", {"page_size": size})
        assert response.status_code == 200
        assert len(response.json()["results"]) == size


def test_the_profile_sums_rides_minutes_and_money(auth_client, fleet, plan) -> None:  # type: ignore[no-untyped-def]
    # given two priced rides of 10 and 45 minutes and one under way
    rider = UserFactory()
    for minutes in (10, 45):
        began = timezone.now() - timedelta(minutes=minutes)
        ride = services.start_rental(actor=rider, bike_id=make_bike(fleet=fleet).pk, now=began)
        services.finish_rental(
            actor=rider, rental_id=ride.pk, station_id=make_station(fleet=fleet).pk, now=timezone.now()
        )
        services.price_rental(rental_id=ride.pk)
    current = services.start_rental(actor=rider, bike_id=make_bike(fleet=fleet).pk)
    # when
    for path in (f"{API}/profile/", "/api/users/profile/"):
        profile = auth_client(rider).get(path).json()
        # then
        assert profile["rides"] == 2
        assert profile["minutes_ridden"] == 55
        assert profile["spent"] == [{"currency": "EUR", "amount": "7.00"}]
        assert profile["current_rental"]["id"] == current.pk
        assert len(profile["last_rides"]) == 2


# --- Seed 002's routes -------------------------------------------------------------------------------------------


def test_seed_routes_are_the_same_views(api_client, auth_client, fleet, plan) -> None:  # type: ignore[no-untyped-def]
    # given
    station = make_station(fleet=fleet)
    bike = make_bike(station=station, fleet=fleet)
    # when a newcomer registers and logs in with the seed's routes
    registered = api_client.post(
        "/api/users/register/", {"email": "new@example.com", "username": "newbie", "password": DEFAULT_PASSWORD}
    )
    assert registered.status_code == 201, registered.json()
    login = api_client.post("/api/users/login/", {"username": "newbie", "password": DEFAULT_PASSWORD})
    assert login.status_code == 200
    assert api_client.post("/api/token/", {"username": "newbie", "password": DEFAULT_PASSWORD}).status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {login.json()['access']}")
    # then the seed's rent_start and rent_end ride a bike
    assert [row["id"] for row in api_client.get(f"{API}/list/").json()["results"]] == [bike.pk]
    started = api_client.post(f"{API}/rent_start/", {"bike": bike.pk})
    assert started.status_code == 201
    ended = api_client.post(f"{API}/rent_end/", {"station": station.pk})
    assert (ended.status_code, ended.json()["id"]) == (202, started.json()["id"])
    nothing = api_client.post(f"{API}/rent_end/", {"station": station.pk})
    assert (nothing.status_code, nothing.json()["code"]) == (404, "no_active_rental")
    assert api_client.post("/api/users/logout/", {"refresh": login.json()["refresh"]}).status_code in (200, 204, 205)


# --- Idempotency-Key ---------------------------------------------------------------------------------------------


def test_a_retried_start_with_its_key_replays_the_first_answer(auth_client, fleet, plan) -> None:  # type: ignore[no-untyped-def]
    # given
    bike = make_bike(fleet=fleet)
    other = make_bike(fleet=fleet)
    client = auth_client(UserFactory())
    # when the same start is sent twice with one key
    first = client.post(f"{API}/rentals/", {"bike": bike.pk}, HTTP_IDEMPOTENCY_KEY="ride-1")
    second = client.post(f"{API}/rentals/", {"bike": bike.pk}, HTTP_IDEMPOTENCY_KEY="ride-1")
    # then one ride, two identical answers, the second marked as a replay
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Rental.objects.count() == 1
    # the same key for another request is refused; a malformed key too
    reused = client.post(f"{API}/rentals/", {"bike": other.pk}, HTTP_IDEMPOTENCY_KEY="ride-1")
    assert (reused.status_code, reused.json()["code"]) == (409, "idempotency_key_reused")
    bad = client.post(f"{API}/rentals/", {"bike": other.pk}, HTTP_IDEMPOTENCY_KEY="has spaces")
    assert (bad.status_code, list(bad.json()["errors"])) == (400, ["Idempotency-Key"])


def test_a_refused_request_keeps_no_answer_for_its_key(auth_client, fleet, plan) -> None:  # type: ignore[no-untyped-def]
    # given a bike in repair
    bike = make_bike(fleet=fleet)
    services.send_to_maintenance(actor=fleet, bike_id=bike.pk)
    client = auth_client(UserFactory())
    refused = client.post(f"{API}/rentals/", {"bike": bike.pk}, HTTP_IDEMPOTENCY_KEY="try-1")
    assert refused.status_code == 409
    # when the bike is repaired, the same request with the same key acts
    services.release_from_maintenance(actor=fleet, bike_id=bike.pk)
    retried = client.post(f"{API}/rentals/", {"bike": bike.pk}, HTTP_IDEMPOTENCY_KEY="try-1")
    assert retried.status_code == 201
    assert Bike.objects.get(pk=bike.pk).status == "rented"


def test_keys_belong_to_their_user(auth_client, fleet, plan) -> None:  # type: ignore[no-untyped-def]
    first, second = make_bike(fleet=fleet), make_bike(fleet=fleet)
    alice, bob = auth_client(UserFactory()), auth_client(UserFactory())
    assert alice.post(f"{API}/rentals/", {"bike": first.pk}, HTTP_IDEMPOTENCY_KEY="k").status_code == 201
    assert bob.post(f"{API}/rentals/", {"bike": second.pk}, HTTP_IDEMPOTENCY_KEY="k").status_code == 201
    assert Rental.objects.count() == 2

"""GBFS v3.0 feeds: valid against the official schemas and rules, private, cacheable, constant-query."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from gbfs_validator import validate_feed

from circulate.accounts.tests.factories import UserFactory
from circulate.bikes import services
from circulate.bikes.models import Bike
from circulate.bikes.tests.factories import make_bike, make_fleet_manager, make_plan, make_station, make_vehicle_type

FEEDS = [
    "gbfs",
    "manifest",
    "system_information",
    "vehicle_types",
    "station_information",
    "station_status",
    "vehicle_status",
    "system_pricing_plans",
]


def _system() -> dict[str, Any]:
    """Two stations, ordinary and electric bikes (one in repair, one out on a ride), two plans (one capped)."""
    fleet = make_fleet_manager()
    make_plan(fleet=fleet)
    services.create_plan(
        actor=fleet,
        name="Pay as you go",
        currency="EUR",
        per_min_pricing=[{"start": 0, "rate": "0.50", "interval": 1}],
        fare_cap_duration=720,
        fare_cap_price=Decimal("15.00"),
    )
    ordinary, electric = make_vehicle_type(fleet=fleet), make_vehicle_type(electric=True, fleet=fleet)
    harbour = make_station(fleet=fleet, name="Harbour", capacity=4, address="Sadama 1")
    square = make_station(fleet=fleet, name="Square", capacity=3)
    bikes = [
        make_bike(station=harbour, vehicle_type=ordinary, fleet=fleet),
        make_bike(station=harbour, vehicle_type=electric, fleet=fleet),
        make_bike(station=square, vehicle_type=ordinary, fleet=fleet),
        make_bike(station=square, vehicle_type=electric, fleet=fleet),
    ]
    services.send_to_maintenance(actor=fleet, bike_id=bikes[2].pk)
    rider = UserFactory()
    ride = services.start_rental(actor=rider, bike_id=bikes[3].pk)
    return {"fleet": fleet, "harbour": harbour, "square": square, "bikes": bikes, "rider": rider, "ride": ride}


def notices(entry: dict[str, Any]) -> list[tuple[str, str]]:
    """What the validator says about one file (its notices sit on the file, or on each language of it)."""
    errors = list(entry.get("errors") or [])
    for language in entry.get("languages") or []:
        errors.extend(language.get("errors") or [])
    return [(error.get("instancePath", ""), error.get("message", "")) for error in errors]


@pytest.mark.django_db(transaction=True)
def test_the_feed_passes_the_gbfs_validator(live_server) -> None:  # type: ignore[no-untyped-def]
    # given a small system served on a real port
    _system()
    # when the validator fetches gbfs.json and every feed it lists
    report = validate_feed(f"{live_server.url}/gbfs/v3/gbfs.json", docked=True)
    # then every file exists and no schema or cross-file rule fires
    assert report["summary"]["version"]["validated"] == "3.0"
    problems = {entry["file"]: notices(entry) for entry in report["files"] if entry.get("hasErrors")}
    assert problems == {}
    assert report["summary"]["hasErrors"] is False
    published = {entry["file"] for entry in report["files"] if entry.get("exists")}
    assert {f"{name}.json" for name in FEEDS if name != "manifest"} <= published


@pytest.mark.django_db
def test_feeds_are_public_cacheable_and_carry_their_ttl(client: Client) -> None:
    _system()
    for name in FEEDS:
        response = client.get(f"/gbfs/v3/{name}.json")
        assert response.status_code == 200, name
        body = response.json()
        assert body["version"] == "3.0"
        assert response["Cache-Control"] == f"public, max-age={body['ttl']}"
        assert response["Access-Control-Allow-Origin"] == "*"
    assert client.get("/gbfs/v3/station_status.json").json()["ttl"] == 15
    assert client.get("/gbfs/v3/system_information.json").json()["ttl"] == 300
    assert client.get("/gbfs/v3/nonsense.json").status_code == 404


@pytest.mark.django_db
def test_discovery_lists_absolute_urls(client: Client) -> None:
    feeds = client.get("/gbfs/v3/gbfs.json").json()["data"]["feeds"]
    assert feeds[0] == {"name": "system_information", "url": "http://testserver/gbfs/v3/system_information.json"}
    assert {feed["name"] for feed in feeds} == set(FEEDS) - {"gbfs", "manifest"}
    manifest = client.get("/gbfs/v3/manifest.json").json()["data"]["datasets"]
    assert manifest == [
        {"system_id": "circulate-bikes", "versions": [{"version": "3.0", "url": "http://testserver/gbfs/v3/gbfs.json"}]}
    ]


@pytest.mark.django_db
def test_station_status_counts_bikes_and_docks(client: Client) -> None:
    # given
    system = _system()
    stations = {row["station_id"]: row for row in client.get("/gbfs/v3/station_status.json").json()["data"]["stations"]}
    # then the harbour has both bikes ready, the square one disabled and one out on a ride
    harbour, square = stations[str(system["harbour"].pk)], stations[str(system["square"].pk)]
    assert (harbour["num_vehicles_available"], harbour["num_vehicles_disabled"], harbour["num_docks_available"]) == (
        2,
        0,
        2,
    )
    assert (square["num_vehicles_available"], square["num_vehicles_disabled"], square["num_docks_available"]) == (
        0,
        1,
        2,
    )
    assert sum(entry["count"] for entry in harbour["vehicle_types_available"]) == 2


@pytest.mark.django_db
def test_vehicle_status_hides_bikes_on_a_ride_and_renames_a_bike_after_each_trip(client: Client) -> None:
    # given
    system = _system()

    def vehicles() -> dict[str, dict[str, Any]]:
        rows = client.get("/gbfs/v3/vehicle_status.json").json()["data"]["vehicles"]
        return {row["vehicle_id"]: row for row in rows}

    # then the bike out on a ride is not published, and nothing reveals internal ids or serials
    listed = vehicles()
    on_ride = Bike.objects.get(pk=system["bikes"][3].pk)
    assert str(on_ride.public_id) not in listed
    assert len(listed) == 3
    assert not any(bike.serial in str(listed) for bike in system["bikes"])
    disabled = [row for row in listed.values() if row["is_disabled"]]
    assert len(disabled) == 1
    # when the ride ends, the bike reappears under a new vehicle_id
    before = on_ride.public_id
    services.finish_rental(actor=system["rider"], rental_id=system["ride"].pk, station_id=system["harbour"].pk)
    after = Bike.objects.get(pk=on_ride.pk).public_id
    assert after != before
    assert str(after) in vehicles()
    assert vehicles()[str(after)]["current_range_meters"] == 50_000


@pytest.mark.django_db
def test_pricing_plans_publish_gbfs_numbers_and_the_cap(client: Client) -> None:
    _system()
    plans = client.get("/gbfs/v3/system_pricing_plans.json").json()["data"]["plans"]
    day_pass, pay_as_you_go = plans
    assert day_pass["price"] == 2.0
    assert day_pass["per_min_pricing"] == [
        {"start": 30, "rate": 3.0, "interval": 0, "end": 60},
        {"start": 60, "rate": 0.1, "interval": 1},
    ]
    assert pay_as_you_go["fare_capping"] == {"duration": 720, "price": 15.0}


@pytest.mark.django_db
@pytest.mark.parametrize("feed", ["station_information", "station_status", "vehicle_status"])
def test_feeds_cost_the_same_queries_for_any_number_of_stations(  # type: ignore[no-untyped-def]
    client: Client, django_assert_max_num_queries, feed: str
) -> None:
    # given one station and one bike, measured; then ten more of each
    fleet = make_fleet_manager()
    kind = make_vehicle_type(fleet=fleet)
    make_bike(station=make_station(fleet=fleet), vehicle_type=kind, fleet=fleet)
    with django_assert_max_num_queries(3) as few:
        client.get(f"/gbfs/v3/{feed}.json")
    for _ in range(10):
        make_bike(station=make_station(fleet=fleet), vehicle_type=kind, fleet=fleet)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(f"/gbfs/v3/{feed}.json")

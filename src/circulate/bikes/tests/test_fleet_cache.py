"""The fleet cache: a bike list or detail is kept for every caller, and every change forgets it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from circulate.accounts.tests.factories import UserFactory
from circulate.bikes import services
from circulate.bikes.models import Bike, Rental
from circulate.bikes.tests.factories import make_bike, make_fleet_manager, make_plan, make_station
from circulate.core.testing import cache_reads

pytestmark = pytest.mark.django_db

API = "/api/bikes"


@pytest.fixture(autouse=True)
def _read_cache_on(settings: Any) -> None:
    """On, as with Redis; the suite's in-process memory cache is shared by everything a test runs."""
    settings.READ_CACHE_SECONDS = 30


def _seen(client: Any, bike: Bike) -> dict[str, Any] | None:
    """The bike as the list of rentable bikes shows it (None: not there), checked against its detail."""
    listed = {row["id"]: row for row in client.get(f"{API}/list/").json()["results"]}.get(bike.pk)
    detail = client.get(f"{API}/bikes/{bike.pk}/")
    if detail.status_code == 404:
        assert listed is None
        return None
    shown = {key: detail.json()[key] for key in ("status", "station", "current_range_meters", "serial")}
    if listed is not None:
        assert {key: listed[key] for key in shown} == shown
    return shown


def _ride(fleet: Any, bike: Bike, rider: Any) -> None:
    services.start_rental(actor=rider, bike_id=bike.pk)


def _ride_back(fleet: Any, bike: Bike, rider: Any) -> None:
    rental = Rental.objects.get(bike=bike, ended_at__isnull=True)
    services.finish_rental(actor=rider, rental_id=rental.pk, station_id=make_station(fleet=fleet, name="Harbour").pk)


def _maintenance(fleet: Any, bike: Bike, rider: Any) -> None:
    services.send_to_maintenance(actor=fleet, bike_id=bike.pk)


def _edit(fleet: Any, bike: Bike, rider: Any) -> None:
    services.update_bike(actor=fleet, bike_id=bike.pk, serial="BK-RENAMED")


def _rename_station(fleet: Any, bike: Bike, rider: Any) -> None:
    services.update_station(actor=fleet, station_id=bike.station_id, name="Renamed Station")


def _station_stops_renting(fleet: Any, bike: Bike, rider: Any) -> None:
    services.update_station(actor=fleet, station_id=bike.station_id, is_renting=False)


def _remove(fleet: Any, bike: Bike, rider: Any) -> None:
    services.delete_bike(actor=fleet, bike_id=bike.pk)


def _nothing(fleet: Any, bike: Bike, rider: Any) -> None:
    pass


# name: (before the first read, the change, a check of what the next read shows)
CHANGES: dict[str, tuple[Callable[..., None], Callable[..., None], Callable[[dict[str, Any] | None], bool]]] = {
    "a ride takes the bike": (_nothing, _ride, lambda seen: seen is not None and seen["status"] == "rented"),
    "the ride ends at another station": (
        _ride,
        _ride_back,
        lambda seen: seen is not None and (seen["station"] or {}).get("name") == "Harbour",
    ),
    "sent to maintenance": (_nothing, _maintenance, lambda seen: seen is not None and seen["status"] == "maintenance"),
    "the serial is changed": (_nothing, _edit, lambda seen: seen is not None and seen["serial"] == "BK-RENAMED"),
    "its station is renamed": (
        _nothing,
        _rename_station,
        lambda seen: seen is not None and (seen["station"] or {}).get("name") == "Renamed Station",
    ),
    "the bike is removed": (_nothing, _remove, lambda seen: seen is None),
}


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_every_change_through_the_services_shows_at_once(auth_client, change: str) -> None:
    # given a bike, read (and so kept) by a reader
    fleet, rider = make_fleet_manager(), UserFactory()
    make_plan(fleet=fleet)
    bike = make_bike(fleet=fleet)
    given, apply, shows = CHANGES[change]
    given(fleet, bike, rider)
    reader = auth_client(UserFactory())
    before = _seen(reader, bike)
    # when the change is made
    apply(fleet, bike, rider)
    # then the reader's next read shows it
    after = _seen(reader, bike)
    assert shows(after), after
    assert not shows(before)


def test_a_station_that_stops_renting_takes_its_bikes_off_the_kept_list(auth_client) -> None:
    fleet = make_fleet_manager()
    bike = make_bike(fleet=fleet)
    reader = auth_client(UserFactory())
    assert [row["id"] for row in reader.get(f"{API}/list/").json()["results"]] == [bike.pk]
    _station_stops_renting(fleet, bike, None)
    assert reader.get(f"{API}/list/").json()["results"] == []


def test_a_kept_list_costs_no_query(auth_client, django_assert_num_queries) -> None:
    fleet = make_fleet_manager()
    make_bike(fleet=fleet)
    client = auth_client(UserFactory())
    first = client.get(f"{API}/bikes/")
    # the caller's user row is kept too (accounts.authentication), and read with the list at once
    with cache_reads() as reads, django_assert_num_queries(0):
        again = client.get(f"{API}/bikes/")
    assert again.json() == first.json()
    assert [len(keys) for keys in reads] == [4]  # two generations, the caller's row, the list

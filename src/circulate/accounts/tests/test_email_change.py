"""POST email/change/: the new address confirms with a link, the old one gets a notice."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from circulate.accounts.links import make_email_token
from circulate.accounts.models import User
from circulate.accounts.tests.factories import UserFactory
from circulate.accounts.tests.helpers import PASSWORD, link_in, sent_to

pytestmark = pytest.mark.django_db

CHANGE = "/api/auth/email/change/"
CONFIRM = "/api/auth/email/confirm/"


def _ask(auth_client: Any, user: User, new_email: str = "ada@lovelace.org", password: str = PASSWORD) -> Any:
    return auth_client(user).post(CHANGE, {"new_email": new_email, "password": password}, format="json")


def test_a_change_waits_for_the_link_sent_to_the_new_address(auth_client: Any, public_url: str) -> None:
    # given
    user = UserFactory(email="ada@example.com")
    # when
    response = _ask(auth_client, user, new_email="Ada@Lovelace.org")
    # then nothing changed yet
    assert response.status_code == 202
    assert "ada@lovelace.org" in response.json()["detail"]
    user.refresh_from_db()
    assert user.email == "ada@example.com"
    # and the new address got the link, the old one a notice without it
    [confirmation] = sent_to("ada@lovelace.org")
    assert link_in(confirmation).url.startswith(f"{public_url}/confirm-email/?token=")
    [notice] = sent_to("ada@example.com")
    assert "ada@lovelace.org" in notice.body
    assert "token=" not in notice.body
    assert notice.alternatives  # type: ignore[attr-defined]


def test_the_link_switches_the_address_and_confirms_it(auth_client: Any, api_client: Any) -> None:
    # given
    user = UserFactory(email="ada@example.com", email_verified_at=None)
    _ask(auth_client, user)
    token = link_in(sent_to("ada@lovelace.org")[0]).params["token"]
    # when
    response = api_client.post(CONFIRM, {"token": token}, format="json")
    # then
    assert response.status_code == 200
    assert response.json()["email"] == "ada@lovelace.org"
    assert response.json()["email_verified"] is True
    user.refresh_from_db()
    assert user.email == "ada@lovelace.org"
    assert user.email_verified_at is not None


def test_the_change_link_works_once(auth_client: Any, api_client: Any) -> None:
    # given
    user = UserFactory(email="ada@example.com")
    _ask(auth_client, user)
    token = link_in(sent_to("ada@lovelace.org")[0]).params["token"]
    api_client.post(CONFIRM, {"token": token}, format="json")
    # when
    response = api_client.post(CONFIRM, {"token": token}, format="json")
    # then
    assert response.status_code == 400
    assert response.json()["code"] == "link_used"


def test_an_older_link_stops_working_once_the_address_changed(auth_client: Any, api_client: Any) -> None:
    # given two pending changes
    user = UserFactory(email="ada@example.com")
    _ask(auth_client, user, new_email="first@example.com")
    _ask(auth_client, user, new_email="second@example.com")
    first = link_in(sent_to("first@example.com")[0]).params["token"]
    second = link_in(sent_to("second@example.com")[0]).params["token"]
    # when
    confirmed = api_client.post(CONFIRM, {"token": second}, format="json")
    stale = api_client.post(CONFIRM, {"token": first}, format="json")
    # then
    assert confirmed.status_code == 200
    assert stale.status_code == 400
    user.refresh_from_db()
    assert user.email == "second@example.com"


def test_the_new_address_taken_meanwhile_is_a_conflict(auth_client: Any, api_client: Any) -> None:
    # given a pending change, then someone registers the address
    user = UserFactory(email="ada@example.com")
    _ask(auth_client, user)
    token = link_in(sent_to("ada@lovelace.org")[0]).params["token"]
    UserFactory(email="ada@lovelace.org")
    # when
    response = api_client.post(CONFIRM, {"token": token}, format="json")
    # then
    assert response.status_code == 409
    assert response.json()["code"] == "email_taken"
    user.refresh_from_db()
    assert user.email == "ada@example.com"


@pytest.mark.parametrize(
    ("new_email", "password", "field"),
    [
        ("ada@lovelace.org", "wrong-password", "password"),
        ("ADA@example.com", PASSWORD, "new_email"),
        ("bob@example.com", PASSWORD, "new_email"),
        ("not an address", PASSWORD, "new_email"),
    ],
)
def test_a_bad_change_request_names_the_field(auth_client: Any, new_email: str, password: str, field: str) -> None:
    # given
    UserFactory(email="bob@example.com")
    user = UserFactory(email="ada@example.com")
    # when
    response = _ask(auth_client, user, new_email=new_email, password=password)
    # then
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert not mail.outbox


def test_a_change_needs_a_signed_in_user(api_client: Any) -> None:
    # when
    response = api_client.post(CHANGE, {"new_email": "x@example.com", "password": PASSWORD}, format="json")
    # then
    assert response.status_code == 401


def test_the_registration_link_is_refused_after_the_address_changed(auth_client: Any, api_client: Any) -> None:
    # given an unconfirmed account whose first link was never used, then a confirmed change
    user = UserFactory(email="ada@example.com", email_verified_at=None)
    registration = make_email_token(user=user)
    _ask(auth_client, user)
    api_client.post(CONFIRM, {"token": link_in(sent_to("ada@lovelace.org")[0]).params["token"]}, format="json")
    # when
    response = api_client.post(CONFIRM, {"token": registration}, format="json")
    # then
    assert response.status_code == 400

"""Password change and reset: every other session ends; reset reveals nothing about who has an account."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from circulate.accounts.tests.factories import UserFactory
from circulate.accounts.tests.helpers import NEW_PASSWORD, PASSWORD, link_in

pytestmark = pytest.mark.django_db

CHANGE = "/api/auth/password/change/"
RESET = "/api/auth/password/reset/"
RESET_CONFIRM = "/api/auth/password/reset/confirm/"
LOGIN = "/api/auth/login/"
REFRESH = "/api/auth/token/refresh/"
ME = "/api/auth/me/"


def _login(client: APIClient, email: str, password: str = PASSWORD) -> Any:
    return client.post(LOGIN, {"login": email, "password": password}, format="json")


def _session(client: APIClient, email: str) -> dict[str, str]:
    response = _login(client, email)
    assert response.status_code == 200, response.json()
    return dict(response.json())


# --- change -------------------------------------------------------------------------------


def test_change_sets_the_password_and_ends_every_other_session(api_client: Any, token_client: Any) -> None:
    # given two sessions
    user = UserFactory(email="ada@example.com")
    laptop = _session(api_client, "ada@example.com")
    phone = _session(api_client, "ada@example.com")
    # when the laptop changes the password
    response = token_client(laptop["access"]).post(
        CHANGE, {"old_password": PASSWORD, "new_password": NEW_PASSWORD}, format="json"
    )
    # then the laptop gets a fresh pair that works
    assert response.status_code == 200, response.json()
    fresh = response.json()
    assert token_client(fresh["access"]).get(ME).status_code == 200
    assert api_client.post(REFRESH, {"refresh": fresh["refresh"]}, format="json").status_code == 200
    # and every token issued before is refused
    for old_refresh in (laptop["refresh"], phone["refresh"]):
        refused = api_client.post(REFRESH, {"refresh": old_refresh}, format="json")
        assert refused.status_code == 401
        assert refused.json()["code"] == "token_not_valid"
    stale = token_client(phone["access"]).get(ME)
    assert stale.status_code == 401
    assert stale.json()["detail"] == "The user's password has been changed."
    # and only the new password signs in
    user.refresh_from_db()
    assert user.password.startswith("argon2")
    assert _login(api_client, "ada@example.com").status_code == 401
    assert _login(api_client, "ada@example.com", NEW_PASSWORD).status_code == 200


def test_change_with_a_wrong_old_password_is_refused(auth_client: Any) -> None:
    # given
    user = UserFactory()
    # when
    response = auth_client(user).post(CHANGE, {"old_password": "nope", "new_password": NEW_PASSWORD}, format="json")
    # then
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["old_password"]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize("new_password", ["short", "12345678901", "password1"])
def test_change_to_a_weak_password_is_refused(auth_client: Any, new_password: str) -> None:
    # given
    user = UserFactory()
    # when
    response = auth_client(user).post(CHANGE, {"old_password": PASSWORD, "new_password": new_password}, format="json")
    # then
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["new_password"]


def test_change_needs_a_signed_in_user_and_both_fields(api_client: Any, auth_client: Any) -> None:
    # when
    anonymous = api_client.post(CHANGE, {"old_password": PASSWORD, "new_password": NEW_PASSWORD}, format="json")
    empty = auth_client(UserFactory()).post(CHANGE, {}, format="json")
    # then
    assert anonymous.status_code == 401
    assert empty.status_code == 400
    assert set(empty.json()["errors"]) == {"old_password", "new_password"}


# --- reset --------------------------------------------------------------------------------


def test_reset_answers_the_same_for_known_and_unknown_addresses(api_client: Any) -> None:
    # given
    UserFactory(email="ada@example.com")
    UserFactory(email="gone@example.com", is_active=False)
    # when
    known = api_client.post(RESET, {"email": "ADA@example.com"}, format="json")
    unknown = api_client.post(RESET, {"email": "nobody@example.com"}, format="json")
    inactive = api_client.post(RESET, {"email": "gone@example.com"}, format="json")
    # then
    assert known.status_code == unknown.status_code == inactive.status_code == 202
    assert known.content == unknown.content == inactive.content
    [message] = mail.outbox
    assert message.to == ["ada@example.com"]


def test_reset_link_points_at_the_console_and_sets_the_password(
    api_client: Any, token_client: Any, public_url: str
) -> None:
    # given a user with a session, who asks for a reset
    user = UserFactory(email="ada@example.com")
    session = _session(api_client, "ada@example.com")
    api_client.post(RESET, {"email": "ada@example.com"}, format="json")
    link = link_in(mail.outbox[-1])
    assert link.url.startswith(f"{public_url}/reset-password/?uid=")
    assert set(link.params) == {"uid", "token"}
    assert "&amp;" not in mail.outbox[-1].body
    # when
    response = api_client.post(RESET_CONFIRM, dict(link.params, new_password=NEW_PASSWORD), format="json")
    # then
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert user.password.startswith("argon2")
    assert api_client.post(REFRESH, {"refresh": session["refresh"]}, format="json").status_code == 401
    assert token_client(session["access"]).get(ME).status_code == 401


def test_a_reset_link_works_once(api_client: Any) -> None:
    # given a link already used
    UserFactory(email="ada@example.com")
    api_client.post(RESET, {"email": "ada@example.com"}, format="json")
    params = link_in(mail.outbox[-1]).params
    api_client.post(RESET_CONFIRM, dict(params, new_password=NEW_PASSWORD), format="json")
    # when
    response = api_client.post(RESET_CONFIRM, dict(params, new_password="yet-another-passphrase-9"), format="json")
    # then
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_link"
    assert list(response.json()["errors"]) == ["token"]


def test_a_reset_link_expires(api_client: Any) -> None:
    # given
    UserFactory(email="ada@example.com")
    api_client.post(RESET, {"email": "ada@example.com"}, format="json")
    params = link_in(mail.outbox[-1]).params
    # when
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)):
        response = api_client.post(RESET_CONFIRM, dict(params, new_password=NEW_PASSWORD), format="json")
    # then
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_link"


@pytest.mark.parametrize(("uid", "token"), [("garbage", "x-y"), ("MQ", "bad-token"), ("", "")])
def test_a_mistyped_reset_link_is_refused(api_client: Any, uid: str, token: str) -> None:
    # given
    UserFactory()
    # when
    response = api_client.post(RESET_CONFIRM, {"uid": uid, "token": token, "new_password": NEW_PASSWORD}, format="json")
    # then
    assert response.status_code == 400


def test_reset_to_a_weak_password_is_refused_and_the_link_stays_usable(api_client: Any) -> None:
    # given
    UserFactory(email="ada@example.com")
    api_client.post(RESET, {"email": "ada@example.com"}, format="json")
    params = link_in(mail.outbox[-1]).params
    # when
    weak = api_client.post(RESET_CONFIRM, dict(params, new_password="123"), format="json")
    strong = api_client.post(RESET_CONFIRM, dict(params, new_password=NEW_PASSWORD), format="json")
    # then
    assert weak.status_code == 400
    assert list(weak.json()["errors"]) == ["new_password"]
    assert strong.status_code == 200


def test_reset_lifts_a_login_lockout(api_client: Any) -> None:
    # given a locked account
    UserFactory(email="ada@example.com")
    for _ in range(5):
        _login(api_client, "ada@example.com", "wrong-password")
    assert _login(api_client, "ada@example.com").status_code == 429
    api_client.post(RESET, {"email": "ada@example.com"}, format="json")
    params = link_in(mail.outbox[-1]).params
    # when
    api_client.post(RESET_CONFIRM, dict(params, new_password=NEW_PASSWORD), format="json")
    # then
    assert not AccessAttempt.objects.filter(username="ada@example.com").exists()
    assert _login(api_client, "ada@example.com", NEW_PASSWORD).status_code == 200


def test_reset_is_throttled_with_retry_after(api_client: Any, throttle_rate: Any) -> None:
    # given
    throttle_rate("password_reset", "2/hour")
    for _ in range(2):
        api_client.post(RESET, {"email": "nobody@example.com"}, format="json")
    # when
    response = api_client.post(RESET, {"email": "nobody@example.com"}, format="json")
    # then
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_reset_with_a_malformed_address_is_400(api_client: Any) -> None:
    # when
    response = api_client.post(RESET, {"email": "not an address"}, format="json")
    # then
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["email"]

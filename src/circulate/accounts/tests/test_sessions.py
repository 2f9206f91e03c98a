"""Login, JWT refresh and verify, logout, throttling and lockout of failed logins."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from circulate.accounts import services
from circulate.accounts.errors import InvalidTokenError
from circulate.accounts.tests.factories import UserFactory
from circulate.accounts.tests.helpers import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/api/auth/login/"
REFRESH = "/api/auth/token/refresh/"
VERIFY = "/api/auth/token/verify/"
LOGOUT = "/api/auth/logout/"
ME = "/api/auth/me/"


def _login(client: APIClient, login: str, password: str = PASSWORD) -> Any:
    return client.post(LOGIN, {"login": login, "password": password}, format="json")


@pytest.mark.parametrize("field", ["login", "email", "username"])
def test_login_with_email_or_username_returns_a_pair_and_the_user(
    api_client: Any, token_client: Any, field: str
) -> None:
    # given
    user = UserFactory(email="ada@example.com", username="Ada")
    value = "ADA@example.com" if field != "username" else "ada"
    # when
    response = api_client.post(LOGIN, {field: value, "password": PASSWORD}, format="json")
    # then
    assert response.status_code == 200, response.json()
    body = response.json()
    assert set(body) == {"access", "refresh", "user"}
    assert body["user"]["id"] == user.pk
    assert token_client(body["access"]).get(ME).json()["email"] == "ada@example.com"
    user.refresh_from_db()
    assert user.last_login is not None


def test_login_works_before_the_email_is_confirmed(api_client: Any) -> None:
    # given
    UserFactory(email="new@example.com", email_verified_at=None)
    # when
    response = _login(api_client, "new@example.com")
    # then
    assert response.status_code == 200
    assert response.json()["user"]["email_verified"] is False


@pytest.mark.parametrize(
    ("login", "password"),
    [("ada@example.com", "wrong-password"), ("nobody@example.com", PASSWORD), ("inactive@example.com", PASSWORD)],
)
def test_bad_credentials_answer_401(api_client: Any, login: str, password: str) -> None:
    # given
    UserFactory(email="ada@example.com")
    UserFactory(email="inactive@example.com", is_active=False)
    # when
    response = _login(api_client, login, password)
    # then
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


def test_login_without_a_login_names_the_field(api_client: Any) -> None:
    # when
    response = api_client.post(LOGIN, {"password": PASSWORD}, format="json")
    # then
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["login"]


def test_a_stale_authorization_header_does_not_block_login(api_client: Any) -> None:
    # given
    UserFactory(email="ada@example.com")
    api_client.credentials(HTTP_AUTHORIZATION="Bearer expired.or.garbage")
    # when
    response = _login(api_client, "ada@example.com")
    # then
    assert response.status_code == 200


def test_the_access_token_expires_after_30_minutes(api_client: Any, token_client: Any) -> None:
    # given
    UserFactory(email="ada@example.com")
    access = _login(api_client, "ada@example.com").json()["access"]
    client = token_client(access)
    # when
    with time_machine.travel(timezone.now() + timedelta(minutes=29)):
        before = client.get(ME)
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        after = client.get(ME)
    # then
    assert before.status_code == 200
    assert after.status_code == 401
    assert after.json()["code"] == "token_not_valid"


def test_refresh_rotates_and_the_old_refresh_token_stops_working(api_client: Any, token_client: Any) -> None:
    # given
    UserFactory(email="ada@example.com")
    first = _login(api_client, "ada@example.com").json()
    # when
    rotated = api_client.post(REFRESH, {"refresh": first["refresh"]}, format="json")
    reused = api_client.post(REFRESH, {"refresh": first["refresh"]}, format="json")
    # then
    assert rotated.status_code == 200
    pair = rotated.json()
    assert set(pair) == {"access", "refresh"}
    assert pair["refresh"] != first["refresh"]
    assert token_client(pair["access"]).get(ME).status_code == 200
    assert reused.status_code == 401
    assert reused.json()["code"] == "token_not_valid"
    assert api_client.post(REFRESH, {"refresh": pair["refresh"]}, format="json").status_code == 200


def test_the_refresh_token_expires_after_7_days(api_client: Any) -> None:
    # given
    UserFactory(email="ada@example.com")
    refresh = _login(api_client, "ada@example.com").json()["refresh"]
    # when
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        response = api_client.post(REFRESH, {"refresh": refresh}, format="json")
    # then
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


@pytest.mark.parametrize("token", ["garbage", "a.b.c"])
def test_refresh_with_a_malformed_token_is_401(api_client: Any, token: str) -> None:
    # when
    response = api_client.post(REFRESH, {"refresh": token}, format="json")
    # then
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_refresh_with_an_access_token_is_refused(api_client: Any) -> None:
    # given
    UserFactory(email="ada@example.com")
    access = _login(api_client, "ada@example.com").json()["access"]
    # when
    response = api_client.post(REFRESH, {"refresh": access}, format="json")
    # then
    assert response.status_code == 401


def test_refresh_for_a_deactivated_account_is_refused(api_client: Any) -> None:
    # given
    user = UserFactory(email="ada@example.com")
    refresh = _login(api_client, "ada@example.com").json()["refresh"]
    user.is_active = False
    user.save()
    # when
    response = api_client.post(REFRESH, {"refresh": refresh}, format="json")
    # then
    assert response.status_code == 401


def test_refresh_without_a_token_is_400(api_client: Any) -> None:
    # when
    response = api_client.post(REFRESH, {}, format="json")
    # then
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["refresh"]


def test_verify_accepts_live_tokens_and_refuses_others(api_client: Any) -> None:
    # given
    user = UserFactory(email="ada@example.com")
    pair = _login(api_client, "ada@example.com").json()
    # when
    access = api_client.post(VERIFY, {"token": pair["access"]}, format="json")
    refresh = api_client.post(VERIFY, {"token": pair["refresh"]}, format="json")
    api_client.post(LOGOUT, {"refresh": pair["refresh"]}, format="json")
    after_logout = api_client.post(VERIFY, {"token": pair["refresh"]}, format="json")
    garbage = api_client.post(VERIFY, {"token": "garbage"}, format="json")
    # then
    assert access.status_code == 200
    assert access.json()["token_type"] == "access"
    assert access.json()["user_id"] == user.pk
    assert refresh.json()["token_type"] == "refresh"
    assert after_logout.status_code == 401
    assert garbage.status_code == 401
    assert garbage.json()["code"] == "token_not_valid"


def test_verify_refuses_an_expired_access_token(api_client: Any) -> None:
    # given
    UserFactory(email="ada@example.com")
    access = _login(api_client, "ada@example.com").json()["access"]
    # when
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        response = api_client.post(VERIFY, {"token": access}, format="json")
    # then
    assert response.status_code == 401


def test_logout_blacklists_the_refresh_token(api_client: Any) -> None:
    # given
    UserFactory(email="ada@example.com")
    refresh = _login(api_client, "ada@example.com").json()["refresh"]
    # when
    response = api_client.post(LOGOUT, {"refresh": refresh}, format="json")
    # then
    assert response.status_code == 204
    assert response.content == b""
    refused = api_client.post(REFRESH, {"refresh": refresh}, format="json")
    assert refused.status_code == 401
    assert refused.json()["code"] == "token_not_valid"
    assert api_client.post(LOGOUT, {"refresh": refresh}, format="json").status_code == 401


def test_logout_leaves_other_sessions_alone(api_client: Any) -> None:
    # given two sessions of one user
    UserFactory(email="ada@example.com")
    laptop = _login(api_client, "ada@example.com").json()["refresh"]
    phone = _login(api_client, "ada@example.com").json()["refresh"]
    # when
    api_client.post(LOGOUT, {"refresh": laptop}, format="json")
    # then
    assert api_client.post(REFRESH, {"refresh": phone}, format="json").status_code == 200


@pytest.mark.parametrize("body", [{}, {"refresh": "garbage"}])
def test_logout_with_a_missing_or_bad_token_fails(api_client: Any, body: dict[str, str]) -> None:
    # when
    response = api_client.post(LOGOUT, body, format="json")
    # then
    assert response.status_code in (400, 401)
    assert response.status_code == (400 if not body else 401)


def test_login_is_throttled_with_retry_after(api_client: Any, throttle_rate: Any) -> None:
    # given
    throttle_rate("login", "3/minute")
    UserFactory(email="ada@example.com")
    for _ in range(3):
        _login(api_client, "ada@example.com")
    # when
    response = _login(api_client, "ada@example.com")
    # then
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert 0 < int(response["Retry-After"]) <= 60


def test_repeated_failures_lock_the_account_and_are_recorded(api_client: Any, settings: Any) -> None:
    # given
    UserFactory(email="ada@example.com", username="ada")
    statuses = [_login(api_client, login, "wrong-password").status_code for login in ["ada@example.com", "ADA"] * 2]
    # when the fifth failure reaches AXES_FAILURE_LIMIT, and even the right password is then refused
    fifth = _login(api_client, "ada", "wrong-password")
    right_password = _login(api_client, "ada@example.com")
    # then
    assert statuses == [401, 401, 401, 401]
    for response in (fifth, right_password):
        assert response.status_code == 429
        body = response.json()
        assert body["code"] == "account_locked"
        assert "locked for 15 minutes" in body["detail"]
        assert body["errors"] == {}
        assert int(response["Retry-After"]) == int(settings.AXES_COOLOFF_TIME.total_seconds())
    assert AccessAttempt.objects.get(username="ada@example.com").failures_since_start >= settings.AXES_FAILURE_LIMIT
    assert AccessFailureLog.objects.filter(username="ada@example.com", locked_out=True).exists()


def test_the_lock_is_lifted_after_the_cool_off(api_client: Any) -> None:
    # given a locked account
    UserFactory(email="ada@example.com")
    for _ in range(5):
        _login(api_client, "ada@example.com", "wrong-password")
    # when
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        response = _login(api_client, "ada@example.com")
    # then
    assert response.status_code == 200


def test_a_success_clears_earlier_failures(api_client: Any) -> None:
    # given four failures, then a success
    UserFactory(email="ada@example.com")
    for _ in range(4):
        _login(api_client, "ada@example.com", "wrong-password")
    assert _login(api_client, "ada@example.com").status_code == 200
    # when
    response = _login(api_client, "ada@example.com", "wrong-password")
    # then the count started again
    assert response.status_code == 401


def test_the_admin_login_gets_a_plain_lockout_page(client: Any) -> None:
    # given
    UserFactory(email="staff@example.com", is_staff=True)
    for _ in range(5):
        client.post("/admin/login/", {"username": "staff@example.com", "password": "wrong-password"})
    # when
    response = client.post("/admin/login/", {"username": "staff@example.com", "password": PASSWORD})
    # then
    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/plain")
    assert "locked" in response.content.decode()


def test_tokens_are_recorded_so_they_can_be_revoked(api_client: Any) -> None:
    # given
    user = UserFactory(email="ada@example.com")
    # when
    _login(api_client, "ada@example.com")
    # then
    assert OutstandingToken.objects.filter(user=user).count() == 1
    assert not BlacklistedToken.objects.exists()


@pytest.mark.locking
@pytest.mark.django_db(transaction=True)
def test_one_refresh_token_used_twice_at_once_rotates_once() -> None:
    # given
    user = UserFactory()
    refresh = services.issue_tokens(user=user).refresh
    start = threading.Barrier(2, timeout=10)
    outcomes: list[str] = []

    def use() -> None:
        start.wait()
        try:
            services.refresh_tokens(refresh=refresh)
            outcomes.append("rotated")
        except InvalidTokenError:
            outcomes.append("refused")
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=use) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    assert sorted(outcomes) == ["refused", "rotated"]
    assert OutstandingToken.objects.filter(user=user).count() == 2

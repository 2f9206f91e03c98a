"""POST /api/auth/register/: accounts are created unconfirmed, with an Argon2 hash, and get a confirmation link."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection

from circulate.accounts import selectors, services
from circulate.accounts.models import User
from circulate.accounts.tests.factories import UserFactory
from circulate.accounts.tests.helpers import link_in

pytestmark = pytest.mark.django_db

URL = "/api/auth/register/"
VALID = {"email": "Ada@Example.com", "username": "ada", "full_name": "Ada Lovelace", "password": "an4lytical-engine"}


def test_register_creates_an_unconfirmed_account_and_sends_the_link(api_client: Any, public_url: str) -> None:
    # when
    response = api_client.post(URL, VALID, format="json")
    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {
        "id",
        "email",
        "username",
        "full_name",
        "email_verified",
        "email_verified_at",
        "roles",
        "is_staff",
        "date_joined",
    }
    assert body["email"] == "ada@example.com"
    assert body["email_verified"] is False
    assert body["email_verified_at"] is None
    assert body["roles"] == []
    user = User.objects.get(pk=body["id"])
    assert user.password.startswith("argon2")
    assert user.check_password("an4lytical-engine")
    [message] = mail.outbox
    assert message.to == ["ada@example.com"]
    assert "Confirm" in message.subject
    link = link_in(message)
    assert link.url.startswith(f"{public_url}/confirm-email/?token=")
    html = message.alternatives[0]  # type: ignore[attr-defined]
    assert html[1] == "text/html"
    assert link.url.replace("&", "&amp;") in html[0]


def test_the_password_never_appears_in_the_answer(api_client: Any) -> None:
    # when
    response = api_client.post(URL, VALID, format="json")
    # then
    assert "an4lytical-engine" not in response.content.decode()
    assert "password" not in response.json()


@pytest.mark.parametrize(
    ("existing", "field"),
    [({"email": "ADA@example.com"}, "email"), ({"username": "ADA"}, "username")],
)
def test_a_duplicate_email_or_username_is_refused_naming_the_field(
    api_client: Any, existing: dict[str, str], field: str
) -> None:
    # given an account whose address or username differs only in case
    UserFactory(**existing)
    # when
    response = api_client.post(URL, VALID, format="json")
    # then
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["errors"]) == [field]
    assert not mail.outbox


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1", "too short"),
        ("password123", "too common"),
        ("83749201746", "entirely numeric"),
        ("ada-lovelace", "too similar"),
    ],
)
def test_the_password_validators_apply(api_client: Any, password: str, message: str) -> None:
    # when
    response = api_client.post(URL, dict(VALID, password=password), format="json")
    # then
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == ["password"]
    assert any(message in text for text in errors["password"])
    assert not User.objects.exists()


@pytest.mark.parametrize("username", ["ada lovelace", "ada@home", ""])
def test_a_username_with_spaces_or_at_sign_is_refused(api_client: Any, username: str) -> None:
    # when
    response = api_client.post(URL, dict(VALID, username=username), format="json")
    # then
    assert response.status_code == 400
    assert "username" in response.json()["errors"]


def test_missing_and_malformed_fields_are_named(api_client: Any) -> None:
    # when
    response = api_client.post(URL, {"email": "not-an-address"}, format="json")
    # then
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"email", "username", "password"}


def test_register_is_throttled_with_retry_after(api_client: Any, throttle_rate: Any) -> None:
    # given
    throttle_rate("register", "2/hour")
    for n in range(2):
        api_client.post(URL, dict(VALID, email=f"a{n}@example.com", username=f"a{n}"), format="json")
    # when
    response = api_client.post(URL, VALID, format="json")
    # then
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert 0 < int(response["Retry-After"]) <= 3600
    assert not User.objects.filter(username="ada").exists()


@pytest.mark.locking
@pytest.mark.django_db(transaction=True)
def test_two_registrations_racing_for_one_address_create_one_account(monkeypatch: pytest.MonkeyPatch) -> None:
    # given both requests pass the duplicate check before either inserts
    both_checked = threading.Barrier(2, timeout=10)
    real_email_in_use = selectors.email_in_use
    waited: set[int] = set()

    def email_in_use_then_wait(email: str, **kwargs: Any) -> bool:
        answer = real_email_in_use(email, **kwargs)
        if threading.get_ident() not in waited:
            waited.add(threading.get_ident())
            both_checked.wait()
        return answer

    monkeypatch.setattr(selectors, "email_in_use", email_in_use_then_wait)
    outcomes: list[Any] = []

    def register(n: int) -> None:
        try:
            outcomes.append(
                services.register_user(email="race@example.com", username=f"racer{n}", password="an4lytical-engine")
            )
        except ValidationError as exc:
            outcomes.append(exc)
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=register, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    assert User.objects.filter(email="race@example.com").count() == 1
    [error] = [outcome for outcome in outcomes if isinstance(outcome, ValidationError)]
    assert list(error.message_dict) == ["email"]

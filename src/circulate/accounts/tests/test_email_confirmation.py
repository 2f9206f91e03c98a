"""POST email/confirm/ and email/resend/: signed links that expire and work once."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.utils import timezone

from circulate.accounts import services
from circulate.accounts.errors import InvalidLinkError
from circulate.accounts.links import make_email_token
from circulate.accounts.models import User
from circulate.accounts.tests.factories import UserFactory
from circulate.accounts.tests.helpers import link_in

pytestmark = pytest.mark.django_db

CONFIRM = "/api/auth/email/confirm/"
RESEND = "/api/auth/email/resend/"


def _register(api_client: Any) -> str:
    api_client.post(
        "/api/auth/register/",
        {"email": "ada@example.com", "username": "ada", "password": "an4lytical-engine"},
        format="json",
    )
    return link_in(mail.outbox[-1]).params["token"]


def test_the_link_confirms_the_address(api_client: Any) -> None:
    # given
    token = _register(api_client)
    # when
    response = api_client.post(CONFIRM, {"token": token}, format="json")
    # then
    assert response.status_code == 200, response.json()
    assert response.json()["email_verified"] is True
    user = User.objects.get(email="ada@example.com")
    assert user.email_verified_at is not None
    assert response.json()["email_verified_at"] is not None


def test_a_used_link_is_refused(api_client: Any) -> None:
    # given
    token = _register(api_client)
    api_client.post(CONFIRM, {"token": token}, format="json")
    # when
    response = api_client.post(CONFIRM, {"token": token}, format="json")
    # then
    assert response.status_code == 400
    assert response.json()["code"] == "link_used"
    assert "token" in response.json()["errors"]


@pytest.mark.parametrize("token", ["garbage", "", "eyJ1IjoxfQ:1tQ:forged-signature"])
def test_a_forged_or_empty_token_is_refused(api_client: Any, token: str) -> None:
    # when
    response = api_client.post(CONFIRM, {"token": token}, format="json")
    # then
    assert response.status_code == 400
    assert "token" in response.json()["errors"]


def test_a_token_signed_for_another_purpose_is_refused(api_client: Any) -> None:
    # given a value signed with the same key but not with the confirmation salt
    from django.core import signing

    user = UserFactory(email_verified_at=None)
    token = signing.TimestampSigner().sign_object({"u": user.pk, "e": user.email, "v": None})
    # when
    response = api_client.post(CONFIRM, {"token": token}, format="json")
    # then
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_link"


def test_the_link_expires_after_three_days(api_client: Any) -> None:
    # given
    token = _register(api_client)
    # when
    with time_machine.travel(timezone.now() + timedelta(days=3, minutes=1)):
        response = api_client.post(CONFIRM, {"token": token}, format="json")
    # then
    assert response.status_code == 400
    assert response.json()["code"] == "link_expired"
    assert User.objects.get(email="ada@example.com").email_verified_at is None


def test_the_link_still_works_before_it_expires(api_client: Any) -> None:
    # given
    token = _register(api_client)
    # when
    with time_machine.travel(timezone.now() + timedelta(days=2, hours=23)):
        response = api_client.post(CONFIRM, {"token": token}, format="json")
    # then
    assert response.status_code == 200


def test_a_link_for_an_address_the_account_no_longer_has_is_refused(api_client: Any) -> None:
    # given a link made before the address changed
    user = UserFactory(email_verified_at=None)
    token = make_email_token(user=user)
    User.objects.filter(pk=user.pk).update(email="other@example.com")
    # when
    response = api_client.post(CONFIRM, {"token": token}, format="json")
    # then
    assert response.status_code == 400
    assert User.objects.get(pk=user.pk).email_verified_at is None


def test_resend_sends_a_new_working_link(api_client: Any, auth_client: Any) -> None:
    # given
    _register(api_client)
    user = User.objects.get(email="ada@example.com")
    # when
    response = auth_client(user).post(RESEND)
    # then
    assert response.status_code == 202
    assert len(mail.outbox) == 2
    assert mail.outbox[1].to == ["ada@example.com"]
    token = link_in(mail.outbox[1]).params["token"]
    assert api_client.post(CONFIRM, {"token": token}, format="json").status_code == 200


def test_resend_for_a_confirmed_address_is_a_conflict(auth_client: Any) -> None:
    # given
    user = UserFactory()
    # when
    response = auth_client(user).post(RESEND)
    # then
    assert response.status_code == 409
    assert response.json()["code"] == "email_already_verified"
    assert not mail.outbox


def test_resend_needs_a_signed_in_user(api_client: Any) -> None:
    # when
    response = api_client.post(RESEND)
    # then
    assert response.status_code == 401


def test_resend_is_throttled_with_retry_after(auth_client: Any, throttle_rate: Any) -> None:
    # given
    throttle_rate("email", "2/hour")
    client = auth_client(UserFactory(email_verified_at=None))
    for _ in range(2):
        assert client.post(RESEND).status_code == 202
    # when
    response = client.post(RESEND)
    # then
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert len(mail.outbox) == 2


@pytest.mark.locking
@pytest.mark.django_db(transaction=True)
def test_one_link_opened_twice_at_once_confirms_once() -> None:
    # given
    user = UserFactory(email_verified_at=None)
    token = make_email_token(user=user)
    start = threading.Barrier(2, timeout=10)
    outcomes: list[str] = []

    def confirm() -> None:
        start.wait()
        try:
            services.confirm_email(token=token)
            outcomes.append("confirmed")
        except InvalidLinkError:
            outcomes.append("refused")
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    assert sorted(outcomes) == ["confirmed", "refused"]

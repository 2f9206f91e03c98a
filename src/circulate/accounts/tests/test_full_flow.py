"""The issue's "done when": one person, through the API alone, with links read from the dev outbox."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from rest_framework.test import APIClient

from circulate.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _link_params(staff: APIClient, to: str, path: str) -> dict[str, str]:
    """Read the newest e-mail to ``to`` from the dev outbox and return its link's query parameters."""
    newest = staff.get("/api/dev/outbox/", {"to": to}).json()["results"][0]
    url = next(word for word in newest["body"].split() if f"{path}?" in word)
    assert urlsplit(url).path == path
    return dict(parse_qsl(urlsplit(url).query))


def test_register_confirm_login_refresh_change_reset_change_email_logout(
    settings: Any, api_client: APIClient, auth_client: Any, token_client: Any
) -> None:
    # given mail goes to the dev outbox, which a staff member can read
    settings.EMAIL_BACKEND = "circulate.accounts.outbox.DevOutboxBackend"
    settings.DEV_OUTBOX_ENABLED = True
    staff = auth_client(UserFactory(is_staff=True))

    # register, then confirm with the link from the outbox
    registered = api_client.post(
        "/api/auth/register/",
        {"email": "ada@example.com", "username": "ada", "full_name": "Ada", "password": "first-passphrase-1"},
        format="json",
    )
    assert registered.status_code == 201
    token = _link_params(staff, "ada@example.com", "/confirm-email/")["token"]
    assert api_client.post("/api/auth/email/confirm/", {"token": token}, format="json").json()["email_verified"]

    # log in and refresh
    pair = api_client.post("/api/auth/login/", {"login": "ada", "password": "first-passphrase-1"}, format="json").json()
    pair = api_client.post("/api/auth/token/refresh/", {"refresh": pair["refresh"]}, format="json").json()
    me = token_client(pair["access"])
    assert me.get("/api/auth/me/").json()["email"] == "ada@example.com"

    # change the password
    changed = me.post(
        "/api/auth/password/change/",
        {"old_password": "first-passphrase-1", "new_password": "second-passphrase-2"},
        format="json",
    )
    assert changed.status_code == 200
    pair = changed.json()

    # reset it with the link from the outbox
    assert api_client.post("/api/auth/password/reset/", {"email": "ada@example.com"}, format="json").status_code == 202
    reset = _link_params(staff, "ada@example.com", "/reset-password/")
    confirmed = api_client.post(
        "/api/auth/password/reset/confirm/", dict(reset, new_password="third-passphrase-3"), format="json"
    )
    assert confirmed.status_code == 200
    pair = api_client.post("/api/auth/login/", {"login": "ada", "password": "third-passphrase-3"}, format="json").json()
    me = token_client(pair["access"])

    # change the e-mail address, confirmed from the new mailbox
    asked = me.post(
        "/api/auth/email/change/", {"new_email": "ada@lovelace.org", "password": "third-passphrase-3"}, format="json"
    )
    assert asked.status_code == 202
    token = _link_params(staff, "ada@lovelace.org", "/confirm-email/")["token"]
    assert api_client.post("/api/auth/email/confirm/", {"token": token}, format="json").status_code == 200
    assert me.get("/api/auth/me/").json()["email"] == "ada@lovelace.org"

    # log out: the refresh token no longer works
    assert api_client.post("/api/auth/logout/", {"refresh": pair["refresh"]}, format="json").status_code == 204
    assert api_client.post("/api/auth/token/refresh/", {"refresh": pair["refresh"]}, format="json").status_code == 401

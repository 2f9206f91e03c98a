"""A token's user row is kept in the shared read cache: every change to the account counts at once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import Group
from rest_framework_simplejwt.tokens import AccessToken

from circulate.accounts import services
from circulate.accounts.roles import LIBRARIAN
from circulate.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ME = "/api/auth/me/"
LIBRARIANS_ONLY = "/api/partners/calls/"  # librarians and staff only


@pytest.fixture(autouse=True)
def _read_cache_on(settings: Any) -> None:
    """On, as with Redis; the suite's in-process memory cache is shared by everything a test runs."""
    settings.READ_CACHE_SECONDS = 30


def test_a_kept_user_costs_no_query(auth_client, django_assert_num_queries) -> None:
    client = auth_client(UserFactory())
    assert client.get(ME).status_code == 200
    # the profile itself is read from the user row the authentication brought
    with django_assert_num_queries(0):
        assert client.get(ME).status_code == 200


def _deactivate(user: Any) -> None:
    user.is_active = False
    user.save(update_fields=["is_active"])


def _delete(user: Any) -> None:
    user.delete()


def _change_password(user: Any) -> None:
    services.change_password(user=user, old_password=DEFAULT_PASSWORD, new_password="tr0ubadour-and-3-more-words")


# name: (a change to the signed-in account, the error code its kept access token then gets)
REFUSALS = {
    "a deactivated user": (_deactivate, "user_inactive"),
    "a deleted user": (_delete, "user_not_found"),
    "a changed password": (_change_password, "password_changed"),
}


@pytest.mark.parametrize("refusal", REFUSALS, ids=list(REFUSALS))
def test_a_change_to_the_account_refuses_its_kept_token_at_once(auth_client, refusal: str) -> None:
    # given a user whose row is kept after a first request
    user = UserFactory()
    client = auth_client(user)
    assert client.get(ME).status_code == 200
    # when the account changes
    change, code = REFUSALS[refusal]
    change(user)
    # then the very next request is refused
    response = client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == code


def test_a_role_granted_or_taken_away_counts_from_the_next_request(auth_client) -> None:
    user = UserFactory()
    client = auth_client(user)
    assert client.get(LIBRARIANS_ONLY).status_code == 403
    services.grant_role(user=user, role=LIBRARIAN)
    assert client.get(LIBRARIANS_ONLY).status_code == 200
    services.revoke_role(user=user, role=LIBRARIAN)
    assert client.get(LIBRARIANS_ONLY).status_code == 403


def test_a_removed_role_group_takes_the_role_away(auth_client) -> None:
    user = UserFactory()
    services.grant_role(user=user, role=LIBRARIAN)
    client = auth_client(user)
    assert client.get(LIBRARIANS_ONLY).status_code == 200
    # deleting the group removes its members' rows without an m2m signal; the group's delete forgets them
    Group.objects.filter(name=LIBRARIAN).delete()
    assert client.get(LIBRARIANS_ONLY).status_code == 403


def test_an_expired_token_is_refused_though_its_signature_was_checked_before(api_client) -> None:
    token = AccessToken.for_user(UserFactory())
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api_client.get(ME).status_code == 200
    # the same token string, once its lifetime has passed: the expiry is checked on every request
    with time_machine.travel(token.current_time + token.lifetime + timedelta(seconds=1)):
        response = api_client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_a_tampered_token_is_refused(api_client) -> None:
    token = str(AccessToken.for_user(UserFactory()))
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api_client.get(ME).status_code == 200
    header, payload, signature = token.split(".")
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {header}.{payload}.{signature[::-1]}")
    assert api_client.get(ME).status_code == 401

"""GET and PATCH /api/auth/me/: the public user with roles; a new username needs the password."""

from __future__ import annotations

from typing import Any

import pytest

from circulate.accounts.roles import ALL_ROLES, FLEET_MANAGER, LIBRARIAN
from circulate.accounts.tests.factories import UserFactory
from circulate.accounts.tests.helpers import PASSWORD

pytestmark = pytest.mark.django_db

ME = "/api/auth/me/"


def test_me_shows_the_public_user_with_roles(auth_client: Any) -> None:
    # given
    user = UserFactory(roles=[FLEET_MANAGER, LIBRARIAN], username="lena", full_name="Lena Librarian")
    # when
    response = auth_client(user).get(ME)
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == user.pk
    assert body["username"] == "lena"
    assert body["full_name"] == "Lena Librarian"
    assert body["email_verified"] is True
    assert body["roles"] == [LIBRARIAN, FLEET_MANAGER]
    assert body["is_staff"] is False
    assert "password" not in body


def test_a_superuser_holds_every_role(auth_client: Any) -> None:
    # given
    admin = UserFactory(is_superuser=True, is_staff=True)
    # when
    body = auth_client(admin).get(ME).json()
    # then
    assert body["roles"] == list(ALL_ROLES)
    assert body["is_staff"] is True


def test_me_runs_a_fixed_number_of_queries(auth_client: Any, django_assert_num_queries: Any) -> None:
    # given
    client = auth_client(UserFactory(roles=[LIBRARIAN]))
    # when / then: the user, then their groups
    with django_assert_num_queries(2):
        assert client.get(ME).status_code == 200


def test_me_needs_a_signed_in_user(api_client: Any) -> None:
    # when
    response = api_client.get(ME)
    # then
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_the_full_name_changes_without_a_password(auth_client: Any) -> None:
    # given
    user = UserFactory(full_name="Ada")
    # when
    response = auth_client(user).patch(ME, {"full_name": "  Augusta Ada King  "}, format="json")
    # then
    assert response.status_code == 200
    assert response.json()["full_name"] == "Augusta Ada King"
    user.refresh_from_db()
    assert user.full_name == "Augusta Ada King"


def test_the_email_cannot_be_changed_here(auth_client: Any) -> None:
    # given
    user = UserFactory(email="ada@example.com")
    # when
    response = auth_client(user).patch(ME, {"email": "eve@example.com"}, format="json")
    # then
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.email == "ada@example.com"


def test_a_new_username_with_the_password(auth_client: Any) -> None:
    # given
    user = UserFactory(username="ada")
    # when
    response = auth_client(user).patch(ME, {"username": "countess", "password": PASSWORD}, format="json")
    # then
    assert response.status_code == 200
    assert response.json()["username"] == "countess"
    user.refresh_from_db()
    assert user.username == "countess"


@pytest.mark.parametrize("password", [None, "wrong-password"])
def test_a_new_username_without_the_right_password_is_refused(auth_client: Any, password: str | None) -> None:
    # given
    user = UserFactory(username="ada")
    body = {"username": "countess"} | ({"password": password} if password else {})
    # when
    response = auth_client(user).patch(ME, body, format="json")
    # then
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["password"]
    user.refresh_from_db()
    assert user.username == "ada"


def test_the_same_username_needs_no_password(auth_client: Any) -> None:
    # given
    user = UserFactory(username="ada")
    # when
    response = auth_client(user).patch(ME, {"username": "ada", "full_name": "Ada L."}, format="json")
    # then
    assert response.status_code == 200


@pytest.mark.parametrize(("username", "message"), [("BOB", "taken"), ("bob smith", "letters"), ("a@b", "letters")])
def test_a_taken_or_malformed_username_is_refused(auth_client: Any, username: str, message: str) -> None:
    # given
    UserFactory(username="bob")
    user = UserFactory(username="ada")
    # when
    response = auth_client(user).patch(ME, {"username": username, "password": PASSWORD}, format="json")
    # then
    assert response.status_code == 400
    assert message in response.json()["errors"]["username"][0]

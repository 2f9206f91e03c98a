"""The dev outbox: e-mails stored in the database, readable by staff at GET /api/dev/outbox/."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from circulate.accounts.models import OutboxMessage
from circulate.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OUTBOX = "/api/dev/outbox/"
OUTBOX_BACKEND = "circulate.accounts.outbox.DevOutboxBackend"


@pytest.fixture
def dev_outbox(settings: Any) -> None:
    settings.EMAIL_BACKEND = OUTBOX_BACKEND
    settings.DEV_OUTBOX_ENABLED = True


def _register(api_client: Any, name: str) -> None:
    response = api_client.post(
        "/api/auth/register/",
        {"email": f"{name}@example.com", "username": name, "password": "an4lytical-engine"},
        format="json",
    )
    assert response.status_code == 201


@pytest.mark.usefixtures("dev_outbox")
def test_account_emails_land_in_the_outbox_with_text_and_html(api_client: Any) -> None:
    # when
    _register(api_client, "ada")
    # then
    assert not mail.outbox
    [message] = OutboxMessage.objects.all()
    assert message.to == ["ada@example.com"]
    assert "/confirm-email/?token=" in message.body
    assert "/confirm-email/?token=" in message.html
    assert message.html.lstrip().startswith("<!doctype html>")


@pytest.mark.usefixtures("dev_outbox")
def test_staff_read_the_outbox_newest_first(api_client: Any, auth_client: Any) -> None:
    # given
    _register(api_client, "ada")
    _register(api_client, "bob")
    # when
    response = auth_client(UserFactory(is_staff=True)).get(OUTBOX)
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    first = body["results"][0]
    assert set(first) == {"id", "to", "from_email", "subject", "body", "html", "sent_at"}
    assert [item["to"] for item in body["results"]] == [["bob@example.com"], ["ada@example.com"]]
    assert "/confirm-email/?token=" in first["body"]


@pytest.mark.usefixtures("dev_outbox")
def test_the_outbox_filters_by_recipient(api_client: Any, auth_client: Any) -> None:
    # given
    _register(api_client, "ada")
    _register(api_client, "bob")
    # when
    response = auth_client(UserFactory(is_staff=True)).get(OUTBOX, {"to": "ADA@"})
    # then
    assert [item["to"] for item in response.json()["results"]] == [["ada@example.com"]]


@pytest.mark.usefixtures("dev_outbox")
def test_only_staff_read_the_outbox(api_client: Any, auth_client: Any) -> None:
    # when
    anonymous = api_client.get(OUTBOX)
    member = auth_client(UserFactory()).get(OUTBOX)
    # then
    assert anonymous.status_code == 401
    assert member.status_code == 403
    assert member.json()["code"] == "permission_denied"


def test_the_outbox_does_not_exist_when_mail_goes_out_by_smtp(settings: Any, auth_client: Any) -> None:
    # given
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.DEV_OUTBOX_ENABLED = False
    # when
    response = auth_client(UserFactory(is_staff=True, is_superuser=True)).get(OUTBOX)
    # then
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.usefixtures("dev_outbox")
@pytest.mark.parametrize("size", [1, 15])
def test_the_outbox_list_runs_a_fixed_number_of_queries(
    auth_client: Any, django_assert_num_queries: Any, size: int
) -> None:
    # given
    OutboxMessage.objects.bulk_create(
        OutboxMessage(to=[f"user{n}@example.com"], from_email="x@example.com", subject="s", body="b")
        for n in range(size)
    )
    client = auth_client(UserFactory(is_staff=True))
    # when / then: the user, the count, the page
    with django_assert_num_queries(3):
        response = client.get(OUTBOX)
    assert response.json()["count"] == size

"""IsEmailVerified: the permission the domains put on actions that need a confirmed address."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import path
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from circulate.accounts.permissions import IsEmailVerified
from circulate.accounts.tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


class MakeOfferView(APIView):
    permission_classes = [IsAuthenticated, IsEmailVerified]

    def post(self, request: Request) -> Response:
        return Response({"ok": True}, status=201)


urlpatterns = [path("api/offers/", MakeOfferView.as_view())]


def test_a_confirmed_user_passes(auth_client: Any) -> None:
    # when
    response = auth_client(UserFactory()).post("/api/offers/")
    # then
    assert response.status_code == 201


def test_an_unconfirmed_user_gets_403_saying_what_to_do(auth_client: Any) -> None:
    # when
    response = auth_client(UserFactory(email_verified_at=None)).post("/api/offers/")
    # then
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "email_not_verified"
    assert "Confirm your e-mail address" in body["detail"]
    assert "/api/auth/email/resend/" in body["detail"]


def test_an_anonymous_caller_gets_401(api_client: Any) -> None:
    # when
    response = api_client.post("/api/offers/")
    # then
    assert response.status_code == 401

"""Fixtures of the account tests (``api_client``/``auth_client`` come from the root conftest)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from circulate.accounts.tests.helpers import PUBLIC_URL
from circulate.core.testing import CommittingClient


@pytest.fixture
def public_url(settings: Any) -> str:
    settings.PUBLIC_URL = PUBLIC_URL
    return PUBLIC_URL


@pytest.fixture
def token_client(django_capture_on_commit_callbacks: Any) -> Callable[[str], APIClient]:
    """``token_client(access)``: a client sending that access token."""

    def make(access: str) -> APIClient:
        client = CommittingClient(django_capture_on_commit_callbacks)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
        return client

    return make


@pytest.fixture
def throttle_rate(monkeypatch: pytest.MonkeyPatch) -> Callable[[str, str], None]:
    """``throttle_rate("login", "2/minute")`` for the rest of the test."""

    def set_rate(scope: str, rate: str) -> None:
        monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, scope, rate)

    return set_rate

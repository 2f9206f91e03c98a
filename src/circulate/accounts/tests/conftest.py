"""Fixtures of the account tests.

Account e-mails are sent when the transaction commits. A test runs inside one
transaction that never commits, so ``api_client`` and ``auth_client`` here run the
on-commit callbacks of every request, as a real server's commit would.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from circulate.accounts.services import issue_tokens
from circulate.accounts.tests.helpers import PUBLIC_URL, CommittingClient


@pytest.fixture
def public_url(settings: Any) -> str:
    settings.PUBLIC_URL = PUBLIC_URL
    return PUBLIC_URL


@pytest.fixture
def api_client(django_capture_on_commit_callbacks: Any) -> APIClient:
    return CommittingClient(django_capture_on_commit_callbacks)


@pytest.fixture
def auth_client(django_capture_on_commit_callbacks: Any) -> Callable[[Any], APIClient]:
    """``auth_client(user)``: a client sending a fresh access token of ``user``."""

    def make(user: Any) -> APIClient:
        client = CommittingClient(django_capture_on_commit_callbacks)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_tokens(user=user).access}")
        return client

    return make


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

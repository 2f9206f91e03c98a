from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from circulate.accounts.tests.factories import UserFactory
from circulate.library.tests.factories import BookFactory, make_librarian, member_with_card
from circulate.partners.models import PartnerBranch
from circulate.partners.tests.branch_servers import TOKEN, BranchService


@pytest.fixture(autouse=True)
def _quick_retries(settings: Any) -> None:
    settings.PARTNERS_RETRY_BACKOFF = 0.01
    settings.PARTNERS_RETRY_BACKOFF_MAX = 0.02
    settings.PARTNERS_BREAKER_THRESHOLD = 2
    settings.PARTNERS_BREAKER_COOLDOWN = 60


@pytest.fixture
def branch_service(tmp_path: Path) -> Iterator[BranchService]:
    service = BranchService(tmp_path).start()
    yield service
    service.stop()


def make_branch(url: str, *, token: str = TOKEN, code: str = "riverside", **fields: Any) -> PartnerBranch:
    fields.setdefault("connect_timeout", 0.5)
    fields.setdefault("read_timeout", 0.5)
    fields.setdefault("max_attempts", 3)
    return PartnerBranch.objects.create(name=f"{code.title()} branch", code=code, base_url=url, token=token, **fields)


@pytest.fixture
def branch(branch_service: BranchService) -> PartnerBranch:
    return make_branch(branch_service.url)


@pytest.fixture
def book() -> Any:
    return BookFactory(title="Dune")


@pytest.fixture
def alice() -> Any:
    user = UserFactory(full_name="Alice Reader")
    member_with_card(user)
    return user


@pytest.fixture
def librarian() -> Any:
    return make_librarian()

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from circulate.accounts import demo as accounts_demo
from circulate.library import demo as library_demo
from circulate.library.models import Book
from circulate.partners import demo
from circulate.partners.models import PartnerBranch
from circulate.partners.tests.branch_servers import TOKEN, BranchService

pytestmark = pytest.mark.django_db


def test_demo_registers_riverside_and_stocks_its_database_once(settings: Any, tmp_path: Path) -> None:
    # given
    settings.BRANCH_DATABASE_URL = f"sqlite:///{tmp_path / 'branch.sqlite3'}"
    settings.PARTNERS_DEMO_BRANCH_TOKEN = TOKEN
    accounts_demo.seed()
    library_demo.seed()

    # when
    first = demo.seed()
    second = demo.seed()

    # then
    branch = PartnerBranch.objects.get()
    assert (branch.name, branch.code, branch.token) == ("Riverside branch", "riverside", TOKEN)
    assert "12 title(s) stocked" in first
    assert "0 title(s) stocked" in second
    service = BranchService(tmp_path)
    isbns = list(Book.objects.order_by("title", "id").values_list("isbn", flat=True)[:12])
    held = service.call("POST", "/status/batch", json={"isbns": isbns}).json
    assert len(held["results"]) == 12
    assert {r["copies_available"] for r in held["results"]} >= {0, 1, 3}

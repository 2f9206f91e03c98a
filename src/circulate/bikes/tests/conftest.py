"""Fixtures of the bike rental's tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _media_of_this_test(settings: Any, tmp_path: Path) -> None:
    """Receipts and photos land under the test's own directory. Two xdist workers number rides from 1
    in their own databases, so with one shared MEDIA_ROOT they wrote the same ``ride-1.txt`` at once
    and a test could read the other worker's receipt."""
    settings.MEDIA_ROOT = str(tmp_path / "media")

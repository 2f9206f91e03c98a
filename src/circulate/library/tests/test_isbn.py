"""ISBN validation and normalisation."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from circulate.library.isbn import normalize_isbn


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0-553-38304-3", "9780553383041"),
        ("0306406152", "9780306406157"),
        ("080442957X", "9780804429573"),
        ("080442957x", "9780804429573"),
        ("978-0-306-40615-7", "9780306406157"),
        (" 979 10 90636 07 1 ", "9791090636071"),
    ],
)
def test_valid_isbns_are_stored_as_isbn13(raw: str, expected: str) -> None:
    assert normalize_isbn(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["0306406153", "9780306406158", "12345", "", "abcdefghij", "9770306406157", "030640615X7"],
)
def test_wrong_check_digits_and_shapes_are_refused(raw: str) -> None:
    with pytest.raises(ValidationError):
        normalize_isbn(raw)

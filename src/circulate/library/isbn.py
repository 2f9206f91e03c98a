"""ISBN-10 and ISBN-13: checksum validation and normalisation to ISBN-13."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

_SEPARATORS = re.compile(r"[\s-]")


def isbn13_check_digit(first12: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return str((10 - total % 10) % 10)


def _isbn10_is_valid(digits: str) -> bool:
    if not re.fullmatch(r"\d{9}[\dX]", digits):
        return False
    total = sum((10 - i) * (10 if d == "X" else int(d)) for i, d in enumerate(digits))
    return total % 11 == 0


def _isbn13_is_valid(digits: str) -> bool:
    return bool(re.fullmatch(r"97[89]\d{10}", digits)) and isbn13_check_digit(digits[:12]) == digits[12]


def normalize_isbn(value: str) -> str:
    """Return the ISBN-13 form of an ISBN-10 or ISBN-13 (hyphens and spaces allowed).

    Raises ``ValidationError`` when the value is not an ISBN or its check digit is wrong.
    """
    digits = _SEPARATORS.sub("", value or "").upper()
    if len(digits) == 10 and _isbn10_is_valid(digits):
        first12 = "978" + digits[:9]
        return first12 + isbn13_check_digit(first12)
    if len(digits) == 13 and _isbn13_is_valid(digits):
        return digits
    raise ValidationError("Enter a valid ISBN-10 or ISBN-13 (the check digit does not match).", code="invalid_isbn")


def validate_isbn13(value: str) -> None:
    """Model-field validator: the stored value is a valid ISBN-13."""
    if normalize_isbn(value) != value:
        raise ValidationError("Store ISBNs in their ISBN-13 form.", code="invalid_isbn")

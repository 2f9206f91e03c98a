"""Request bodies as dataclasses, validated field by field (as the seed did), each problem named."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any

ISBN = re.compile(r"^(?:\d{9}[\dX]|\d{13})$")
MEMBER_REF = re.compile(r"^[A-Za-z0-9._:@-]{1,100}$")
LIBRARY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")
MAX_PICKUP_DAYS = 30


class InvalidInputError(Exception):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__(errors)


def normalize_isbn(value: str) -> str:
    return value.replace("-", "").replace(" ", "").upper()


def _check_unknown(cls: type, data: dict[str, Any], errors: dict[str, list[str]]) -> None:
    known = {f.name for f in fields(cls)}
    for key in sorted(set(data) - known):
        errors.setdefault(key, []).append("Unknown field.")


def _body(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise InvalidInputError({"non_field_errors": ["The body must be a JSON object."]})
    return data


def _isbn(data: dict[str, Any], errors: dict[str, list[str]]) -> str:
    value = data.get("isbn")
    if value is None or value == "":
        errors["isbn"] = ["This field is required."]
        return ""
    if not isinstance(value, str) or not ISBN.match(normalize_isbn(value)):
        errors["isbn"] = ["Give an ISBN-10 or ISBN-13 (digits, hyphens allowed)."]
        return ""
    return normalize_isbn(value)


def _positive_int(data: dict[str, Any], name: str, errors: dict[str, list[str]], *, low: int, high: int) -> int:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        errors[name] = ["A whole number is required."]
        return 0
    if not low <= value <= high:
        errors[name] = [f"Give a number from {low} to {high}."]
    return value


@dataclass(frozen=True)
class ReserveRequest:
    isbn: str
    member_ref: str
    pickup_days: int | None = None
    requesting_library: str = "circulate"

    @classmethod
    def parse(cls, data: Any) -> ReserveRequest:
        data = _body(data)
        errors: dict[str, list[str]] = {}
        _check_unknown(cls, data, errors)
        isbn = _isbn(data, errors)
        member_ref = data.get("member_ref")
        if member_ref is None or member_ref == "":
            errors["member_ref"] = ["This field is required."]
        elif not isinstance(member_ref, str) or not MEMBER_REF.match(member_ref):
            errors["member_ref"] = ["1-100 letters, digits or . _ : @ -."]
        pickup_days = None
        if data.get("pickup_days") is not None:
            pickup_days = _positive_int(data, "pickup_days", errors, low=1, high=MAX_PICKUP_DAYS)
        library = data.get("requesting_library", "circulate")
        if not isinstance(library, str) or not LIBRARY.match(library):
            errors["requesting_library"] = ["1-100 lower-case letters, digits, - or _."]
        if errors:
            raise InvalidInputError(errors)
        return cls(isbn=isbn, member_ref=str(member_ref), pickup_days=pickup_days, requesting_library=str(library))


@dataclass(frozen=True)
class StockRequest:
    """What branch staff say about one title: its name and how many copies the branch owns."""

    title: str
    copies_total: int

    @classmethod
    def parse(cls, data: Any) -> StockRequest:
        data = _body(data)
        errors: dict[str, list[str]] = {}
        _check_unknown(cls, data, errors)
        title = data.get("title")
        if not isinstance(title, str) or not title.strip():
            errors["title"] = ["This field is required."]
        elif len(title) > 300:
            errors["title"] = ["At most 300 characters."]
        copies = _positive_int(data, "copies_total", errors, low=0, high=10_000)
        if errors:
            raise InvalidInputError(errors)
        return cls(title=str(title).strip(), copies_total=copies)


MAX_BATCH = 200


@dataclass(frozen=True)
class StatusBatchRequest:
    isbns: list[str]

    @classmethod
    def parse(cls, data: Any) -> StatusBatchRequest:
        data = _body(data)
        errors: dict[str, list[str]] = {}
        _check_unknown(cls, data, errors)
        value = data.get("isbns")
        isbns: list[str] = []
        if not isinstance(value, list) or not 1 <= len(value) <= MAX_BATCH:
            errors["isbns"] = [f"Give a list of 1 to {MAX_BATCH} ISBNs."]
        else:
            for item in value:
                if not isinstance(item, str) or not ISBN.match(normalize_isbn(item)):
                    errors["isbns"] = [f"Not an ISBN: {item!r}."]
                    break
                isbns.append(normalize_isbn(item))
        if errors:
            raise InvalidInputError(errors)
        return cls(isbns=sorted(set(isbns)))

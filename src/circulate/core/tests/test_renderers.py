"""The API's JSON renderer writes what REST framework's own renderer writes."""

from __future__ import annotations

import datetime
import decimal
import json
import uuid
from typing import Any

import pytest
from django.utils.translation import gettext_lazy
from rest_framework import renderers
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from circulate.core.renderers import JSONRenderer

UTC = datetime.UTC
PAYLOADS: dict[str, Any] = {
    "plain": {"id": 7, "title": "The Dispossessed", "liked_by_me": False, "rating": 4.5, "tags": ["sf", None]},
    "unicode": {"title": "Ærø — 東京 🚲", "quote": "a\u2028b\u2029c", "control": "tab\there\nnew \x01"},
    "datetimes": {
        "utc": datetime.datetime(2026, 12, 7, 13, 5, 9, 123456, tzinfo=UTC),
        "offset": datetime.datetime(2026, 12, 7, 13, 5, 9, tzinfo=datetime.timezone(datetime.timedelta(hours=2))),
        "naive": datetime.datetime(2026, 12, 7, 13, 5),
        "date": datetime.date(2026, 12, 7),
        "time": datetime.time(9, 30, 0, 250000),
        "duration": datetime.timedelta(minutes=90),
    },
    "numbers": {"decimal": decimal.Decimal("12.50"), "big": 2**53 + 1, "negative": -3, "float": 51.507351},
    "objects": {"uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"), "lazy": gettext_lazy("Not found.")},
    "keys": {7: "seven", False: "no", None: "none", 2.5: "float"},
    "collections": {"tuple": (1, 2), "set": frozenset({3}), "empty": {}, "nested": [[{"a": []}]]},
    "drf": ReturnDict({"results": ReturnList([{"id": 1}], serializer=None)}, serializer=None),
    "huge integer": {"n": 2**70},
    "list": [1, "two", {"three": 3}],
}


@pytest.mark.parametrize("name", PAYLOADS)
def test_writes_the_same_text_as_rest_frameworks_renderer(name: str) -> None:
    data = PAYLOADS[name]
    ours = JSONRenderer().render(data, "application/json", {})
    theirs = renderers.JSONRenderer().render(data, "application/json", {})
    assert ours == theirs
    assert json.loads(ours) is not None


def test_a_float_in_exponent_form_is_the_same_number_spelled_shorter() -> None:
    data = {"small": 1e-7, "large": 1.5e300}
    ours = JSONRenderer().render(data, "application/json", {})
    assert ours == b'{"small":1e-7,"large":1.5e+300}'
    assert json.loads(ours) == json.loads(renderers.JSONRenderer().render(data, "application/json", {}))


def test_indented_output_when_asked_for() -> None:
    data = {"a": [1, 2]}
    ours = JSONRenderer().render(data, "application/json; indent=2", {})
    assert ours == renderers.JSONRenderer().render(data, "application/json; indent=2", {})
    assert ours == b'{\n  "a": [\n    1,\n    2\n  ]\n}'


def test_nothing_for_no_data() -> None:
    assert JSONRenderer().render(None) == b""


def test_the_api_answers_through_it(api_client: Any) -> None:
    response = api_client.get("/api/library/books/")
    assert isinstance(response.accepted_renderer, JSONRenderer)

"""The API's JSON parser: orjson, with limits on nesting and size.

Python's ``json`` recurses once per nesting level, so a body like ``[[[…]]]`` 50,000 levels
deep ends in a RecursionError, a 500. orjson refuses anything nested deeper than 1024 levels
without recursing in Python; what it parses is then walked without recursion and refused
when nested deeper than ``JSON_MAX_DEPTH`` (32) levels: both answer 400. The smaller limit
matters, as a structure a thousand levels deep still overflows Python's stack later (its
``str()`` in a serializer field, its ``repr`` in a log line); no request of this API nests
deeper than a few levels. A body longer than
``DATA_UPLOAD_MAX_MEMORY_SIZE`` is refused with 413 before it is parsed (the request-size
middleware usually refuses it first, from its Content-Length).
"""

from __future__ import annotations

import codecs
from collections.abc import Mapping
from typing import IO, Any

import orjson
from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from circulate.core.limits import PayloadTooLarge, body_too_large_detail


def depth_of(value: Any) -> int:
    """How deep arrays and objects nest in a parsed JSON value (a scalar is 0), without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list):
            continue
        depth += 1
        deepest = max(deepest, depth)
        stack.extend((child, depth) for child in item if isinstance(child, dict | list))
    return deepest


class JSONParser(parsers.JSONParser):
    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        limit: int | None = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw: bytes = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise PayloadTooLarge(body_too_large_detail(limit))
        try:
            if codecs.lookup(encoding).name != "utf-8":
                raw = raw.decode(encoding).encode()
            data = orjson.loads(raw)
        except (LookupError, UnicodeError) as exc:
            raise ParseError(f"The body is not text in {encoding}.") from exc
        except orjson.JSONDecodeError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
        max_depth: int = settings.JSON_MAX_DEPTH
        if depth_of(data) > max_depth:
            raise ParseError(f"JSON parse error - the body nests deeper than {max_depth} levels.")
        return data

"""The API's JSON renderer: the text REST framework writes, written by orjson.

REST framework's ``JSONRenderer`` writes with Python's ``json`` and an encoder whose ``default``
runs in Python for every value ``json`` does not know. A book list of 20 rows spent more time
there than in anything else it does once its page is kept in the cache. orjson writes the same
compact JSON several times faster; what it would write differently is handed to REST framework's
own encoder, so the answer is the same text:

- datetimes, dates and times (REST framework shortens microseconds to milliseconds and writes
  UTC as ``Z``), decimals, lazy translations, querysets and anything else orjson does not write
  go through ``JSONEncoder.default``;
- U+2028 and U+2029 are escaped as REST framework escapes them (valid JSON, but not valid
  JavaScript inside a ``<script>``);
- keys that are not strings are written as ``json`` writes them (``1`` as ``"1"``).

One spelling differs: a float in exponent form is ``1e-7`` where ``json`` writes ``1e-07`` (the
same number).

A request for indented output (``Accept: application/json; indent=4``) takes REST framework's
own path, as does anything orjson refuses (an integer wider than 64 bits): the text is then
REST framework's, at its speed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from rest_framework import renderers
from rest_framework.utils.encoders import JSONEncoder

_ENCODER = JSONEncoder()
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS
_LINE_SEPARATOR = "\u2028".encode()
_PARAGRAPH_SEPARATOR = "\u2029".encode()


class JSONRenderer(renderers.JSONRenderer):
    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Mapping[str, Any] | None = None
    ) -> bytes:
        if data is None:
            return b""
        renderer_context = renderer_context or {}
        if (  # the media type is parsed only when it can ask for indentation
            "indent" in (accepted_media_type or "") or renderer_context.get("indent")
        ) and self.get_indent(accepted_media_type or "", renderer_context) is not None:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            text = orjson.dumps(data, default=_ENCODER.default, option=_OPTIONS)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        # Both separators' UTF-8 starts with 0xE2: looking for one byte is a memchr, for three a slow search.
        if b"\xe2" in text:
            text = text.replace(_LINE_SEPARATOR, b"\\u2028").replace(_PARAGRAPH_SEPARATOR, b"\\u2029")
        return text

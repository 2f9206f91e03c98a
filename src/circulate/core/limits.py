"""The 413 answer shared by the request-size middleware, the JSON parser and the error handler.

A module of its own: the parser is imported while REST framework builds APIView, before
``core.errors`` (which imports REST framework's views) can be.
"""

from __future__ import annotations

from rest_framework import exceptions, status


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"
    default_detail = "The request body is too large."


def body_too_large_detail(limit: int) -> str:
    return f"The request body is larger than {limit} bytes."

"""OpenAPI pieces every domain's endpoints share: the one error shape and example helpers."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer[Any]):
    """The one error shape of the API (documentation only; ``core.errors`` produces it)."""

    detail = serializers.CharField(help_text="A sentence a person can read.")
    code = serializers.CharField(help_text="A machine-readable reason, e.g. `invalid`, `loan_limit_reached`.")
    # Named like Serializer.errors on purpose: this class only describes the body for the schema.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per input field; empty unless the input had per-field problems.",
    )


def error_response(status: int, *examples: tuple[str, dict[str, Any]], description: str) -> OpenApiResponse:
    """An error response in the one shape, with named example bodies."""
    return OpenApiResponse(
        ErrorSerializer,
        description=description,
        examples=[
            OpenApiExample(name, value=value, response_only=True, status_codes=[str(status)])
            for name, value in examples
        ],
    )


def request_example(name: str, value: dict[str, Any]) -> OpenApiExample:
    return OpenApiExample(name, value=value, request_only=True)


def response_example(name: str, value: Any, status: int = 200) -> OpenApiExample:
    return OpenApiExample(name, value=value, response_only=True, status_codes=[str(status)])

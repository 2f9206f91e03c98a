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
    request_id = serializers.CharField(
        required=False, help_text="The request's id, as in the `X-Request-ID` header and the server's log lines."
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


DEFAULT_ERROR_DESCRIPTIONS = {
    400: "Invalid input, listed per field.",
    401: "No or invalid bearer token.",
    403: "The caller may not do this.",
    404: "Unknown, inactive, or not visible to the caller.",
    409: "Refused by a rule of the domain (the detail says why).",
}


def error_responses(
    *statuses: int,
    examples: dict[int, tuple[str, dict[str, Any]]],
    descriptions: dict[int, str] | None = None,
    conflict: str | None = None,
) -> dict[int, OpenApiResponse]:
    """Error responses in the one error shape (always with the 401), each with a domain's example body."""
    descriptions = {**DEFAULT_ERROR_DESCRIPTIONS, **(descriptions or {})}
    responses = {}
    for status in (*statuses, 401):
        description = conflict if status == 409 and conflict else descriptions[status]
        responses[status] = error_response(status, examples[status], description=description)
    return responses

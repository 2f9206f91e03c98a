"""OpenAPI pieces every domain's endpoints share: the one error shape and example helpers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
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


# --- Answers every operation can give ------------------------------------------------------------

SHARED_ANSWERS = {
    "400": "Invalid input: a malformed or too deeply nested JSON body, a bad query parameter or field.",
    "401": "No, invalid or expired credentials (an invalid bearer token is refused even where none is needed).",
    "403": "The caller may not do this (a role is missing, the e-mail is not confirmed, or the CSRF check of a "
    "session-authenticated write failed).",
    "404": "Unknown, inactive or not visible to the caller; for lists, a page past the last or a tampered cursor.",
    "413": "The request body is larger than the limit (README: Limits).",
    "415": "The body is not in a media type the operation accepts.",
    "429": "Throttled: too many requests; `Retry-After` says when to try again.",
}
UNSAFE = {"post", "put", "patch", "delete"}
ERROR_REF = {"$ref": "#/components/schemas/Error"}


SHARED_EXAMPLES = {
    "400": ("Bad input", "Invalid input: check name.", "invalid", {"name": ["This field is required."]}),
    "401": ("No credentials", "Authentication credentials were not provided.", "not_authenticated", {}),
    "403": ("Not allowed", "You do not have permission to perform this action.", "permission_denied", {}),
    "404": ("Not found", "Not found.", "not_found", {}),
    "413": ("Too large", "The request body is larger than 2621440 bytes.", "payload_too_large", {}),
    "415": ("Wrong media type", 'Unsupported media type "text/plain" in request.', "unsupported_media_type", {}),
    "429": ("Throttled", "Request was throttled. Expected available in 12 seconds.", "throttled", {}),
}


def _shared_answer(status: str) -> dict[str, Any]:
    name, detail, code, errors = SHARED_EXAMPLES[status]
    example = {"value": {"detail": detail, "code": code, "errors": errors}}
    return {
        "description": SHARED_ANSWERS[status],
        "content": {"application/json": {"schema": ERROR_REF, "examples": {name.replace(" ", ""): example}}},
    }


def _shared_statuses(method: str, operation: dict[str, Any], path: str) -> list[str]:
    params = operation.get("parameters", [])
    query = {p["name"] for p in params if p.get("in") == "query"}
    public = operation.get("security") == [{}] or {} in operation.get("security", [])
    statuses = ["401", "429"]
    if method in UNSAFE or not public:
        statuses.append("403")
    if method in UNSAFE or query:
        statuses.append("400")
    if "{" in path or query & {"page", "cursor"}:
        statuses.append("404")
    if method in UNSAFE:
        statuses += ["413", "415"] if "requestBody" in operation else ["413"]
    return statuses


def document_shared_answers(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular post-processing hook: document the answers any operation can give.

    Every status an operation may answer is in the schema (schemathesis checks it in CI):
    authentication and throttling everywhere, the CSRF and role 403s, the 400 of a bad body or
    query, the 404 of a path parameter or of a page past the last, the 413 and 415 of a body.
    An operation's own description of a status, with its examples, is kept.
    """
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for status in _shared_statuses(method, operation, path):
                responses.setdefault(status, _shared_answer(status))
    return result


def crud_schema(
    noun: str,
    read: Any,
    write: Any,
    example: dict[str, Any],
    *,
    writers: str,
    conflict: str,
    errors: Callable[..., dict[int, OpenApiResponse]],
) -> Any:
    """The schema of a resource everyone signed in reads and ``writers`` (e.g. "fleet managers") write.

    ``errors`` is the domain's helper that documents its error answers with its own examples.
    """
    return extend_schema_view(
        list=extend_schema(
            summary=f"List {noun}s",
            responses={200: read(many=True), **errors(400)},
            examples=[response_example(f"{noun.capitalize()}s", [example])],
        ),
        retrieve=extend_schema(summary=f"Read a {noun}", responses={200: read, **errors(404)}),
        create=extend_schema(
            summary=f"Add a {noun} ({writers})",
            request=write,
            responses={201: read, **errors(400, 403, 404, 409, conflict=conflict)},
            examples=[response_example("Created", example, 201)],
        ),
        update=extend_schema(
            summary=f"Change a {noun} ({writers})",
            request=write,
            responses={200: read, **errors(400, 403, 404, 409, conflict=conflict)},
        ),
        partial_update=extend_schema(
            summary=f"Change some fields of a {noun} ({writers})",
            request=write,
            responses={200: read, **errors(400, 403, 404, 409, conflict=conflict)},
        ),
        destroy=extend_schema(
            summary=f"Remove a {noun} ({writers}; soft delete)",
            responses={204: None, **errors(403, 404, 409, conflict=conflict)},
        ),
    )

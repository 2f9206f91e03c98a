"""OpenAPI pieces of the account endpoints: the error shape and its examples."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse

from circulate.core.errors import error_body
from circulate.core.schema import error_response

DESCRIPTIONS = {
    400: "Invalid input; `errors` names each field.",
    401: "Not signed in, or the credentials/token are not valid.",
    403: "Signed in but not allowed.",
    404: "Not found.",
    409: "Conflicts with the current state of the account.",
    429: "Too many requests; `Retry-After` says how many seconds to wait.",
}

THROTTLED = (
    "throttled",
    error_body("Request was throttled. Expected available in 3540 seconds.", "throttled"),
)
NOT_AUTHENTICATED = (
    "not_authenticated",
    error_body("Authentication credentials were not provided.", "not_authenticated"),
)
TOKEN_NOT_VALID = ("token_not_valid", error_body("Token is blacklisted.", "token_not_valid"))


def error(status: int, *examples: tuple[str, dict[str, Any]], description: str = "") -> OpenApiResponse:
    """An error response in the one shape, with named examples."""
    return error_response(status, *examples, description=description or DESCRIPTIONS[status])


def invalid(*fields: tuple[str, str]) -> tuple[str, dict[str, Any]]:
    """An example 400 body naming ``fields`` (field, message)."""
    errors = {field: [message] for field, message in fields}
    detail = f"Invalid input: check {', '.join(sorted(errors))}."
    return ("invalid_" + "_".join(field for field, _ in fields), error_body(detail, "invalid", errors))

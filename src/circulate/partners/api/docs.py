"""OpenAPI pieces of the partners API: its error examples."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse

from circulate.core.schema import error_responses

_ERROR_EXAMPLES: dict[int, tuple[str, dict[str, Any]]] = {
    400: (
        "Invalid input",
        {
            "detail": "Invalid input: check branch.",
            "code": "invalid",
            "errors": {"branch": ["A valid integer is required."]},
        },
    ),
    401: (
        "Not signed in",
        {"detail": "Authentication credentials were not provided.", "code": "not_authenticated", "errors": {}},
    ),
    403: (
        "Not allowed",
        {"detail": "Only librarians may reserve for another member.", "code": "permission_denied", "errors": {}},
    ),
    404: ("Unknown or not yours", {"detail": "No partner reservation with id 12.", "code": "not_found", "errors": {}}),
    409: (
        "No free copy",
        {"detail": "Riverside branch has no free copy of this book.", "code": "partner_no_copies", "errors": {}},
    ),
    503: (
        "Branch down or slow",
        {
            "detail": "Riverside branch is not answering; its circuit breaker is open.",
            "code": "partner_unavailable",
            "errors": {},
        },
    ),
}


def errors(*statuses: int) -> dict[int, OpenApiResponse]:
    return error_responses(
        *statuses,
        examples=_ERROR_EXAMPLES,
        descriptions={503: "The branch does not answer (down, slow or its breaker open)."},
    )

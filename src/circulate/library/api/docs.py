"""OpenAPI pieces shared by the library endpoints: error responses and examples."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse

from circulate.core.schema import error_responses, request_example, response_example

__all__ = ["errors", "request_example", "response_example"]

_ERROR_EXAMPLES: dict[int, tuple[str, dict[str, Any]]] = {
    400: (
        "Invalid input",
        {
            "detail": "Invalid input: check isbn.",
            "code": "invalid",
            "errors": {"isbn": ["Enter a valid ISBN-10 or ISBN-13 (the check digit does not match)."]},
        },
    ),
    401: (
        "Not signed in",
        {"detail": "Authentication credentials were not provided.", "code": "not_authenticated", "errors": {}},
    ),
    403: (
        "Not allowed",
        {
            "detail": "Only librarians and the member who added this book may edit it.",
            "code": "permission_denied",
            "errors": {},
        },
    ),
    404: ("Unknown or hidden", {"detail": "Not found.", "code": "not_found", "errors": {}}),
    409: (
        "Refused by a circulation rule",
        {
            "detail": "Alice Reader already has 3 unreturned loans; the Standard tier allows at most 3.",
            "code": "loan_limit_reached",
            "errors": {},
        },
    ),
}


def errors(*statuses: int, conflict: str | None = None) -> dict[int, OpenApiResponse]:
    """Error responses in the one error shape; ``conflict`` describes the 409 reasons."""
    return error_responses(
        *statuses,
        examples=_ERROR_EXAMPLES,
        descriptions={409: "Refused by a rule of the library (the detail says why)."},
        conflict=conflict,
    )


AUTHOR_EXAMPLE = {
    "id": 1,
    "name": "Ursula K. Le Guin",
    "created_at": "2026-01-05T09:00:00Z",
    "updated_at": "2026-01-05T09:00:00Z",
}

BOOK_EXAMPLE = {
    "id": 7,
    "title": "A Wizard of Earthsea",
    "isbn": "9780553383041",
    "authors": [{"id": 1, "name": "Ursula K. Le Guin"}],
    "description": "A young mage learns the cost of power.",
    "year": 1968,
    "copies_total": 2,
    "copies_available": 1,
    "is_available": True,
    "likes_count": 4,
    "liked_by_me": True,
    "cover": None,
    "added_by": 2,
    "created_at": "2026-01-05T09:00:00Z",
    "updated_at": "2026-01-06T10:00:00Z",
}

TIER_EXAMPLE = {
    "id": 1,
    "name": "Standard",
    "loan_limit": 3,
    "loan_period_days": 14,
    "max_renewals": 2,
    "renewal_grace_days": 0,
    "hold_limit": 5,
    "pickup_window_days": 3,
    "card_validity_days": 365,
    "self_checkout": True,
    "is_default": True,
}

CARD_EXAMPLE = {
    "number": "LIB-0042424242",
    "member": 3,
    "tier": TIER_EXAMPLE,
    "valid_until": "2027-01-05",
    "is_valid": True,
    "created_at": "2026-01-05T09:00:00Z",
    "updated_at": "2026-01-05T09:00:00Z",
}

MEMBER_EXAMPLE = {
    "id": 3,
    "name": "Alice Reader",
    "email": "alice@circulate.local",
    "phone": "+44 20 7946 0000",
    "user": 5,
    "card": CARD_EXAMPLE,
    "created_at": "2026-01-05T09:00:00Z",
    "updated_at": "2026-01-05T09:00:00Z",
}

LOAN_EXAMPLE = {
    "id": 12,
    "book": 7,
    "book_title": "A Wizard of Earthsea",
    "member": 3,
    "member_name": "Alice Reader",
    "status": "active",
    "issued_by": 2,
    "issued_at": "2026-01-06T10:00:00Z",
    "due_at": "2026-01-20T10:00:00Z",
    "returned_at": None,
    "renewals": 0,
    "renewals_left": 2,
}

RESERVATION_EXAMPLE = {
    "id": 4,
    "book": 7,
    "book_title": "A Wizard of Earthsea",
    "member": 3,
    "member_name": "Alice Reader",
    "status": "waiting",
    "position": 2,
    "ready_at": None,
    "ready_until": None,
    "closed_at": None,
    "created_at": "2026-01-06T10:00:00Z",
}

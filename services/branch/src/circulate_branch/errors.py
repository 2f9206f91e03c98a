"""Errors in Circulate's one JSON shape: ``{"detail": ..., "code": ..., "errors": {field: [...]}}``."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    status = 409
    code = "conflict"
    detail = "The request conflicts with the current state."

    def __init__(self, detail: str | None = None, *, errors: dict[str, list[str]] | None = None) -> None:
        self.detail = detail or self.detail
        self.errors = errors or {}
        super().__init__(self.detail)


class NotFoundError(ApiError):
    status = 404
    code = "not_found"
    detail = "Not found."


class NoCopiesError(ApiError):
    code = "no_copies"
    detail = "No copy of this book is free at this branch."


class IdempotencyKeyReusedError(ApiError):
    status = 422
    code = "idempotency_key_reused"
    detail = "This Idempotency-Key was used for a different reservation."


class InvalidTransitionError(ApiError):
    code = "invalid_status"


class CopiesInUseError(ApiError):
    code = "copies_in_use"


def body(detail: str, code: str, errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"detail": detail, "code": code, "errors": errors or {}}

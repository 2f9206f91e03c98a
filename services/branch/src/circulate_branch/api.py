"""The branch's HTTP API. Thin: parse, call one service function, answer JSON."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy import desc, select, text
from sqlalchemy.orm import Session, sessionmaker

from circulate_branch import services
from circulate_branch.config import Settings
from circulate_branch.errors import body
from circulate_branch.models import RequestLog
from circulate_branch.schemas import (
    ISBN,
    InvalidInputError,
    ReserveRequest,
    StatusBatchRequest,
    StockRequest,
    normalize_isbn,
)

api = Blueprint("api", __name__)
IDEMPOTENCY_KEY_MAX = 100


def _sessions() -> sessionmaker[Session]:
    return current_app.extensions["branch"]["sessions"]


def _settings() -> Settings:
    return current_app.extensions["branch"]["settings"]


def _isbn(value: str) -> str:
    isbn = normalize_isbn(value)
    if not ISBN.match(isbn):
        raise InvalidInputError({"isbn": ["Give an ISBN-10 or ISBN-13 (digits, hyphens allowed)."]})
    return isbn


@api.get("/health")
def health() -> Response:
    return jsonify({"status": "ok", "branch": _settings().name})


@api.get("/health/ready")
def ready() -> tuple[Response, int]:
    try:
        with _sessions()() as session:
            session.execute(text("SELECT 1"))
    except Exception as exc:
        return jsonify(body(f"The database does not answer: {type(exc).__name__}.", "not_ready")), 503
    return jsonify({"status": "ready", "branch": _settings().name}), 200


@api.get("/status/<isbn>")
def status(isbn: str) -> Response:
    return jsonify(services.book_status(_sessions(), isbn=_isbn(isbn)))


@api.post("/status/batch")
def status_batch() -> Response:
    parsed = StatusBatchRequest.parse(request.get_json(silent=True))
    return jsonify(services.book_statuses(_sessions(), isbns=parsed.isbns))


@api.put("/books/<isbn>")
def put_book(isbn: str) -> tuple[Response, int]:
    data, created = services.stock(
        _sessions(), isbn=_isbn(isbn), request=StockRequest.parse(request.get_json(silent=True))
    )
    return jsonify(data), 201 if created else 200


@api.post("/reserve")
def reserve() -> tuple[Response, int, dict[str, str]]:
    key = request.headers.get("Idempotency-Key") or None
    if key is not None and len(key) > IDEMPOTENCY_KEY_MAX:
        raise InvalidInputError({"Idempotency-Key": [f"At most {IDEMPOTENCY_KEY_MAX} characters."]})
    parsed = ReserveRequest.parse(request.get_json(silent=True))
    result = services.reserve(
        _sessions(), request=parsed, idempotency_key=key, default_pickup_days=_settings().pickup_days
    )
    headers = {"Location": f"/reservations/{result.reservation['id']}"}
    if result.replayed:
        headers["Idempotent-Replayed"] = "true"
    return jsonify(result.reservation), 201, headers


@api.get("/reservations/<int:reservation_id>")
def get_reservation(reservation_id: int) -> Response:
    return jsonify(services.get_reservation(_sessions(), reservation_id=reservation_id))


@api.post("/reservations/<int:reservation_id>/cancel")
def cancel(reservation_id: int) -> Response:
    return jsonify(services.cancel(_sessions(), reservation_id=reservation_id))


@api.post("/reservations/<int:reservation_id>/ready")
def mark_ready(reservation_id: int) -> Response:
    return jsonify(services.mark_ready(_sessions(), reservation_id=reservation_id))


@api.post("/reservations/<int:reservation_id>/collect")
def collect(reservation_id: int) -> Response:
    return jsonify(services.collect(_sessions(), reservation_id=reservation_id))


@api.get("/requests")
def request_log() -> Response:
    """The newest entries of the request log (``?limit=``, at most 500)."""
    try:
        limit = max(1, min(500, int(request.args.get("limit", "50"))))
    except ValueError as exc:
        raise InvalidInputError({"limit": ["A whole number is required."]}) from exc
    with _sessions()() as session:
        rows = session.scalars(select(RequestLog).order_by(desc(RequestLog.id)).limit(limit)).all()
        items: list[dict[str, Any]] = [
            {
                "method": row.method,
                "path": row.path,
                "status": row.status,
                "duration_ms": row.duration_ms,
                "client": row.client,
                "request_id": row.request_id,
                "created_at": row.created_at.isoformat(),
            }
            for row in rows
        ]
    return jsonify({"results": items})

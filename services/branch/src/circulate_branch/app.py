"""The Flask application: bearer-token auth, one error shape, and every request written to ``request_log``."""

from __future__ import annotations

import hmac
import logging
import time
from typing import Any

from flask import Flask, Response, g, jsonify, request
from sqlalchemy import Engine
from werkzeug.exceptions import HTTPException

from circulate_branch.api import api
from circulate_branch.config import Settings
from circulate_branch.db import make_engine, make_sessionmaker, migrate
from circulate_branch.docs import docs
from circulate_branch.errors import ApiError, body
from circulate_branch.models import RequestLog, utcnow
from circulate_branch.schemas import InvalidInputError

logger = logging.getLogger("circulate_branch")

# Open to anyone: probes and the API documentation. Everything else needs the bearer token.
PUBLIC_PATHS = ("/health", "/health/ready", "/openapi.json", "/docs")


def _is_public(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in PUBLIC_PATHS)


def create_app(settings: Settings | None = None, *, engine: Engine | None = None, run_migrations: bool = True) -> Flask:
    settings = settings or Settings.from_env()
    engine = engine or make_engine(settings.database_url)
    if run_migrations:
        migrate(engine)
    app = Flask(__name__)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["branch"] = {"settings": settings, "engine": engine, "sessions": make_sessionmaker(engine)}
    app.register_blueprint(api)
    app.register_blueprint(docs)
    _install_auth(app, settings)
    _install_request_log(app)
    _install_errors(app)
    return app


def _install_auth(app: Flask, settings: Settings) -> None:
    expected = f"Bearer {settings.api_token}".encode()

    @app.before_request
    def require_token() -> Any:
        if _is_public(request.path):
            return None
        given = request.headers.get("Authorization", "").encode()
        if not hmac.compare_digest(given, expected):
            response = jsonify(body("Give the branch's API token as Authorization: Bearer <token>.", "unauthorized"))
            response.status_code = 401
            response.headers["WWW-Authenticate"] = 'Bearer realm="branch"'
            return response
        return None


def _install_request_log(app: Flask) -> None:
    @app.before_request
    def start_clock() -> None:
        g.started = time.perf_counter()

    @app.after_request
    def log_request(response: Response) -> Response:
        duration_ms = int((time.perf_counter() - g.get("started", time.perf_counter())) * 1000)
        request_id = (request.headers.get("X-Request-ID") or "")[:128]
        if request_id:
            response.headers["X-Request-ID"] = request_id
        entry = RequestLog(
            method=request.method[:10],
            path=request.full_path.rstrip("?")[:500],
            status=response.status_code,
            duration_ms=duration_ms,
            client=(request.remote_addr or "")[:100],
            request_id=request_id,
            created_at=utcnow(),
        )
        try:
            with app.extensions["branch"]["sessions"]() as session, session.begin():
                session.add(entry)
        except Exception:  # the answer still goes out; the failure is in the process log
            logger.exception("could not store the request log entry for %s %s", request.method, request.path)
        return response


def _install_errors(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def api_error(exc: ApiError) -> tuple[Response, int]:
        return jsonify(body(exc.detail, exc.code, exc.errors)), exc.status

    @app.errorhandler(InvalidInputError)
    def invalid(exc: InvalidInputError) -> tuple[Response, int]:
        fields = ", ".join(sorted(exc.errors))
        return jsonify(body(f"Invalid input: check {fields}.", "invalid", exc.errors)), 422

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> tuple[Response, int]:
        code = (exc.name or "error").lower().replace(" ", "_")
        return jsonify(body(exc.description or exc.name, code)), exc.code or 500

    @app.errorhandler(Exception)
    def server_error(exc: Exception) -> tuple[Response, int]:
        logger.exception("unhandled error on %s %s", request.method, request.path)
        return jsonify(body("The branch service failed; try again later.", "server_error")), 500

"""The OpenAPI 3 document (``/openapi.json``) and Swagger UI (``/docs/``), served offline from the package."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, send_from_directory
from swagger_ui_bundle import swagger_ui_path

docs = Blueprint("docs", __name__)

SWAGGER_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Branch service API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui"});</script>
</body></html>
"""


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _json(ref: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }


ISBN_PARAM = {"name": "isbn", "in": "path", "required": True, "schema": {"type": "string", "example": "9780441013593"}}
ID_PARAM = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
ISBN_LIST = {"type": "array", "items": {"type": "string"}, "maxItems": 200}
UNAUTHORIZED = _error("No or wrong `Authorization: Bearer <BRANCH_API_TOKEN>`.")


def _transition(summary: str) -> dict[str, Any]:
    return {
        "post": {
            "summary": summary,
            "parameters": [ID_PARAM],
            "responses": {
                "200": _json("Reservation", "The reservation after the change."),
                "401": UNAUTHORIZED,
                "404": _error("No such reservation."),
                "409": _error("`invalid_status`: not allowed from the reservation's status."),
            },
        }
    }


SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {
        "title": "Circulate partner branch service",
        "version": "1.0",
        "description": "A partner branch's books and the reservations other libraries make for their members. "
        "Every request is written to the branch's request log. Errors: `{detail, code, errors}`.",
    },
    "security": [{"bearer": []}],
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Error": {
                "type": "object",
                "required": ["detail", "code", "errors"],
                "properties": {
                    "detail": {"type": "string"},
                    "code": {"type": "string", "example": "no_copies"},
                    "errors": {
                        "type": "object",
                        "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    },
                },
            },
            "Status": {
                "type": "object",
                "properties": {
                    "isbn": {"type": "string"},
                    "title": {"type": "string"},
                    "copies_total": {"type": "integer"},
                    "copies_available": {"type": "integer"},
                    "holds": {"type": "integer", "description": "Open (pending or ready) reservations."},
                    "updated_at": {"type": "string", "format": "date-time"},
                },
            },
            "ReserveRequest": {
                "type": "object",
                "required": ["isbn", "member_ref"],
                "properties": {
                    "isbn": {"type": "string", "example": "9780441013593"},
                    "member_ref": {"type": "string", "example": "circulate-member-42"},
                    "pickup_days": {"type": "integer", "minimum": 1, "maximum": 30},
                    "requesting_library": {"type": "string", "default": "circulate"},
                },
            },
            "Reservation": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "isbn": {"type": "string"},
                    "requesting_library": {"type": "string"},
                    "member_ref": {"type": "string"},
                    "status": {"type": "string", "enum": ["pending", "ready", "cancelled", "collected"]},
                    "pickup_days": {"type": "integer"},
                    "pickup_until": {"type": "string", "format": "date-time", "nullable": True},
                    "created_at": {"type": "string", "format": "date-time"},
                    "updated_at": {"type": "string", "format": "date-time"},
                },
            },
            "Stock": {
                "type": "object",
                "required": ["title", "copies_total"],
                "properties": {"title": {"type": "string"}, "copies_total": {"type": "integer", "minimum": 0}},
            },
        },
    },
    "paths": {
        "/health": {"get": {"summary": "Liveness", "security": [], "responses": {"200": {"description": "Up."}}}},
        "/health/ready": {
            "get": {
                "summary": "Readiness: the database answers",
                "security": [],
                "responses": {"200": {"description": "Ready."}, "503": _error("The database does not answer.")},
            }
        },
        "/status/{isbn}": {
            "get": {
                "summary": "Copies of one title at this branch",
                "parameters": [ISBN_PARAM],
                "responses": {
                    "200": _json("Status", "The title's copies and open holds."),
                    "401": UNAUTHORIZED,
                    "404": _error("The branch does not hold this title."),
                    "422": _error("Not an ISBN."),
                },
            }
        },
        "/status/batch": {
            "post": {
                "summary": "Copies of many titles at once (up to 200 ISBNs)",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {"isbns": {"type": "array", "items": {"type": "string"}}},
                            }
                        }
                    },
                },
                "responses": {
                    "200": {"description": "`{results: [Status], missing: [isbn]}`: titles held, and those not held."},
                    "401": UNAUTHORIZED,
                    "422": _error("Not a list of 1 to 200 ISBNs."),
                },
            }
        },
        "/books/{isbn}": {
            "put": {
                "summary": "Add a title or set how many copies the branch owns (branch staff)",
                "parameters": [ISBN_PARAM],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Stock"}}},
                },
                "responses": {
                    "200": _json("Status", "Changed."),
                    "201": _json("Status", "Added."),
                    "401": UNAUTHORIZED,
                    "409": _error("`copies_in_use`: fewer copies than are held for reservations."),
                    "422": _error("Invalid fields, each named in `errors`."),
                },
            }
        },
        "/reserve": {
            "post": {
                "summary": "Reserve one free copy for a member of the requesting library",
                "parameters": [
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "string", "maxLength": 100},
                        "description": "A retry with the same key answers the first reservation "
                        "(header `Idempotent-Replayed: true`) and never takes a second copy.",
                    }
                ],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ReserveRequest"}}},
                },
                "responses": {
                    "201": _json("Reservation", "Reserved (or the replay of the first answer to this key)."),
                    "401": UNAUTHORIZED,
                    "404": _error("The branch does not hold this title."),
                    "409": _error("`no_copies`: every copy is taken."),
                    "422": _error("Invalid fields, each named in `errors`; or `idempotency_key_reused`."),
                },
            }
        },
        "/reservations/{id}": {
            "get": {
                "summary": "One reservation",
                "parameters": [ID_PARAM],
                "responses": {
                    "200": _json("Reservation", "The reservation."),
                    "401": UNAUTHORIZED,
                    "404": _error("No such reservation."),
                },
            }
        },
        "/reservations/{id}/cancel": _transition("Cancel: the copy returns to the shelf (again: no change)"),
        "/reservations/{id}/ready": _transition("Branch staff: the copy waits on the hold shelf until pickup_until"),
        "/reservations/{id}/collect": _transition("Branch staff: the member collected the copy"),
        "/requests": {
            "get": {
                "summary": "The newest entries of the request log",
                "parameters": [
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "default": 50, "maximum": 500}}
                ],
                "responses": {
                    "200": {
                        "description": "`{results: [{method, path, status, duration_ms, client, created_at, ...}]}`"
                    },
                    "401": UNAUTHORIZED,
                },
            }
        },
    },
}


@docs.get("/openapi.json")
def openapi() -> Response:
    return jsonify(SPEC)


@docs.get("/docs/")
def swagger() -> Response:
    return Response(SWAGGER_PAGE, mimetype="text/html")


@docs.get("/docs/<path:filename>")
def swagger_asset(filename: str) -> Response:
    return send_from_directory(str(swagger_ui_path), filename)

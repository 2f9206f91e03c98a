"""Log lines that carry the request id: a filter for every handler and the two formats of ``LOG_FORMAT``.

``RequestContextFilter`` copies the execution context (``core.context``: the request id, the
client's address, the acting task) onto each record, so every line written while a request
or a task runs names it, whoever logs it (Django, a library, our code). ``JsonFormatter``
writes one JSON object per line (the production profile); ``TextFormatter`` a readable
line (development). Extra fields passed with ``logger.info(..., extra={...})`` appear as keys.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from circulate.core import context

# The attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "request_id",
    "client_ip",
    "actor",
    "taskName",
}


class RequestContextFilter(logging.Filter):
    """Adds ``request_id``, ``client_ip`` and ``actor`` from the execution context to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        current = context.current()
        if not getattr(record, "request_id", ""):
            record.request_id = current.request_id
        if not hasattr(record, "client_ip"):
            record.client_ip = current.client_ip
        if not hasattr(record, "actor"):
            record.actor = current.actor_label
        return True


def extra_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The fields passed with ``extra=`` (method, path, status, duration_ms, ...)."""
    return {key: value for key, value in vars(record).items() if key not in _STANDARD_ATTRIBUTES}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, the extra fields, the traceback."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or None,
        }
        line.update(extra_fields(record))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """A readable line: ``time LEVEL logger [request id] message key=value ...``."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", "")
        record.request_id = request_id or "-"
        try:
            text = super().format(record)
        finally:
            record.request_id = request_id
        # Celery's own lines repeat their message as a ``data`` dict: useful in JSON, noise here.
        extras = {key: value for key, value in extra_fields(record).items() if key != "data"}
        if extras:
            first, newline, rest = text.partition("\n")
            pairs = " ".join(f"{key}={value}" for key, value in extras.items())
            text = f"{first} {pairs}{newline}{rest}"
        return text

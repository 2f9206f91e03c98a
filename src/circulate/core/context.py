"""What the code is running for: the request id, the client's address, or the task that acts.

Set once at the edge (``RequestContextMiddleware`` for HTTP, ``acting_as`` in Celery tasks
and management commands) and read wherever it is needed (audit entries, log lines)
without passing it through every call. Context variables follow the code into
``sync_to_async`` threads and asyncio tasks, so ASGI and WSGI behave the same.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Iterator
from contextvars import ContextVar, Token
from dataclasses import dataclass, replace
from typing import Any

# A request id taken from a trusted proxy's X-Request-ID must look like one; anything else is replaced.
REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
SYSTEM = "system"


@dataclass(frozen=True)
class ExecutionContext:
    request_id: str = ""
    client_ip: str | None = None
    # Who acts when no user does: "task:<name>", "command:<name>", or "system".
    actor_label: str = SYSTEM


# The default is a frozen dataclass: nothing can mutate it.
_current: ContextVar[ExecutionContext] = ContextVar(
    "circulate_execution_context",
    default=ExecutionContext(),  # noqa: B039
)


def current() -> ExecutionContext:
    return _current.get()


@contextlib.contextmanager
def bound(**changes: Any) -> Iterator[ExecutionContext]:
    """Run a block with some fields of the context replaced; the previous context comes back after."""
    context = replace(current(), **changes)
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


def enter(**changes: Any) -> Token[ExecutionContext]:
    """Replace fields of the context until :func:`leave` (for hooks that cannot wrap a block, e.g. Celery signals)."""
    return _current.set(replace(current(), **changes))


def leave(token: Token[ExecutionContext]) -> None:
    _current.reset(token)


def acting_as(label: str, *, request_id: str | None = None) -> contextlib.AbstractContextManager[ExecutionContext]:
    """Name the task or command that acts in this block (its audit entries carry the name)."""
    changes: dict[str, Any] = {"actor_label": label}
    if request_id is not None:
        changes["request_id"] = request_id
    return bound(**changes)


def new_request_id() -> str:
    return uuid.uuid4().hex


def valid_request_id(value: str | None) -> str | None:
    """``value`` when it can serve as a request id, else None."""
    if value and REQUEST_ID_PATTERN.match(value):
        return value
    return None

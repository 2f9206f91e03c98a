"""Load the permission matrix (every ``*.yaml`` beside this module) and run one cell of it.

Each file is a list of rows, one per API operation::

    - op: POST /api/library/loans/{id}/renew/
      object: loan                 # fills {id} (or {book_id}, ...); optional for paths without one
      body: {book: $book}          # optional; $name is the id of a world object
      format: json                 # or multipart ($png is a small PNG upload)
      expect: {anonymous: 401, unconfirmed: 404, member: 200, other_member: 404, ...}
      lists: loan                  # optional, for a list: the object must be in the answer of...
      visible_to: [member, librarian, staff]   # ...exactly these callers (among those answered 200)

``expect`` names the status every caller of ``world.CALLERS`` gets; ``"*"`` gives the status
of the callers a row does not name. One file per domain, so that branches add theirs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from circulate.core.tests.permission_matrix.world import CALLERS, World, png

HERE = Path(__file__).parent
PARAMETER = re.compile(r"\{[a-z_]+\}")  # the one path parameter of an operation: {id}, {book_id}


@dataclass(frozen=True)
class Row:
    source: str
    method: str
    path: str
    object: str | None
    body: Any
    format: str
    expect: dict[str, int]
    lists: str | None = None
    visible_to: tuple[str, ...] = ()

    @property
    def operation(self) -> str:
        return f"{self.method} {self.path}"

    def status_for(self, caller: str) -> int:
        if caller in self.expect:
            return self.expect[caller]
        if "*" in self.expect:
            return self.expect["*"]
        raise KeyError(f"{self.operation} ({self.source}) has no cell for {caller!r} and no '*'")


def load_rows() -> list[Row]:
    rows: list[Row] = []
    for source in sorted(HERE.glob("*.yaml")):
        for raw in yaml.safe_load(source.read_text()) or []:
            method, path = raw["op"].split(" ", 1)
            rows.append(
                Row(
                    source=source.name,
                    method=method.upper(),
                    path=path,
                    object=raw.get("object"),
                    body=raw.get("body"),
                    format=raw.get("format", "json"),
                    expect={str(k): int(v) for k, v in (raw.get("expect") or {}).items()},
                    lists=raw.get("lists"),
                    visible_to=tuple(raw.get("visible_to") or ()),
                )
            )
    return rows


def _fill(value: Any, world: World) -> Any:
    if isinstance(value, str) and value.startswith("$"):
        name = value[1:]
        return png() if name == "png" else world.objects[name]
    if isinstance(value, dict):
        return {key: _fill(item, world) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, world) for item in value]
    return value


def client_for(world: World, caller: str) -> APIClient:
    client = APIClient()
    if caller != "anonymous":
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(world.users[caller])}")
    return client


def run_cell(row: Row, caller: str, world: World) -> Any:
    """The answer ``caller`` gets to ``row``'s request against the objects of ``world``."""
    path = row.path
    if PARAMETER.search(path):
        assert row.object, f"{row.operation} needs an object for its {PARAMETER.search(path)}"
        path = PARAMETER.sub(str(world.objects[row.object]), path)
    client = client_for(world, caller)
    body = _fill(row.body, world)
    method = getattr(client, row.method.lower())
    if row.method == "GET":
        return method(path, body or {})
    return method(path, body, format=row.format) if body is not None else method(path, format="json")


__all__ = ["CALLERS", "Row", "load_rows", "run_cell"]

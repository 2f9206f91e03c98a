"""Real servers on loopback ports for the partner tests: the Flask branch service, one that never
answers, one that answers 5xx, and a way to drop the connection after the branch has answered."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

from circulate_branch import create_app
from circulate_branch.config import Settings
from circulate_branch.db import make_engine

TOKEN = "partners-test-token"
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class LoopbackServer:
    """A threaded WSGI server on 127.0.0.1 that can be stopped and started again on the same port."""

    def __init__(self, app: WSGIApp, port: int = 0) -> None:
        self.app = app
        self.port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LoopbackServer:
        self._server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            assert self._thread is not None
            self._thread.join()
            self._server = None


class BranchService(LoopbackServer):
    """The real branch service (services/branch) on its own SQLite file."""

    def __init__(self, var_dir: Path) -> None:
        engine = make_engine(f"sqlite:///{var_dir / 'branch.sqlite3'}")
        self.flask = create_app(Settings(database_url=str(engine.url), api_token=TOKEN), engine=engine)
        self.drop_next_reserve = False
        super().__init__(self._wsgi)

    def _wsgi(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if self.drop_next_reserve and environ["REQUEST_METHOD"] == "POST" and environ["PATH_INFO"] == "/reserve":
            # The branch does the work and commits, then the connection drops before the answer arrives.
            self.drop_next_reserve = False
            list(self.flask(environ, lambda *args: None))
            connection: socket.socket = environ["werkzeug.socket"]
            connection.shutdown(socket.SHUT_RDWR)
            connection.close()
            return []
        return self.flask(environ, start_response)  # type: ignore[no-any-return]

    def client(self) -> Any:
        return self.flask.test_client()

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.client().open(path, method=method, headers={"Authorization": f"Bearer {TOKEN}"}, **kwargs)

    def stock(self, isbn: str, copies: int, title: str = "A book") -> None:
        response = self.call("PUT", f"/books/{isbn}", json={"title": title, "copies_total": copies})
        assert response.status_code in (200, 201), response.json

    def status(self, isbn: str) -> dict[str, Any]:
        return self.call("GET", f"/status/{isbn}").json  # type: ignore[no-any-return]


def answering(status: int) -> tuple[WSGIApp, list[str]]:
    """An app answering ``status`` to everything; the list records the paths asked."""
    seen: list[str] = []

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        seen.append(environ["PATH_INFO"])
        start_response(f"{status} Failing", [("Content-Type", "application/json")])
        return [b'{"detail": "broken", "code": "server_error", "errors": {}}']

    return app, seen


class SilentServer:
    """Accepts connections and never answers: a branch too slow for any read timeout."""

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(64)
        self.port = self._socket.getsockname()[1]
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._socket.accept()
            except OSError:
                return
            self._held.append(connection)

    def stop(self) -> None:
        self._socket.close()
        for connection in self._held:
            connection.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])

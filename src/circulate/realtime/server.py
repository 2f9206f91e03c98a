"""The uvicorn worker of the WebSocket tier (``deploy/gunicorn_ws.conf.py``).

Per-message deflate is off. Every frame this tier sends is a small JSON object (an event
of a few hundred bytes, an unread count), which deflate barely shrinks; compressing it
costs CPU for each socket on every event, and each socket that negotiated deflate keeps its
own zlib state (tens of KiB). Clients that offer the extension are answered without it.
"""

from typing import Any

from uvicorn_worker import UvicornWorker

UVICORN_SETTINGS: dict[str, Any] = {"ws_per_message_deflate": False}


class WebSocketWorker(UvicornWorker):
    CONFIG_KWARGS = {**UvicornWorker.CONFIG_KWARGS, **UVICORN_SETTINGS}

"""gunicorn for the WebSocket tier: uvicorn workers serving ``circulate.asgi:application``.

nginx sends only ``/ws/`` here; ordinary HTTP goes to the WSGI tier (``gunicorn.conf.py``).
Workers are not recycled by request count: a restart would drop every open socket (the
console reconnects and replays what it missed, but there is no reason to force it).
"""

import gc
import multiprocessing
import os
import tempfile

bind = os.environ.get("GUNICORN_WS_BIND", "0.0.0.0:8001")
worker_class = "circulate.realtime.server.WebSocketWorker"
workers = int(os.environ.get("WS_CONCURRENCY", multiprocessing.cpu_count()))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
backlog = 2048
# Off by default: the application writes one line per request itself (logger circulate.request, JSON in
# production, with the request id and user); GUNICORN_ACCESS_LOG=- adds gunicorn's plain-text access log.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "") or None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")

# Prometheus multi-process mode: every worker writes its metrics under this directory and
# /metrics adds them up, whichever worker answers. A fresh directory per server unless the
# deployment names one (it must then be emptied before the server starts, and not shared
# with processes of another container: file names are process ids).
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="circulate-metrics-ws-"))


def child_exit(server: object, worker: object) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]


# Garbage collection: freeze what the worker holds once it has started (Django, Channels, every
# model), so that a full collection, which walks every tracked object, no longer stalls every
# socket of the worker by 75-100 ms (see gunicorn.conf.py).
def post_worker_init(worker: object) -> None:
    gc.freeze()

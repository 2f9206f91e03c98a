"""gunicorn for the HTTP tier: WSGI (``circulate.wsgi:application``) behind nginx.

Measured on two cores (README, "Production topology"): the same views serve 1.3 to 2 times the
requests per second under WSGI workers that they serve under uvicorn workers, because an
ASGI server runs each synchronous Django view through a thread hand-off. WebSockets need
ASGI, so they have their own tier (``gunicorn_ws.conf.py``) and nginx routes ``/ws/`` there.
nginx buffers requests and responses, so synchronous workers never wait on a slow client.
"""

import multiprocessing
import os
import tempfile

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
# A deep accept queue: under a burst, requests wait for a worker instead of being refused.
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
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="circulate-metrics-http-"))


def child_exit(server: object, worker: object) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]

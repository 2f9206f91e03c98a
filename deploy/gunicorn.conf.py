"""gunicorn for the HTTP tier: WSGI (``circulate.wsgi:application``) behind nginx.

Measured on two cores (README, "Production topology"): the same views serve 1.3 to 2 times the
requests per second under WSGI workers that they serve under uvicorn workers, because an
ASGI server runs each synchronous Django view through a thread hand-off. WebSockets need
ASGI, so they have their own tier (``gunicorn_ws.conf.py``) and nginx routes ``/ws/`` there.
nginx buffers requests and responses, so synchronous workers never wait on a slow client.
"""

import gc
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
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "50000"))
max_requests_jitter = 5000
# The application is imported once, in the master, and each worker is forked from it: a worker
# recycled after max_requests is serving again in milliseconds. Without it each recycled worker
# imported Django anew, about a second on a busy machine, and every request queued on it waited
# that long (bench.http: p99 0.9 s at 32 clients, against 22 ms with no recycling). Nothing opens
# a connection at import: the database pool, Redis and the broker connect on first use, in the worker.
preload_app = True
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


# Garbage collection: a full collection walks every tracked object, and a worker starts with ~150,000
# of them (Django, DRF, every model and view), so each one stalled a request by 75-100 ms on this
# machine, a tail of its own in the request times. Objects that exist when the worker starts live
# as long as the worker: freeze them (Python moves them out of the collected generations) in the
# master before each fork, which also keeps their pages shared with the master, and in the worker
# once it has started, for what it built on its own.
def pre_fork(server: object, worker: object) -> None:
    gc.freeze()


def post_worker_init(worker: object) -> None:
    gc.freeze()

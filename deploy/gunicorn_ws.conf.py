"""gunicorn for the WebSocket tier: uvicorn workers serving ``circulate.asgi:application``.

nginx sends only ``/ws/`` here; ordinary HTTP goes to the WSGI tier (``gunicorn.conf.py``).
Workers are not recycled by request count: a restart would drop every open socket (the
console reconnects and replays what it missed, but there is no reason to force it).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_WS_BIND", "0.0.0.0:8001")
worker_class = "uvicorn_worker.UvicornWorker"
workers = int(os.environ.get("WS_CONCURRENCY", multiprocessing.cpu_count()))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
backlog = 2048
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")

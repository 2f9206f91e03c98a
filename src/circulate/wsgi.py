"""WSGI entry point (HTTP only; the ASGI application also serves WebSockets)."""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "circulate.settings")

application = get_wsgi_application()

# Import the URLconf, and with it every view, serializer and filter module, now rather than on
# the first request. gunicorn loads this module in its master (``preload_app``), so the workers
# it forks start with all of that in memory; otherwise each worker's first request (after every
# start and every recycle) took ~150 ms more, a tail in the request times it serves.
get_resolver().url_patterns  # noqa: B018 - evaluated for its effect: the import

"""The API docs pages (Swagger UI, Redoc), served so that they never reach off the machine.

Their scripts and styles come from drf-spectacular-sidecar (the app's static files), Redoc's
page is our template without Google's web fonts, and Swagger UI's online validator is off.
Redoc's bundle still hard-codes an image from its vendor's CDN (the "API docs by Redocly"
logo); a Content-Security-Policy that allows only this origin (and ``data:``/``blob:``) keeps
the browser from ever requesting it, and anything else a future bundle may add.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView
from rest_framework.request import Request
from rest_framework.response import Response

OFFLINE_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' blob:",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "frame-ancestors 'self'",
    ]
)


class _Offline:
    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        response["Content-Security-Policy"] = OFFLINE_CSP
        return response


class OfflineSwaggerView(_Offline, SpectacularSwaggerView):
    pass


class OfflineRedocView(_Offline, SpectacularRedocView):
    template_name = "core/redoc.html"

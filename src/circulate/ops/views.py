"""``/metrics`` for Prometheus, to a bearer of ``METRICS_TOKEN`` or an address in ``METRICS_ALLOWED_IPS``."""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_PLAIN_0_0_4

from circulate.core.errors import error_body
from circulate.ops import metrics


def _bearer_ok(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    offered = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(offered.encode(), f"Bearer {token}".encode())


def _address_ok(request: HttpRequest) -> bool:
    # The direct peer only, never X-Forwarded-For: a forwarded address can be made up by anyone.
    try:
        peer = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(peer in ipaddress.ip_network(allowed, strict=False) for allowed in settings.METRICS_ALLOWED_IPS)


@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not (_bearer_ok(request) or _address_ok(request)):
        if settings.METRICS_TOKEN:
            body = error_body("Send the metrics token: Authorization: Bearer <METRICS_TOKEN>.", "not_authenticated")
            return JsonResponse(body, status=401, headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
        return JsonResponse(error_body("Metrics are not served to this address.", "permission_denied"), status=403)
    # The classic text format (0.0.4): what generate_latest writes and every Prometheus version reads.
    return HttpResponse(metrics.exposition(), content_type=CONTENT_TYPE_PLAIN_0_0_4)

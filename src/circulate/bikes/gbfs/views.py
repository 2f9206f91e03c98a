"""GBFS v3.0 under /gbfs/v3/: public, no authentication, cacheable for the feed's ttl.

``gbfs.json`` lists every feed with absolute URLs; ``manifest.json`` lists the datasets and
versions this server publishes. Each answer is ``{last_updated, ttl, version, data}`` with
``Cache-Control: public, max-age=<ttl>`` and ``Access-Control-Allow-Origin: *`` (trip
planners fetch feeds from other origins).
"""

from __future__ import annotations

from typing import Any

import orjson
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from circulate.bikes.gbfs import feeds


def _ttl(name: str) -> int:
    return settings.GBFS_REALTIME_TTL if name in feeds.REALTIME else settings.GBFS_STATIC_TTL


def _answer(name: str, data: dict[str, Any]) -> HttpResponse:
    ttl = _ttl(name)
    body = {"last_updated": feeds.timestamp(timezone.now()), "ttl": ttl, "version": feeds.VERSION, "data": data}
    # orjson writes datetimes as RFC 3339 and UUIDs as strings itself, several times faster than json:
    # vehicle_status lists every docked bike.
    response = HttpResponse(orjson.dumps(body, option=orjson.OPT_OMIT_MICROSECONDS), content_type="application/json")
    response["Cache-Control"] = f"public, max-age={ttl}"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _url(request: HttpRequest, name: str) -> str:
    return request.build_absolute_uri(reverse("gbfs:feed", args=[name]))


@require_safe
def discovery(request: HttpRequest) -> HttpResponse:
    names = ["system_information", *(name for name in feeds.FEEDS if name != "system_information")]
    return _answer("gbfs", {"feeds": [{"name": name, "url": _url(request, name)} for name in names]})


@require_safe
def manifest(request: HttpRequest) -> HttpResponse:
    discovery_url = request.build_absolute_uri(reverse("gbfs:discovery"))
    versions = [{"version": feeds.VERSION, "url": discovery_url}]
    return _answer("manifest", {"datasets": [{"system_id": settings.BIKES_SYSTEM_ID, "versions": versions}]})


@require_safe
def feed(request: HttpRequest, name: str) -> HttpResponse:
    build = feeds.FEEDS.get(name)
    if build is None:
        raise Http404(f"No GBFS feed {name}.")
    return _answer(name, build())

"""The bike fleet's shared read cache: the bike lists and a bike's detail, kept once for every caller.

Every caller sees the same bike rows (type, station, status, range, photo link), so the list
and the detail are kept under the fleet's generation (``core/read_cache.py``: how answers are
kept and forgotten). The model signals cover every ``save()``, ``delete()``, soft delete and
restore of bikes, stations and vehicle types; the services call :data:`FLEET`'s
``changed()`` beside their conditional ``UPDATE`` statements (a bike taken for a ride, docked
again, sent to maintenance or removed). A bike's photo link is signed for
``AWS_QUERYSTRING_EXPIRE`` seconds (300) in S3, longer than an answer is kept
(``READ_CACHE_SECONDS``, 30 with Redis).
"""

from __future__ import annotations

from circulate.bikes.models import Bike, Station, VehicleType
from circulate.core.read_cache import Generation

FLEET = Generation("bikes:fleet")
FLEET.follow(Bike, Station, VehicleType)


def changed() -> None:
    """What a bike row shows changed: forget the kept lists and details."""
    FLEET.changed()

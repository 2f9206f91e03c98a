"""What a ride costs, in the GBFS ``system_pricing_plans`` model. A pure function: no database.

Total = ``price`` (once per trip) + every ``per_min_pricing`` segment's charges. A segment
charges its ``rate`` at each minute mark ``start``, ``start + interval``, ``start + 2 interval``,
... that lies before its ``end`` (exclusive, when given) and that the ride has reached;
``interval`` 0 charges once, at ``start``. A mark is reached at whole minutes: a ride of
59 min 59 s has reached mark 30 but not mark 60, and mark 0 is reached at once.

A fare cap ``{duration, price}`` limits what each consecutive ``duration``-minute period of
the ride costs (0 to 720, 720 to 1440, ... for a 720-minute cap); the unlock ``price`` counts
in the first period. Money is exact ``Decimal`` and is rounded half-up to the currency's
minor unit once, at the end.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import get_currency_precision


@dataclass(frozen=True)
class Segment:
    start: int
    rate: Decimal
    interval: int
    end: int | None = None

    def marks_reached(self, minutes: int) -> list[int]:
        """The minute marks this segment charges for a ride that has reached ``minutes`` whole minutes."""
        last = minutes if self.end is None else min(minutes, self.end - 1)
        if last < self.start:
            return []
        if self.interval == 0:
            return [self.start]
        return list(range(self.start, last + 1, self.interval))


@dataclass(frozen=True)
class FareCap:
    duration: int  # minutes
    price: Decimal


@dataclass(frozen=True)
class Plan:
    currency: str
    price: Decimal
    segments: tuple[Segment, ...] = ()
    cap: FareCap | None = None


def minor_unit(currency: str) -> Decimal:
    """The smallest amount of ``currency``: 0.01 for EUR, 1 for JPY, 0.001 for BHD (CLDR data)."""
    return Decimal(1).scaleb(-get_currency_precision(currency))


def trip_cost(plan: Plan, duration_seconds: int) -> Decimal:
    """The cost of a ride of ``duration_seconds`` under ``plan``, rounded to the currency's minor unit."""
    if duration_seconds < 0:
        raise ValueError("A ride cannot last less than nothing.")
    minutes = duration_seconds // 60
    # What each minute mark costs, summed over the segments.
    charges: dict[int, Decimal] = defaultdict(Decimal)
    for segment in plan.segments:
        for mark in segment.marks_reached(minutes):
            charges[mark] += segment.rate
    if plan.cap is None or plan.cap.duration <= 0:
        total = plan.price + sum(charges.values(), Decimal(0))
    else:
        periods: dict[int, Decimal] = defaultdict(Decimal)
        periods[0] += plan.price
        for mark, amount in charges.items():
            periods[mark // plan.cap.duration] += amount
        total = sum((min(amount, plan.cap.price) for amount in periods.values()), Decimal(0))
    # GBFS allows negative rates (discounts); a ride never costs less than nothing.
    return max(total, Decimal(0)).quantize(minor_unit(plan.currency), rounding=ROUND_HALF_UP)


def parse_segments(raw: object) -> tuple[Segment, ...]:
    """``per_min_pricing`` as stored and sent: a list of {start, rate, interval, end?}; ValueError when malformed."""
    if not isinstance(raw, list):
        raise ValueError("per_min_pricing must be a list of segments.")
    segments = []
    for index, item in enumerate(raw):
        where = f"segment {index + 1}"
        if not isinstance(item, dict) or not {"start", "rate", "interval"} <= set(item):
            raise ValueError(f"{where} needs start, rate and interval (and may have end).")
        unknown = set(item) - {"start", "rate", "interval", "end"}
        if unknown:
            raise ValueError(f"{where} has unknown keys: {', '.join(sorted(unknown))}.")
        try:
            start, interval = int(item["start"]), int(item["interval"])
            end = None if item.get("end") is None else int(item["end"])
            rate = Decimal(str(item["rate"]))
        except (TypeError, ValueError, ArithmeticError):
            raise ValueError(f"{where}: start, interval and end are whole minutes and rate a number.") from None
        if start < 0 or interval < 0 or (end is not None and end <= start):
            raise ValueError(f"{where}: start and interval cannot be negative, and end must come after start.")
        if not rate.is_finite() or abs(rate) > Decimal("100000") or rate.as_tuple().exponent < -4:  # type: ignore[operator]
            raise ValueError(f"{where}: the rate must be a number with at most 4 decimals.")
        segments.append(Segment(start=start, rate=rate, interval=interval, end=end))
    return tuple(segments)


def segments_as_json(segments: tuple[Segment, ...]) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for segment in segments:
        item: dict[str, object] = {"start": segment.start, "rate": str(segment.rate), "interval": segment.interval}
        if segment.end is not None:
            item["end"] = segment.end
        out.append(item)
    return out


def plan_from_terms(terms: dict[str, object]) -> Plan:
    """The plan a ride was started under, from the terms stored on the rental."""
    cap = terms.get("fare_cap")
    return Plan(
        currency=str(terms["currency"]),
        price=Decimal(str(terms["price"])),
        segments=parse_segments(terms.get("per_min_pricing", [])),
        cap=FareCap(duration=int(cap["duration"]), price=Decimal(str(cap["price"]))) if isinstance(cap, dict) else None,
    )

"""The car-characteristics filter shape shared by offers and dealership preferences, validated and as SQL.

Criteria (an offer's wanted car, a dealership's taste)::

    {"makes": ["Toyota"], "models": ["Corolla"], "body_types": ["sedan"], "fuels": ["hybrid"],
     "transmissions": ["automatic"], "drives": ["fwd"], "year_min": 2019, "year_max": 2024}

Every key is optional; an empty list or a missing key matches everything. Preferences add
``price_max`` (the most the dealership pays a supplier for one unit), ``target_stock``
(``{"<car model id>": units}``) and ``default_target`` (units of every other matching model,
default 0: a dealership buys only what its targets name unless it sets a default).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Q

from circulate.core.errors import InvalidInputError
from circulate.dealership.models import CarModel

LIST_KEYS: dict[str, tuple[str, list[str] | None]] = {
    "makes": ("make__iexact", None),
    "models": ("model__iexact", None),
    "body_types": ("body_type", list(CarModel.BodyType.values)),
    "fuels": ("fuel", list(CarModel.Fuel.values)),
    "transmissions": ("transmission", list(CarModel.Transmission.values)),
    "drives": ("drive", list(CarModel.Drive.values)),
}
YEAR_KEYS = ("year_min", "year_max")
CRITERIA_KEYS = (*LIST_KEYS, *YEAR_KEYS)
PREFERENCE_KEYS = (*CRITERIA_KEYS, "price_max", "target_stock", "default_target")
MAX_TARGET = 1000


def _fail(field: str, message: str) -> InvalidInputError:
    return InvalidInputError(message, field=field)


def _whole(value: Any, key: str, field: str, *, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _fail(field, f"{key} must be a whole number from {low} to {high}.")
    return value


def clean_criteria(data: Any, *, field: str = "criteria", allowed: tuple[str, ...] = CRITERIA_KEYS) -> dict[str, Any]:
    """The criteria in their normal form (sorted unique lists, no empty keys); a 400 naming what is wrong."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise _fail(field, 'Give an object such as {"makes": ["Toyota"], "year_min": 2020}.')
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise _fail(field, f"Unknown key(s) {', '.join(unknown)}; use {', '.join(allowed)}.")
    clean: dict[str, Any] = {}
    for key, (_, choices) in LIST_KEYS.items():
        values = data.get(key)
        if values in (None, []):
            continue
        if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
            raise _fail(field, f"{key} must be a list of names.")
        if choices is not None and (bad := sorted(set(values) - set(choices))):
            raise _fail(field, f"{key}: unknown {', '.join(bad)}; choose from {', '.join(choices)}.")
        clean[key] = sorted({v.strip() for v in values})
    for key in YEAR_KEYS:
        if data.get(key) is not None:
            clean[key] = _whole(data[key], key, field, low=1886, high=2100)
    if clean.get("year_min", 0) > clean.get("year_max", 9999):
        raise _fail(field, "year_min is after year_max.")
    return clean


def clean_preferences(data: Any) -> dict[str, Any]:
    """A dealership's preferences: criteria plus ``price_max``, ``target_stock`` and ``default_target``."""
    field = "preferences"
    clean = clean_criteria(data, field=field, allowed=PREFERENCE_KEYS)
    assert isinstance(data, dict) or not clean
    data = data or {}
    if data.get("price_max") is not None:
        try:
            price_max = Decimal(str(data["price_max"]))
        except InvalidOperation:
            raise _fail(field, 'price_max must be an amount such as "30000.00".') from None
        if not price_max.is_finite() or price_max <= 0:
            raise _fail(field, "price_max must be more than 0.")
        clean["price_max"] = str(price_max.quantize(Decimal("0.01")))
    targets = data.get("target_stock")
    if targets is not None:
        if not isinstance(targets, dict):
            raise _fail(field, 'target_stock maps car model ids to units, e.g. {"12": 3}.')
        clean_targets: dict[str, int] = {}
        for key, units in targets.items():
            if not str(key).isdigit() or int(key) < 1:
                raise _fail(field, f"target_stock: {key!r} is not a car model id.")
            clean_targets[str(int(key))] = _whole(units, f"target_stock[{key}]", field, low=0, high=MAX_TARGET)
        if clean_targets:
            clean["target_stock"] = dict(sorted(clean_targets.items(), key=lambda item: int(item[0])))
    if data.get("default_target") is not None:
        clean["default_target"] = _whole(data["default_target"], "default_target", field, low=0, high=MAX_TARGET)
    return clean


def car_model_q(criteria: dict[str, Any], *, prefix: str = "") -> Q:
    """The criteria as a filter on car models (``prefix`` e.g. ``"car_model__"`` from a related row)."""
    q = Q()
    for key, (lookup, _) in LIST_KEYS.items():
        values = criteria.get(key)
        if values:
            any_of = Q()
            for value in values:
                any_of |= Q(**{f"{prefix}{lookup}": value})
            q &= any_of
    if criteria.get("year_min") is not None:
        q &= Q(**{f"{prefix}year__gte": criteria["year_min"]})
    if criteria.get("year_max") is not None:
        q &= Q(**{f"{prefix}year__lte": criteria["year_max"]})
    return q


def matches(criteria: dict[str, Any], car: CarModel) -> bool:
    """The same test as :func:`car_model_q`, in Python (brute-force checks, stock already fetched)."""
    for key, (lookup, _) in LIST_KEYS.items():
        values = criteria.get(key)
        if not values:
            continue
        attribute = lookup.split("__")[0]
        actual = str(getattr(car, attribute))
        if lookup.endswith("__iexact"):
            if actual.casefold() not in {v.casefold() for v in values}:
                return False
        elif actual not in values:
            return False
    if criteria.get("year_min") is not None and car.year < criteria["year_min"]:
        return False
    return not (criteria.get("year_max") is not None and car.year > criteria["year_max"])


def target_for(preferences: dict[str, Any], car_model_id: int) -> int:
    """How many units of a car model the dealership wants in stock."""
    targets: dict[str, int] = preferences.get("target_stock") or {}
    return int(targets.get(str(car_model_id), preferences.get("default_target", 0)))

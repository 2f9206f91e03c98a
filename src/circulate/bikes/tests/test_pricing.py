"""The pricing function: GBFS per-minute segments, fare caps, exact Decimals, rounding once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from circulate.bikes.pricing import FareCap, Plan, Segment, minor_unit, trip_cost

D = Decimal

# GBFS system_pricing_plans.json, example 1: 2.00 to unlock, 3.00 once at 30 min, 0.10 a minute from 60 min.
EXAMPLE_1 = Plan(
    currency="USD",
    price=D("2.00"),
    segments=(Segment(start=30, end=60, rate=D("3.00"), interval=0), Segment(start=60, rate=D("0.10"), interval=1)),
)
# Example 2: 3.00 to unlock, 0.50 a minute from the start, at most 15.00 per 12 hours.
EXAMPLE_2 = Plan(
    currency="USD",
    price=D("3.00"),
    segments=(Segment(start=0, rate=D("0.50"), interval=1),),
    cap=FareCap(duration=720, price=D("15.00")),
)


def seconds(minutes: int = 0, secs: int = 0, hours: int = 0) -> int:
    return hours * 3600 + minutes * 60 + secs


@pytest.mark.parametrize(
    ("plan", "duration", "expected"),
    [
        # the GBFS specification's own examples
        (EXAMPLE_1, seconds(10), "2.00"),
        (EXAMPLE_1, seconds(45), "5.00"),
        (EXAMPLE_1, seconds(61, 30), "5.20"),
        (EXAMPLE_2, seconds(10, 30), "8.50"),
        (EXAMPLE_2, seconds(hours=5), "15.00"),
        # marks are reached at whole minutes
        (EXAMPLE_1, seconds(29, 59), "2.00"),
        (EXAMPLE_1, seconds(30), "5.00"),
        (EXAMPLE_1, seconds(59, 59), "5.00"),
        (EXAMPLE_1, seconds(60), "5.10"),
        (EXAMPLE_1, 0, "2.00"),
        (EXAMPLE_2, 0, "3.50"),
        # the cap applies per 720-minute period; the unlock price counts in the first
        (EXAMPLE_2, seconds(hours=12), "15.50"),
        (EXAMPLE_2, seconds(hours=12, minutes=5), "18.00"),
        (EXAMPLE_2, seconds(hours=36), "45.50"),
        # an interval of 5 charges at 0, 5, 10, ...; an end is exclusive
        (Plan("EUR", D("1"), (Segment(0, D("0.25"), 5, end=15),)), seconds(14), "1.75"),
        (Plan("EUR", D("1"), (Segment(0, D("0.25"), 5, end=15),)), seconds(40), "1.75"),
        # rounding half-up to the minor unit, once, at the end
        (Plan("EUR", D("0"), (Segment(0, D("0.005"), 1),)), seconds(0), "0.01"),
        (Plan("EUR", D("0"), (Segment(0, D("0.0049"), 1),)), seconds(0), "0.00"),
        (Plan("EUR", D("0"), (Segment(0, D("0.003"), 1),)), seconds(2), "0.01"),
        (Plan("JPY", D("100"), (Segment(0, D("15.5"), 1),)), seconds(1), "131"),
        (Plan("BHD", D("0.5"), (Segment(0, D("0.0125"), 1),)), seconds(0), "0.513"),
    ],
)
def test_trip_cost(plan: Plan, duration: int, expected: str) -> None:
    cost = trip_cost(plan, duration)
    assert cost == D(expected)
    assert cost.as_tuple().exponent == minor_unit(plan.currency).as_tuple().exponent


def test_a_negative_duration_is_refused() -> None:
    with pytest.raises(ValueError, match="less than nothing"):
        trip_cost(EXAMPLE_1, -1)


amounts = st.decimals(min_value=0, max_value=50, places=2)
segments = st.builds(
    Segment,
    start=st.integers(min_value=0, max_value=300),
    rate=amounts,
    interval=st.integers(min_value=0, max_value=30),
    end=st.one_of(st.none(), st.integers(min_value=1, max_value=600)),
)
plans = st.builds(
    Plan,
    currency=st.sampled_from(["USD", "EUR", "JPY"]),
    price=amounts,
    segments=st.lists(segments, max_size=4).map(tuple),
    cap=st.one_of(st.none(), st.builds(FareCap, duration=st.integers(min_value=1, max_value=900), price=amounts)),
)
durations = st.integers(min_value=0, max_value=3 * 24 * 3600)


@given(plan=plans, first=durations, second=durations)
def test_cost_never_decreases_with_duration(plan: Plan, first: int, second: int) -> None:
    shorter, longer = sorted((first, second))
    assert trip_cost(plan, shorter) <= trip_cost(plan, longer)


@given(plan=plans.filter(lambda plan: plan.cap is not None), duration=durations)
def test_the_cap_is_never_exceeded(plan: Plan, duration: int) -> None:
    assert plan.cap is not None
    periods = duration // 60 // plan.cap.duration + 1
    ceiling = (plan.cap.price * periods).quantize(minor_unit(plan.currency))
    assert trip_cost(plan, duration) <= ceiling + minor_unit(plan.currency)

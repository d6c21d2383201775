"""Clock, typed ids and seeded randomness."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sparkprime.core.clock import TS_MAX_S, Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import (
    ID_LENGTH_MAX,
    parse_address,
    parse_idempotency_key,
    parse_name_id,
)
from sparkprime.core.rng import Rng


def test_clock_warps_and_skips_forward_only():
    clock = Clock(start_ts_s=100)
    assert clock.now == 100
    assert clock.skip(0) == 100
    assert clock.skip(50) == 150
    assert clock.warp(150) == 150
    assert clock.warp(1_000) == 1_000
    with pytest.raises(ProtocolError) as info:
        clock.warp(999)
    assert info.value.code is ErrorCode.CLOCK_WENT_BACKWARDS
    assert info.value.context == {"now_s": 1_000, "ts_s": 999}
    assert clock.now == 1_000


@pytest.mark.parametrize(
    ("action", "code"),
    [
        (lambda c: c.skip(-1), ErrorCode.VALUE_OUT_OF_RANGE),
        (lambda c: c.skip(1.0), ErrorCode.INVALID_TYPE),
        (lambda c: c.warp(TS_MAX_S + 1), ErrorCode.VALUE_OUT_OF_RANGE),
        (lambda c: c.warp("5"), ErrorCode.INVALID_TYPE),
        (lambda c: c.skip(TS_MAX_S), ErrorCode.VALUE_OUT_OF_RANGE),
    ],
)
def test_clock_rejects_bad_input_and_keeps_time(action, code):
    clock = Clock(start_ts_s=10)
    with pytest.raises(ProtocolError) as info:
        action(clock)
    assert info.value.code is code
    assert clock.now == 10


@given(steps=st.lists(st.integers(min_value=0, max_value=10**6), max_size=50))
def test_clock_is_monotonic(steps):
    clock = Clock()
    seen = [clock.now]
    for step in steps:
        clock.skip(step)
        seen.append(clock.now)
    assert seen == sorted(seen)
    assert clock.now == sum(steps)


def test_address_is_normalised_and_checked():
    dai = "0x6B175474E89094C44Da98b954EedeAC495271d0F"
    assert parse_address(dai, field="asset") == dai.lower()
    for bad in ("0x123", dai[2:], dai + "0", "0x" + "g" * 40):
        with pytest.raises(ProtocolError) as info:
            parse_address(bad, field="asset")
        assert info.value.code is ErrorCode.INVALID_ID
        assert info.value.context["field"] == "asset"
    with pytest.raises(ProtocolError) as info:
        parse_address(42, field="asset")
    assert info.value.code is ErrorCode.INVALID_TYPE


def test_name_ids_and_keys():
    assert parse_name_id("ETH", field="asset") == "ETH"
    assert parse_name_id("binance/sub-1:perp", field="venue") == "binance/sub-1:perp"
    assert parse_idempotency_key("req-42/a#1") == "req-42/a#1"
    for bad in ("", " x", "-x", "a" * (ID_LENGTH_MAX + 1), "é"):
        with pytest.raises(ProtocolError):
            parse_name_id(bad, field="asset")
    for bad in ("", "a b", "tab\t", "a" * (ID_LENGTH_MAX + 1)):
        with pytest.raises(ProtocolError) as info:
            parse_idempotency_key(bad)
        assert info.value.code is ErrorCode.INVALID_ID


def test_rng_is_reproducible_and_children_are_independent():
    a, b = Rng(42), Rng(42)
    assert [a.randbits(64) for _ in range(5)] == [b.randbits(64) for _ in range(5)]
    prices, paths = Rng(42).child("prices"), Rng(42).child("paths")
    assert prices.randbits(64) != paths.randbits(64)
    assert Rng(42).child("prices").seed == Rng(42).child("prices").seed
    assert Rng(42).child("prices").seed != Rng(43).child("prices").seed
    # A child's stream does not depend on draws taken from the parent.
    parent = Rng(1)
    parent.randbits(64)
    assert parent.child("x").randbits(64) == Rng(1).child("x").randbits(64)


def test_rng_rejects_a_bad_seed():
    with pytest.raises(ProtocolError):
        Rng(-1)
    with pytest.raises(ProtocolError):
        Rng(1.5)  # type: ignore[arg-type]

"""Hypothesis properties of `RateLimits`, beyond the ported fuzz tests, and the key helpers.

- the current limit never exceeds max_amount (unless unlimited);
- a decrease never goes below zero, and one larger than the current limit reverts;
- after an increase the limit is min(current + amount, max_amount);
- a refused call (wrong role, bad data, exceeded limit, overflow) changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.uint import UINT256_MAX
from sparkprime.protocols.liquidity_layer import (
    CONTROLLER,
    UNLIMITED,
    RateLimitData,
    RateLimits,
    make_asset_destination_key,
    make_asset_key,
    make_domain_key,
    make_limit_id,
    rate_limit_key,
    unlimited_rate_limit,
)
from sparkprime.protocols.sparklend.addresses import make_addr

ADMIN = make_addr("admin")
CTRL = make_addr("controller")
KEY = make_limit_id("LIMIT_TEST")

amounts = st.integers(0, 10**40)
times = st.integers(0, 10**7)


def _limits(start: int = 1_000) -> tuple[Clock, RateLimits]:
    clock = Clock(start_ts_s=start)
    rl = RateLimits(ADMIN, clock=clock)
    rl.grant_role(CONTROLLER, CTRL, sender=ADMIN)
    return clock, rl


# A random walk of skips and triggers over one key.
ops = st.lists(
    st.tuples(st.sampled_from(["skip", "decrease", "increase"]), st.integers(0, 10**40)),
    max_size=30,
)


@given(max_amount=st.integers(1, 10**40), slope=amounts, last_f=st.floats(0, 1), steps=ops)
def test_invariants_over_a_random_walk(
    max_amount: int, slope: int, last_f: float, steps: list[tuple[str, int]]
):
    clock, rl = _limits()
    rl.set_rate_limit_data(
        KEY, max_amount, slope, int(max_amount * last_f), clock.now, sender=ADMIN
    )
    for op, value in steps:
        current = rl.get_current_rate_limit(KEY)
        assert 0 <= current <= max_amount
        before = (rl.get_rate_limit_data(KEY), len(rl.events))
        if op == "skip":
            clock.skip(value % 10**6)
        elif op == "decrease":
            if value > current:
                with pytest.raises(ProtocolError) as info:
                    rl.trigger_rate_limit_decrease(KEY, value, sender=CTRL)
                assert info.value.code is ErrorCode.RATE_LIMITS_RATE_LIMIT_EXCEEDED
                assert (rl.get_rate_limit_data(KEY), len(rl.events)) == before
            else:
                new = rl.trigger_rate_limit_decrease(KEY, value, sender=CTRL)
                assert new == current - value >= 0
                assert rl.get_current_rate_limit(KEY) == new
        else:
            new = rl.trigger_rate_limit_increase(KEY, value, sender=CTRL)
            assert new == min(current + value, max_amount)
            assert rl.get_current_rate_limit(KEY) == new
        assert rl.get_current_rate_limit(KEY) <= max_amount


@given(data=st.tuples(amounts, amounts, amounts), back=times, amount=amounts, who=st.booleans())
def test_a_refused_call_changes_nothing(
    data: tuple[int, int, int], back: int, amount: int, who: bool
):
    max_amount, slope, last = data
    clock, rl = _limits(start=10**7)
    rl.set_rate_limit_data(KEY, 10**30, 7, 10**20, clock.now - 5, sender=ADMIN)
    before = (rl.snapshot(), len(rl.events))
    outsider = make_addr("outsider")
    # a non-admin setting, or an admin with bad data
    sender = ADMIN if who else outsider
    last_updated = clock.now + 1 + back
    with pytest.raises(ProtocolError):
        rl.set_rate_limit_data(KEY, max_amount, slope, last, last_updated, sender=sender)
    if last > max_amount:
        with pytest.raises(ProtocolError):
            rl.set_rate_limit_data(KEY, max_amount, slope, last, clock.now, sender=ADMIN)
    # a non-controller triggering
    for fn in (rl.trigger_rate_limit_decrease, rl.trigger_rate_limit_increase):
        with pytest.raises(ProtocolError):
            fn(KEY, amount, sender=ADMIN if who else outsider)
    # a controller spending more than is there
    with pytest.raises(ProtocolError):
        rl.trigger_rate_limit_decrease(
            KEY, rl.get_current_rate_limit(KEY) + 1 + amount, sender=CTRL
        )
    assert (rl.snapshot(), len(rl.events)) == before


def test_overflow_is_the_evm_panic_and_changes_nothing():
    clock, rl = _limits()
    rl.set_rate_limit_data(KEY, UINT256_MAX - 1, UINT256_MAX, 0, clock.now, sender=ADMIN)
    clock.skip(2)
    before = rl.snapshot()
    calls: list[tuple[Callable[..., int], tuple[object, ...], dict[str, object]]] = [
        (rl.get_current_rate_limit, (KEY,), {}),
        (rl.trigger_rate_limit_increase, (KEY, 1), {"sender": CTRL}),
        (rl.trigger_rate_limit_decrease, (KEY, 1), {"sender": CTRL}),
    ]
    for fn, args, kwargs in calls:
        with pytest.raises(ProtocolError) as info:
            fn(*args, **kwargs)
        assert info.value.code is ErrorCode.MATH_OVERFLOW
    assert rl.snapshot() == before
    # current + amount past 2**256 - 1
    rl.set_rate_limit_data(KEY, UINT256_MAX - 1, 0, UINT256_MAX - 1, clock.now, sender=ADMIN)
    with pytest.raises(ProtocolError) as info:
        rl.trigger_rate_limit_increase(KEY, 2, sender=CTRL)
    assert info.value.code is ErrorCode.MATH_OVERFLOW


def test_inputs_are_checked():
    _, rl = _limits()
    for bad_key in ("0x12", 5, "0x" + "g" * 64):
        with pytest.raises(ProtocolError) as info:
            rl.get_current_rate_limit(bad_key)  # type: ignore[arg-type]
        assert info.value.code is ErrorCode.INVALID_ID
    for bad in (-1, UINT256_MAX + 1, 1.5, True):
        with pytest.raises(ProtocolError):
            rl.set_rate_limit_data(KEY, bad, 1, sender=ADMIN)  # type: ignore[arg-type]
    # the contract does not check the key: the zero key is a key like any other
    zero = "0x" + "00" * 32
    rl.set_rate_limit_data(zero, 5, 1, sender=ADMIN)
    assert rl.get_current_rate_limit(zero) == 5
    # keys are case-insensitive hex
    assert rate_limit_key(KEY.upper().replace("0X", "0x")) == KEY


def test_snapshot_round_trip():
    clock, rl = _limits()
    rl.set_rate_limit_data(KEY, 1000, 3, 10, clock.now, sender=ADMIN)
    rl.set_unlimited_rate_limit_data(make_limit_id("OTHER"), sender=ADMIN)
    snap = rl.snapshot()
    _, copy = _limits()
    copy.load(snap)
    assert copy.snapshot() == snap
    assert copy.has_role(CONTROLLER, CTRL)
    with pytest.raises(ProtocolError):
        copy.load({"access": {}, "data": {KEY: ["x", "1", "2", "3"]}})


def test_key_helpers_are_deterministic_and_distinct():
    asset, dest = make_addr("asset"), make_addr("destination")
    base = make_limit_id("LIMIT_USDC_TO_DOMAIN")
    keys = {
        base,
        make_asset_key(base, asset),
        make_asset_key(base, dest),
        make_asset_destination_key(base, asset, dest),
        make_asset_destination_key(base, dest, asset),
        make_domain_key(base, 0),
        make_domain_key(base, 1),
    }
    assert len(keys) == 7
    assert make_asset_key(base, asset) == make_asset_key(base, asset.upper().replace("0X", "0x"))
    assert all(rate_limit_key(k) == k for k in keys)
    with pytest.raises(ProtocolError):
        make_domain_key(base, 2**32)
    with pytest.raises(ProtocolError):
        make_asset_key(base, "0x1234")
    assert unlimited_rate_limit() == RateLimitData(UNLIMITED, 0)

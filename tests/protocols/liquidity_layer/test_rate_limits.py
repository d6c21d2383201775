"""Port of spark-alm-controller `test/unit/rate-limits/RateLimits.t.sol`, with its numbers and
revert reasons, plus Hypothesis properties of the rate-limit bucket.

foundry's `vm.prank(x)` is `sender=x`, `skip` / `vm.warp` drive the injected clock, and
`vm.expectEmit` compares the last event. The fuzz tests keep their `_bound` ranges."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.uint import UINT256_MAX
from sparkprime.protocols.liquidity_layer import (
    CONTROLLER,
    RateLimitData,
    RateLimits,
    make_limit_id,
)
from sparkprime.protocols.sparklend.access_control import DEFAULT_ADMIN_ROLE
from sparkprime.protocols.sparklend.addresses import ZERO_ADDRESS, make_addr
from sparkprime.protocols.sparklend.events import Event

E18 = 10**18
DAY = 86_400
TEST_KEY1 = make_limit_id("TEST_KEY1")
ADMIN = make_addr("admin")
CONTROLLER_ADDR = make_addr("controller")
THIS = make_addr("this")  # foundry's address(this): holds no role
START = 1  # foundry's initial block.timestamp


def _e18(literal: str) -> int:
    """Solidity's `<decimal>e18` literal, exactly."""
    value = Fraction(literal.replace("_", "")) * E18
    assert value.denominator == 1
    return int(value)


class Env:
    def __init__(self, start: int = START) -> None:
        self.clock = Clock(start_ts_s=start)
        self.rl = RateLimits(ADMIN, clock=self.clock)
        self.rl.grant_role(CONTROLLER, CONTROLLER_ADDR, sender=ADMIN)

    @property
    def now(self) -> int:
        return self.clock.now

    def assert_limit_data(self, max_amount: int, slope: int, last: int, updated: int) -> None:
        assert self.rl.get_rate_limit_data(TEST_KEY1) == RateLimitData(
            max_amount, slope, last, updated
        )

    def last_event(self) -> Event:
        return self.rl.events.last()[0]


@pytest.fixture
def env() -> Env:
    return Env()


def _reverts(code: ErrorCode, fn: Any, *args: Any, **kwargs: Any) -> ProtocolError:
    with pytest.raises(ProtocolError) as info:
        fn(*args, **kwargs)
    assert info.value.code is code
    return info.value


def _unauthorized(account: str, role: str, fn: Any, *args: Any, **kwargs: Any) -> None:
    err = _reverts(ErrorCode.MISSING_ROLE, fn, *args, **kwargs)
    assert err.context["role"] == role
    assert err.context["account"] == account


# --- constructor ---


def test_constructor_zero_admin():
    err = _reverts(ErrorCode.RATE_LIMITS_ZERO_ADMIN, RateLimits, ZERO_ADDRESS, clock=Clock(1))
    assert err.context["reason"] == "ZeroAdmin()"


def test_constructor():
    rl = RateLimits(ADMIN, clock=Clock(1))
    assert rl.has_role(DEFAULT_ADMIN_ROLE, THIS) is False
    assert rl.has_role(DEFAULT_ADMIN_ROLE, ADMIN) is True


# --- setRateLimitData (all variants) ---


def test_set_rate_limit_data_unauthorized_account(env: Env):
    rl = env.rl
    _unauthorized(
        THIS, DEFAULT_ADMIN_ROLE, rl.set_rate_limit_data, TEST_KEY1, 1000, 10, sender=THIS
    )
    _unauthorized(
        THIS,
        DEFAULT_ADMIN_ROLE,
        rl.set_rate_limit_data,
        TEST_KEY1,
        1000,
        10,
        100,
        env.now,
        sender=THIS,
    )
    _unauthorized(
        THIS, DEFAULT_ADMIN_ROLE, rl.set_unlimited_rate_limit_data, TEST_KEY1, sender=THIS
    )
    assert rl.get_rate_limit_data(TEST_KEY1) == RateLimitData()


def test_set_rate_limit_data_invalid_last_updated_boundary(env: Env):
    err = _reverts(
        ErrorCode.RATE_LIMITS_INVALID_LAST_UPDATED,
        env.rl.set_rate_limit_data,
        TEST_KEY1,
        1000,
        10,
        100,
        env.now + 1,
        sender=ADMIN,
    )
    assert err.context["reason"] == "RateLimits/invalid-lastUpdated"
    env.rl.set_rate_limit_data(TEST_KEY1, 1000, 10, 100, env.now, sender=ADMIN)


def test_set_rate_limit_data_invalid_amount_boundary(env: Env):
    err = _reverts(
        ErrorCode.RATE_LIMITS_INVALID_LAST_AMOUNT,
        env.rl.set_rate_limit_data,
        TEST_KEY1,
        1000,
        10,
        1001,
        env.now,
        sender=ADMIN,
    )
    assert err.context["reason"] == "RateLimits/invalid-lastAmount"
    env.rl.set_rate_limit_data(TEST_KEY1, 1000, 10, 1000, env.now, sender=ADMIN)


def test_set_rate_limit_data_all_variants(env: Env):
    rl, now = env.rl, env.now
    # Variant1
    rl.set_rate_limit_data(TEST_KEY1, 1000, 10, sender=ADMIN)
    assert env.last_event() == Event("RateLimitDataSet", (TEST_KEY1, 1000, 10, 1000, now))
    env.assert_limit_data(1000, 10, 1000, now)
    # Variant2
    rl.set_rate_limit_data(TEST_KEY1, 1000, 10, 101, now - 1, sender=ADMIN)
    assert env.last_event() == Event("RateLimitDataSet", (TEST_KEY1, 1000, 10, 101, now - 1))
    env.assert_limit_data(1000, 10, 101, now - 1)
    # Variant3
    rl.set_unlimited_rate_limit_data(TEST_KEY1, sender=ADMIN)
    assert env.last_event() == Event(
        "RateLimitDataSet", (TEST_KEY1, UINT256_MAX, 0, UINT256_MAX, now)
    )
    env.assert_limit_data(UINT256_MAX, 0, UINT256_MAX, now)


def test_set_rate_limit_data_five_arguments(env: Env):
    env.rl.set_rate_limit_data(TEST_KEY1, 1000, 10, 1000, env.now, sender=ADMIN)
    assert env.last_event() == Event("RateLimitDataSet", (TEST_KEY1, 1000, 10, 1000, env.now))
    env.assert_limit_data(1000, 10, 1000, env.now)


def test_set_rate_limit_data_three_arguments(env: Env):
    env.rl.set_rate_limit_data(TEST_KEY1, 1000, 10, sender=ADMIN)
    assert env.last_event() == Event("RateLimitDataSet", (TEST_KEY1, 1000, 10, 1000, env.now))
    env.assert_limit_data(1000, 10, 1000, env.now)


def test_set_rate_limit_data_last_amount_and_last_updated_go_together(env: Env):
    _reverts(ErrorCode.MISSING_FIELD, env.rl.set_rate_limit_data, TEST_KEY1, 1, 1, 1, sender=ADMIN)


def test_set_unlimited_rate_limit_data(env: Env):
    env.rl.set_unlimited_rate_limit_data(TEST_KEY1, sender=ADMIN)
    assert env.last_event() == Event(
        "RateLimitDataSet", (TEST_KEY1, UINT256_MAX, 0, UINT256_MAX, env.now)
    )
    env.assert_limit_data(UINT256_MAX, 0, UINT256_MAX, env.now)


# --- getters ---


def test_get_rate_limit_data(env: Env):
    env.rl.set_rate_limit_data(TEST_KEY1, 1000, 10, 1000, env.now, sender=ADMIN)
    d = env.rl.get_rate_limit_data(TEST_KEY1)
    assert (d.max_amount, d.slope, d.last_amount, d.last_updated) == (1000, 10, 1000, env.now)


def test_get_current_rate_limit_empty(env: Env):
    assert env.rl.get_current_rate_limit(TEST_KEY1) == 0


def test_get_current_rate_limit_unlimited(env: Env):
    env.rl.set_unlimited_rate_limit_data(TEST_KEY1, sender=ADMIN)
    assert env.rl.get_current_rate_limit(TEST_KEY1) == UINT256_MAX


def test_get_current_rate_limit(env: Env):
    rl, clock = env.rl, env.clock
    rl.set_rate_limit_data(
        TEST_KEY1, 5_000_000 * E18, 1_000_000 * E18 // DAY, 0, env.now, sender=ADMIN
    )
    assert rl.get_current_rate_limit(TEST_KEY1) == 0
    clock.skip(DAY)
    assert rl.get_current_rate_limit(TEST_KEY1) == _e18("999_999.9999999999999936")  # ~1m
    clock.skip(DAY * 3 // 2)
    assert rl.get_current_rate_limit(TEST_KEY1) == _e18("2_499_999.999999999999984")  # ~2.5m
    clock.skip(DAY * 5 // 2)
    assert rl.get_current_rate_limit(TEST_KEY1) == _e18("4_999_999.999999999999968")
    clock.skip(1)  # surpass max
    assert rl.get_current_rate_limit(TEST_KEY1) == 5_000_000 * E18
    clock.skip(1)  # max is kept
    assert rl.get_current_rate_limit(TEST_KEY1) == 5_000_000 * E18
    clock.skip(365 * DAY)
    assert rl.get_current_rate_limit(TEST_KEY1) == 5_000_000 * E18


# Foundry's `_bound` ranges of the fuzz tests.
_MAX_AMOUNT = 10**12 * E18
_fuzz_setup = st.tuples(
    st.integers(1, 1000 * 365 * DAY),  # currentTimestamp
    st.integers(1, _MAX_AMOUNT),  # maxAmount
    st.integers(1, _MAX_AMOUNT),  # slope
    st.floats(0, 1),  # lastAmount in [1, maxAmount]
    st.floats(0, 1),  # lastUpdated in [1, currentTimestamp]
    st.integers(1, 365 * DAY),  # skipAmount
)


def _scale(fraction: float, low: int, high: int) -> int:
    return max(low, min(high, low + int((high - low) * fraction)))


def _fuzz_env(
    setup: tuple[int, int, int, float, float, int],
) -> tuple[Env, int, int, int, int, int]:
    ts, max_amount, slope, last_f, upd_f, skip = setup
    last_amount = _scale(last_f, 1, max_amount)
    last_updated = _scale(upd_f, 1, ts)
    env = Env(start=ts)
    env.rl.set_rate_limit_data(
        TEST_KEY1, max_amount, slope, last_amount, last_updated, sender=ADMIN
    )
    return env, max_amount, slope, last_amount, last_updated, skip


def _expected(slope: int, elapsed: int, last_amount: int, max_amount: int) -> int:
    return min(slope * elapsed + last_amount, max_amount)


@given(_fuzz_setup)
def test_fuzz_get_current_rate_limit(setup: tuple[int, int, int, float, float, int]):
    env, max_amount, slope, last_amount, last_updated, skip = _fuzz_env(setup)
    ts = env.now
    assert env.rl.get_current_rate_limit(TEST_KEY1) == _expected(
        slope, ts - last_updated, last_amount, max_amount
    )
    env.clock.skip(skip)
    assert env.rl.get_current_rate_limit(TEST_KEY1) == _expected(
        slope, ts + skip - last_updated, last_amount, max_amount
    )


# --- triggerRateLimitDecrease ---


@pytest.mark.parametrize("trigger", ["decrease", "increase"])
def test_trigger_unauthorized_account(env: Env, trigger: str):
    fn = getattr(env.rl, f"trigger_rate_limit_{trigger}")
    _unauthorized(THIS, CONTROLLER, fn, TEST_KEY1, 100, sender=THIS)
    _unauthorized(ADMIN, CONTROLLER, fn, TEST_KEY1, 100, sender=ADMIN)


@pytest.mark.parametrize("trigger", ["decrease", "increase"])
def test_trigger_zero_max_amount_boundary(env: Env, trigger: str):
    fn = getattr(env.rl, f"trigger_rate_limit_{trigger}")
    err = _reverts(
        ErrorCode.RATE_LIMITS_ZERO_MAX_AMOUNT, fn, TEST_KEY1, 100, sender=CONTROLLER_ADDR
    )
    assert err.context["reason"] == "RateLimits/zero-maxAmount"
    env.rl.set_rate_limit_data(TEST_KEY1, 1, 10, sender=ADMIN)
    fn(TEST_KEY1, 1, sender=CONTROLLER_ADDR)


def test_trigger_rate_limit_decrease_rate_limit_exceeded_boundary(env: Env):
    env.rl.set_rate_limit_data(TEST_KEY1, 100, 10, 1, env.now, sender=ADMIN)
    env.clock.skip(1)
    assert env.rl.get_current_rate_limit(TEST_KEY1) == 11  # 1 + 10 (1 second)
    err = _reverts(
        ErrorCode.RATE_LIMITS_RATE_LIMIT_EXCEEDED,
        env.rl.trigger_rate_limit_decrease,
        TEST_KEY1,
        12,
        sender=CONTROLLER_ADDR,
    )
    assert err.context["reason"] == "RateLimits/rate-limit-exceeded"
    env.rl.trigger_rate_limit_decrease(TEST_KEY1, 11, sender=CONTROLLER_ADDR)


def test_trigger_rate_limit_decrease_unlimited_rate_limit(env: Env):
    start = env.now
    env.rl.set_unlimited_rate_limit_data(TEST_KEY1, sender=ADMIN)
    assert env.rl.get_rate_limit_data(TEST_KEY1).last_updated == start
    for _ in range(3):
        result = env.rl.trigger_rate_limit_decrease(
            TEST_KEY1, 500_000_000 * E18, sender=CONTROLLER_ADDR
        )
        assert result == UINT256_MAX
        assert env.rl.get_rate_limit_data(TEST_KEY1).last_updated == start
        env.clock.skip(DAY)


@pytest.mark.parametrize("trigger", ["decrease", "increase"])
def test_trigger_zero_amount(env: Env, trigger: str):
    env.rl.set_rate_limit_data(TEST_KEY1, 100, 10, 0, env.now, sender=ADMIN)
    t1, t2 = env.now, env.now + 3
    env.clock.skip(3)
    env.assert_limit_data(100, 10, 0, t1)
    assert env.rl.get_current_rate_limit(TEST_KEY1) == 30
    fn = getattr(env.rl, f"trigger_rate_limit_{trigger}")
    assert fn(TEST_KEY1, 0, sender=CONTROLLER_ADDR) == 30
    name = "RateLimitDecreaseTriggered" if trigger == "decrease" else "RateLimitIncreaseTriggered"
    assert env.last_event() == Event(name, (TEST_KEY1, 0, 30, 30))
    env.assert_limit_data(100, 10, 30, t2)
    assert env.rl.get_current_rate_limit(TEST_KEY1) == 30  # unchanged


def test_trigger_rate_limit_decrease(env: Env):
    rl, clock = env.rl, env.clock
    rate = 1_000_000 * E18 // DAY
    rl.set_rate_limit_data(TEST_KEY1, 5_000_000 * E18, rate, 0, env.now, sender=ADMIN)
    env.assert_limit_data(5_000_000 * E18, rate, 0, env.now)

    # First decrease: use 250k, ~750k left
    clock.skip(DAY)
    dust = 6400  # rounding caused by the slope
    assert rl.get_current_rate_limit(TEST_KEY1) == 1_000_000 * E18 - dust
    result = rl.trigger_rate_limit_decrease(TEST_KEY1, 250_000 * E18, sender=CONTROLLER_ADDR)
    assert env.last_event() == Event(
        "RateLimitDecreaseTriggered",
        (TEST_KEY1, 250_000 * E18, 1_000_000 * E18 - dust, 750_000 * E18 - dust),
    )
    assert result == 750_000 * E18 - dust
    env.assert_limit_data(5_000_000 * E18, rate, 750_000 * E18 - dust, env.now)
    assert rl.get_current_rate_limit(TEST_KEY1) == 750_000 * E18 - dust

    # Second decrease: +2m over 2 days, use another 1m, ~1.75m left
    clock.skip(2 * DAY)
    dust = 19_200  # 6400 * 3
    assert rl.get_current_rate_limit(TEST_KEY1) == 2_750_000 * E18 - dust
    result = rl.trigger_rate_limit_decrease(TEST_KEY1, 1_000_000 * E18, sender=CONTROLLER_ADDR)
    assert result == 1_750_000 * E18 - dust
    env.assert_limit_data(5_000_000 * E18, rate, 1_750_000 * E18 - dust, env.now)
    assert rl.get_current_rate_limit(TEST_KEY1) == 1_750_000 * E18 - dust

    # Third decrease: a year later the limit is at max; use all of it
    clock.skip(365 * DAY)
    assert rl.get_current_rate_limit(TEST_KEY1) == 5_000_000 * E18
    result = rl.trigger_rate_limit_decrease(TEST_KEY1, 5_000_000 * E18, sender=CONTROLLER_ADDR)
    assert result == 0
    env.assert_limit_data(5_000_000 * E18, rate, 0, env.now)
    assert rl.get_current_rate_limit(TEST_KEY1) == 0


@pytest.mark.parametrize("trigger", ["decrease", "increase"])
def test_trigger_amount_upper_boundary(env: Env, trigger: str):
    env.rl.set_unlimited_rate_limit_data(TEST_KEY1, sender=ADMIN)
    events = len(env.rl.events)
    fn = getattr(env.rl, f"trigger_rate_limit_{trigger}")
    # Short-circuits on the unlimited key: no state change, no calculation
    assert fn(TEST_KEY1, UINT256_MAX, sender=CONTROLLER_ADDR) == UINT256_MAX
    assert fn(TEST_KEY1, UINT256_MAX - 1, sender=CONTROLLER_ADDR) == UINT256_MAX
    assert len(env.rl.events) == events


@pytest.mark.parametrize("trigger", ["decrease", "increase"])
@given(setup=_fuzz_setup)
def test_fuzz_trigger_zero_amount(trigger: str, setup: tuple[int, int, int, float, float, int]):
    env, max_amount, slope, last_amount, last_updated, skip = _fuzz_env(setup)
    ts = env.now
    env.clock.skip(skip)
    expected = _expected(slope, ts + skip - last_updated, last_amount, max_amount)
    assert env.rl.get_current_rate_limit(TEST_KEY1) == expected
    env.assert_limit_data(max_amount, slope, last_amount, last_updated)
    fn = getattr(env.rl, f"trigger_rate_limit_{trigger}")
    assert fn(TEST_KEY1, 0, sender=CONTROLLER_ADDR) == expected  # the amount does not change
    assert env.rl.get_current_rate_limit(TEST_KEY1) == expected
    env.assert_limit_data(max_amount, slope, expected, ts + skip)


@given(setup=_fuzz_setup, amount_f=st.floats(0, 1))
def test_fuzz_trigger_rate_limit_decrease_non_zero_amount(
    setup: tuple[int, int, int, float, float, int], amount_f: float
):
    env, max_amount, slope, last_amount, last_updated, skip = _fuzz_env(setup)
    ts = env.now
    env.clock.skip(skip)
    expected = _expected(slope, ts + skip - last_updated, last_amount, max_amount)
    assert env.rl.get_current_rate_limit(TEST_KEY1) == expected
    env.assert_limit_data(max_amount, slope, last_amount, last_updated)
    amount = _scale(amount_f, 1, expected)
    result = env.rl.trigger_rate_limit_decrease(TEST_KEY1, amount, sender=CONTROLLER_ADDR)
    expected -= amount
    assert result == expected
    assert env.rl.get_current_rate_limit(TEST_KEY1) == expected
    env.assert_limit_data(max_amount, slope, expected, ts + skip)


# --- triggerRateLimitIncrease ---


def test_trigger_rate_limit_increase(env: Env):
    start = env.now
    env.rl.set_rate_limit_data(TEST_KEY1, 1000, 10, 100, env.now, sender=ADMIN)
    env.clock.skip(1)
    env.assert_limit_data(1000, 10, 100, start)
    assert env.rl.get_current_rate_limit(TEST_KEY1) == 110  # 100 + 10 (1 second)
    result = env.rl.trigger_rate_limit_increase(TEST_KEY1, 500, sender=CONTROLLER_ADDR)
    assert env.last_event() == Event("RateLimitIncreaseTriggered", (TEST_KEY1, 500, 110, 610))
    assert result == 610
    env.assert_limit_data(1000, 10, 610, env.now)
    assert env.rl.get_current_rate_limit(TEST_KEY1) == 610


def test_trigger_rate_limit_increase_above_max_amount(env: Env):
    start = env.now
    env.rl.set_rate_limit_data(TEST_KEY1, 1000, 10, 100, env.now, sender=ADMIN)
    env.clock.skip(1)
    env.assert_limit_data(1000, 10, 100, start)
    assert env.rl.get_current_rate_limit(TEST_KEY1) == 110
    result = env.rl.trigger_rate_limit_increase(TEST_KEY1, 891, sender=CONTROLLER_ADDR)
    assert env.last_event() == Event("RateLimitIncreaseTriggered", (TEST_KEY1, 891, 110, 1000))
    assert result == 1000  # 891 + 110 = 1001, capped at maxAmount
    env.assert_limit_data(1000, 10, 1000, env.now)
    assert env.rl.get_current_rate_limit(TEST_KEY1) == 1000


@given(setup=_fuzz_setup, amount_f=st.floats(0, 1))
def test_fuzz_trigger_rate_limit_increase_non_zero_amount(
    setup: tuple[int, int, int, float, float, int], amount_f: float
):
    env, max_amount, slope, last_amount, last_updated, skip = _fuzz_env(setup)
    ts = env.now
    env.clock.skip(skip)
    expected = _expected(slope, ts + skip - last_updated, last_amount, max_amount)
    assert env.rl.get_current_rate_limit(TEST_KEY1) == expected
    env.assert_limit_data(max_amount, slope, last_amount, last_updated)
    amount = _scale(amount_f, 1, max_amount * 10_000)  # above maxAmount too
    result = env.rl.trigger_rate_limit_increase(TEST_KEY1, amount, sender=CONTROLLER_ADDR)
    expected = min(expected + amount, max_amount)
    assert result == expected
    assert env.rl.get_current_rate_limit(TEST_KEY1) == expected
    env.assert_limit_data(max_amount, slope, expected, ts + skip)

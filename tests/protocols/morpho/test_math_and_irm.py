"""Morpho's math libraries and the AdaptiveCurveIrm, ported from the upstream suites.

- morpho-blue `test/forge/libraries/MathLibTest.sol` (@356ad023): wTaylorCompounded lies
  between simple interest and e^(rt), within 8%; mulDivDown/Up equal their formulas and revert
  on overflow and a zero denominator. `SharesMathLib` / `UtilsLib` behaviours.
- morpho-blue-irm `test/forge/ExpLibTest.sol` (@83ad378a): wExp within 1% of e^x on
  [ln(1e-9), upper bound], ~0 below, 0 under ln(1e-18), clipped above, continuous at the
  bound, >= 1 for x >= 0, <= 1 for x <= 0.
- morpho-blue-irm `test/forge/AdaptiveCurveIrmTest.sol` (@10be2221): every deterministic test
  with its own expected values and tolerances, and the fuzzed ones as Hypothesis tests.

e^x references use `decimal` at 60 digits (exact enough to compare WAD ints; no float).
"""

from __future__ import annotations

import os
from decimal import Decimal, localcontext

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.protocols.atomic import Atomic
from sparkprime.protocols.morpho import irm as acirm
from sparkprime.protocols.morpho.irm import (
    ADJUSTMENT_SPEED,
    CURVE_STEEPNESS,
    INITIAL_RATE_AT_TARGET,
    LN_2_INT,
    LN_WEI_INT,
    MAX_RATE_AT_TARGET,
    MIN_RATE_AT_TARGET,
    TARGET_UTILIZATION,
    WEXP_UPPER_BOUND,
    WEXP_UPPER_VALUE,
    AdaptiveCurveIrm,
    bound,
    w_div_to_zero,
    w_exp,
    w_mul_to_zero,
)
from sparkprime.protocols.morpho.market_math import (
    WAD,
    Market,
    MarketParams,
    exactly_one_zero,
    market_id,
    mul_div_down,
    mul_div_up,
    to_assets_down,
    to_assets_up,
    to_shares_down,
    to_shares_up,
    to_uint128,
    w_div_down,
    w_mul_down,
    w_taylor_compounded,
    zero_floor_sub,
)
from sparkprime.protocols.sparklend.addresses import ZERO_ADDRESS, make_addr
from tests.protocols.morpho.morpho_env import approx_eq_rel

FUZZ = max(1, int(os.environ.get("SPARKPRIME_FUZZ", "1")))
U256 = 2**256 - 1
I256_MIN, I256_MAX = -(2**255), 2**255 - 1
DAY, YEAR = 86_400, 365 * 86_400


def exp_wad(x_wad: int) -> int:
    """e^(x / 1e18) * 1e18, rounded down, at 60 significant digits."""
    with localcontext() as ctx:
        ctx.prec = 60
        return int((Decimal(x_wad) / Decimal(WAD)).exp() * WAD)


# --- MathLibTest ---


@settings(max_examples=100 * FUZZ)
@given(rate=st.integers(0, WAD // 20_000_000), elapsed=st.integers(0, YEAR))
def test_w_taylor_compounded(rate: int, elapsed: int):
    result = w_taylor_compounded(rate, elapsed) + WAD
    to_compare = exp_wad(rate * elapsed) + 1  # WadMath.wadExpUp rounds up
    assert result <= to_compare, "rate should be less than the compounded rate"
    assert result >= WAD + elapsed * rate, "rate should be greater than the simple interest rate"
    assert (to_compare - result) * 100_00 // to_compare <= 8_00, "error <= 8%"


@settings(max_examples=100 * FUZZ)
@given(x=st.integers(0, U256), y=st.integers(0, U256), d=st.integers(1, U256))
def test_mul_div_down(x: int, y: int, d: int):
    if x * y > U256:
        with pytest.raises(ProtocolError) as err:
            mul_div_down(x, y, d)
        assert err.value.code is ErrorCode.MATH_OVERFLOW
    else:
        assert mul_div_down(x, y, d) == x * y // d


@settings(max_examples=100 * FUZZ)
@given(x=st.integers(0, U256), y=st.integers(0, U256))
def test_mul_div_zero_denominator_reverts(x: int, y: int):
    for fn in (mul_div_down, mul_div_up):
        with pytest.raises(ProtocolError):
            fn(x, y, 0)


@settings(max_examples=100 * FUZZ)
@given(d=st.integers(1, U256 - 1), y=st.integers(1, U256), data=st.data())
def test_mul_div_up(d: int, y: int, data: st.DataObject):
    x = data.draw(st.integers(0, (U256 - d - 1) // y))
    assert mul_div_up(x, y, d) == (0 if x * y == 0 else (x * y - 1) // d + 1)


@settings(max_examples=100 * FUZZ)
@given(d=st.integers(1, U256), data=st.data())
def test_mul_div_up_overflow(d: int, data: st.DataObject):
    y = data.draw(st.integers((U256 - d + 1) // U256 + 1, U256))
    x = data.draw(st.integers((U256 - d + 1) // y + 1, U256))
    with pytest.raises(ProtocolError) as err:
        mul_div_up(x, y, d)
    assert err.value.code is ErrorCode.MATH_OVERFLOW


def test_w_helpers_and_utils():
    assert w_mul_down(3 * WAD, WAD // 2) == 3 * WAD // 2
    assert w_div_down(1, 3) == WAD // 3
    assert exactly_one_zero(0, 1)
    assert exactly_one_zero(1, 0)
    assert not exactly_one_zero(0, 0)
    assert not exactly_one_zero(1, 1)
    assert zero_floor_sub(3, 5) == 0
    assert zero_floor_sub(5, 3) == 2
    assert to_uint128(2**128 - 1) == 2**128 - 1
    with pytest.raises(ProtocolError) as err:
        to_uint128(2**128)
    assert err.value.code is ErrorCode.MORPHO_MAX_UINT128_EXCEEDED
    assert err.value.context["reason"] == "max uint128 exceeded"


# --- SharesMathLib: virtual shares 1e6, virtual assets 1 ---


def test_shares_math_virtual_offset():
    # An empty market prices 1 asset at 1e6 shares.
    assert to_shares_down(1, 0, 0) == 10**6
    assert to_assets_down(10**6, 0, 0) == 1
    # 1 asset of 2 over 2e6 shares: (2e6 + 1e6) / (2 + 1) = 1e6 each way.
    assert to_shares_up(1, 2, 2 * 10**6) == 10**6
    assert to_assets_up(1, 0, 0) == 1  # ceil(1 * 1 / 1e6)
    assert to_assets_down(1, 0, 0) == 0


@settings(max_examples=200 * FUZZ)
@given(
    assets=st.integers(0, 10**30),
    total_assets=st.integers(0, 10**30),
    total_shares=st.integers(0, 10**36),
)
def test_shares_rounding_directions(assets: int, total_assets: int, total_shares: int):
    down = to_shares_down(assets, total_assets, total_shares)
    up = to_shares_up(assets, total_assets, total_shares)
    assert down <= up <= down + 1
    # Converting back never yields more than was put in, rounding down both ways.
    assert to_assets_down(down, total_assets, total_shares) <= assets
    assert to_assets_up(up, total_assets, total_shares) >= assets


# --- ExpLibTest ---

LN_GWEI_INT = -20_720_000_000_000_000_000  # ln(1e-9) truncated at 2 decimals


@settings(max_examples=200 * FUZZ)
@given(x=st.integers(LN_GWEI_INT, WEXP_UPPER_BOUND))
def test_w_exp(x: int):
    assert approx_eq_rel(w_exp(x), exp_wad(x), 10**16)


@settings(max_examples=100 * FUZZ)
@given(x=st.integers(LN_WEI_INT, LN_GWEI_INT))
def test_w_exp_small(x: int):
    assert abs(w_exp(x)) <= 10**10


@settings(max_examples=100 * FUZZ)
@given(x=st.integers(I256_MIN, LN_WEI_INT - 1))
def test_w_exp_too_small(x: int):
    assert w_exp(x) == 0


@settings(max_examples=100 * FUZZ)
@given(x=st.integers(WEXP_UPPER_BOUND, I256_MAX))
def test_w_exp_too_large(x: int):
    assert w_exp(x) == WEXP_UPPER_VALUE


def test_w_exp_does_not_lead_to_overflow():
    assert 0 < WEXP_UPPER_VALUE * 10**18 <= I256_MAX


def _w_exp_unbounded(x: int) -> int:
    """ExpLibTest._wExpUnbounded for x > 0 (where truncation and floor agree)."""
    q = (x + LN_2_INT // 2) // LN_2_INT
    r = x - q * LN_2_INT
    exp_r = WAD + r + r * r // WAD // 2 if r >= 0 else WAD + r + -(-(r * r) // WAD) // 2
    return exp_r << q


def test_w_exp_continuous_upper_bound():
    assert approx_eq_rel(w_exp(WEXP_UPPER_BOUND - 1), WEXP_UPPER_VALUE, 10**8)
    assert _w_exp_unbounded(WEXP_UPPER_BOUND) == WEXP_UPPER_VALUE


@settings(max_examples=100 * FUZZ)
@given(x=st.integers(0, I256_MAX))
def test_w_exp_positive(x: int):
    assert w_exp(x) >= WAD


@settings(max_examples=100 * FUZZ)
@given(x=st.integers(I256_MIN, 0))
def test_w_exp_negative(x: int):
    assert w_exp(x) <= WAD


def test_signed_math_truncates_toward_zero():
    # Solidity: -7 * 1e18 / 2e18 == -3 (Python floor division would give -4).
    assert w_div_to_zero(-7, 2 * WAD) == -3
    assert w_mul_to_zero(-3, WAD // 2) == -1
    assert w_mul_to_zero(3, WAD // 2) == 1
    assert bound(5, 1, 3) == 3
    assert bound(-5, 1, 3) == 1
    assert bound(2, 1, 3) == 2


# --- AdaptiveCurveIrmTest ---

MORPHO = make_addr("morpho-in-irm-test")
PARAMS = MarketParams(
    loan_token=ZERO_ADDRESS,
    collateral_token=ZERO_ADDRESS,
    oracle=ZERO_ADDRESS,
    irm=ZERO_ADDRESS,
    lltv=0,
)
ID = market_id(PARAMS)


def _irm(ts: int = 90 * DAY) -> tuple[Clock, AdaptiveCurveIrm]:
    clock = Clock(ts)
    return clock, AdaptiveCurveIrm(MORPHO, clock=clock, atomic=Atomic())


def test_deployment():
    with pytest.raises(ProtocolError) as err:
        AdaptiveCurveIrm(ZERO_ADDRESS, clock=Clock(0), atomic=Atomic())
    assert err.value.context["reason"] == "zero address"


def test_only_morpho_updates():
    _, irm = _irm()
    with pytest.raises(ProtocolError) as err:
        irm.borrow_rate(PARAMS, Market(), sender=make_addr("someone"))
    assert err.value.code is ErrorCode.MORPHO_IRM_NOT_MORPHO
    assert err.value.context["reason"] == "not Morpho"
    assert irm.rate_at_target(ID) == 0


def test_first_borrow_rate_utilization_zero():
    _, irm = _irm()
    rate = irm.borrow_rate(PARAMS, Market(), sender=MORPHO)
    assert approx_eq_rel(rate, INITIAL_RATE_AT_TARGET // 4, 10**14)
    assert irm.rate_at_target(ID) == INITIAL_RATE_AT_TARGET


def test_first_borrow_rate_utilization_one():
    _, irm = _irm()
    market = Market(total_borrow_assets=WAD, total_supply_assets=WAD)
    assert irm.borrow_rate(PARAMS, market, sender=MORPHO) == INITIAL_RATE_AT_TARGET * 4
    assert irm.rate_at_target(ID) == INITIAL_RATE_AT_TARGET


def test_rate_after_utilization_one():
    clock, irm = _irm()
    clock.warp(2 * YEAR)
    assert approx_eq_rel(
        irm.borrow_rate(PARAMS, Market(), sender=MORPHO), INITIAL_RATE_AT_TARGET // 4, 10**15
    )
    market = Market(
        total_borrow_assets=WAD, total_supply_assets=WAD, last_update=clock.now - 5 * DAY
    )
    view = irm.borrow_rate_view(PARAMS, market)
    # exp((50/365)*5) ~= 1.9836.
    expected = w_mul_to_zero(
        INITIAL_RATE_AT_TARGET * 4,
        (19836 * 10**14 - WAD) * WAD // (ADJUSTMENT_SPEED * 5 * DAY),
    )
    assert approx_eq_rel(view, expected, 10**17)
    # The average value of exp((50/365)*x) between 0 and 5 is approx. 1.4361.
    assert approx_eq_rel(view, w_mul_to_zero(INITIAL_RATE_AT_TARGET * 4, 14361 * 10**14), 10**17)
    # Expected rate: 22.976%.
    assert approx_eq_rel(view, 22976 * 10**13 // YEAR, 10**17)


def test_rate_after_utilization_zero():
    clock, irm = _irm()
    clock.warp(2 * YEAR)
    assert approx_eq_rel(
        irm.borrow_rate(PARAMS, Market(), sender=MORPHO), INITIAL_RATE_AT_TARGET // 4, 10**15
    )
    market = Market(total_borrow_assets=0, total_supply_assets=WAD, last_update=clock.now - 5 * DAY)
    view = irm.borrow_rate_view(PARAMS, market)
    # exp((-50/365)*5) ~= 0.5041 (Solidity int math: the quotient truncates toward zero).
    expected = w_mul_to_zero(
        INITIAL_RATE_AT_TARGET // 4,
        w_div_to_zero(5041 * 10**14 - WAD, -ADJUSTMENT_SPEED * 5 * DAY),
    )
    assert approx_eq_rel(view, expected, 10**17)
    # The average value of exp((-50/365*x)) between 0 and 5 is approx. 0.7240.
    assert approx_eq_rel(view, w_mul_to_zero(INITIAL_RATE_AT_TARGET // 4, 724 * 10**15), 10**17)
    # Expected rate: 0.7240%.
    assert approx_eq_rel(view, 724 * 10**13 // YEAR, 10**17)


def test_rate_after_45_days_utilization_above_target_no_ping():
    clock, irm = _irm()
    market = Market(total_supply_assets=WAD, total_borrow_assets=TARGET_UTILIZATION)
    assert irm.borrow_rate(PARAMS, market, sender=MORPHO) == INITIAL_RATE_AT_TARGET
    assert irm.rate_at_target(ID) == INITIAL_RATE_AT_TARGET
    market = Market(
        total_supply_assets=WAD,
        total_borrow_assets=(TARGET_UTILIZATION + WAD) // 2,  # error = 50%
        last_update=clock.now,
    )
    clock.skip(45 * DAY)
    irm.borrow_rate(PARAMS, market, sender=MORPHO)
    # Expected rate: 4% * exp(50 * 45 / 365 * 50%) = 87.22%.
    assert approx_eq_rel(irm.rate_at_target(ID), 8722 * 10**14 // YEAR, 5 * 10**15)


def _ping_every_minute(clock: Clock, irm: AdaptiveCurveIrm, supply: int, borrow: int, n: int):
    for _ in range(n):
        last = clock.now
        clock.skip(60)
        market = Market(total_supply_assets=supply, total_borrow_assets=borrow, last_update=last)
        rate = irm.borrow_rate(PARAMS, market, sender=MORPHO)
        interest = w_mul_down(borrow, w_taylor_compounded(rate, 60))
        supply += interest
        borrow += interest
    return supply, borrow


def test_rate_after_45_days_utilization_above_target_ping_every_minute():
    clock, irm = _irm()
    market = Market(total_supply_assets=WAD, total_borrow_assets=TARGET_UTILIZATION)
    assert irm.borrow_rate(PARAMS, market, sender=MORPHO) == INITIAL_RATE_AT_TARGET
    initial_borrow = (TARGET_UTILIZATION + WAD) // 2  # error = 50%
    supply, borrow = _ping_every_minute(clock, irm, WAD, initial_borrow, 45 * DAY // 60)
    assert approx_eq_rel(w_div_down(borrow, supply), 95 * 10**16, 10**16), "utilization"
    rate_at_target = irm.rate_at_target(ID)
    expected = 8722 * 10**14 // YEAR  # 4% * exp(50 * 45 / 365 * 50%) = 87.22%
    assert rate_at_target >= expected
    # The rate is tolerated to be +8% (relatively) because of the pings every minute.
    assert approx_eq_rel(rate_at_target, expected, 8 * 10**16)
    # Expected growth: exp(87.22% * 3.5 * 45 / 365) = +45.70%, tolerated +30%.
    assert approx_eq_rel(borrow, w_mul_down(initial_borrow, 1457 * 10**15), 3 * 10**17)


@settings(max_examples=50 * FUZZ)
@given(elapsed=st.integers(0, 2**48 - 1))
def test_rate_after_utilization_target_no_ping(elapsed: int):
    clock, irm = _irm()
    market = Market(total_supply_assets=WAD, total_borrow_assets=TARGET_UTILIZATION)
    assert irm.borrow_rate(PARAMS, market, sender=MORPHO) == INITIAL_RATE_AT_TARGET
    clock.rewind_to(clock.now)  # keep within the uint40 clock
    market = Market(
        total_supply_assets=WAD, total_borrow_assets=TARGET_UTILIZATION, last_update=clock.now
    )
    clock.skip(min(elapsed, 2**40 - 1 - clock.now))
    irm.borrow_rate(PARAMS, market, sender=MORPHO)
    assert irm.rate_at_target(ID) == INITIAL_RATE_AT_TARGET


def test_rate_after_3_weeks_utilization_target_ping_every_minute():
    clock, irm = _irm()
    market = Market(total_supply_assets=WAD, total_borrow_assets=TARGET_UTILIZATION)
    assert irm.borrow_rate(PARAMS, market, sender=MORPHO) == INITIAL_RATE_AT_TARGET
    supply, borrow = _ping_every_minute(clock, irm, WAD, TARGET_UTILIZATION, 3 * 7 * DAY // 60)
    assert approx_eq_rel(w_div_down(borrow, supply), TARGET_UTILIZATION, 10**16)
    rate_at_target = irm.rate_at_target(ID)
    assert rate_at_target >= INITIAL_RATE_AT_TARGET
    assert approx_eq_rel(rate_at_target, INITIAL_RATE_AT_TARGET, 10**17)


def _err(market: Market) -> int:
    if market.total_supply_assets == 0:
        return -WAD
    u = w_div_down(market.total_borrow_assets, market.total_supply_assets)
    if u > TARGET_UTILIZATION:
        return w_div_to_zero(u - TARGET_UTILIZATION, WAD - TARGET_UTILIZATION)
    return w_div_to_zero(u - TARGET_UTILIZATION, TARGET_UTILIZATION)


def _curve(rate_at_target: int, err: int) -> int:
    coeff = WAD - w_div_to_zero(WAD, CURVE_STEEPNESS) if err < 0 else CURVE_STEEPNESS - WAD
    return w_mul_to_zero(w_mul_to_zero(coeff, err) + WAD, rate_at_target)


markets = st.integers(1, 2**128 - 1).flatmap(
    lambda borrow: st.builds(
        lambda supply: Market(total_borrow_assets=borrow, total_supply_assets=supply),
        st.integers(borrow, 2**128 - 1),
    )
)


@settings(max_examples=100 * FUZZ)
@given(market=markets)
def test_first_borrow_rate(market: Market):
    _, irm = _irm()
    assert irm.borrow_rate(PARAMS, market, sender=MORPHO) == _curve(
        INITIAL_RATE_AT_TARGET, _err(market)
    )
    assert irm.rate_at_target(ID) == INITIAL_RATE_AT_TARGET


@settings(max_examples=100 * FUZZ)
@given(market=markets)
def test_first_borrow_rate_view(market: Market):
    _, irm = _irm()
    assert irm.borrow_rate_view(PARAMS, market) == _curve(INITIAL_RATE_AT_TARGET, _err(market))
    assert irm.rate_at_target(ID) == 0


def _expected_rate_at_target(irm: AdaptiveCurveIrm, market: Market, now: int) -> int:
    start = irm.rate_at_target(ID)
    if start <= 0:
        return INITIAL_RATE_AT_TARGET
    speed = w_mul_to_zero(ADJUSTMENT_SPEED, _err(market))
    return bound(
        w_mul_to_zero(start, w_exp(speed * (now - market.last_update))),
        MIN_RATE_AT_TARGET,
        MAX_RATE_AT_TARGET,
    )


def _expected_avg_rate(irm: AdaptiveCurveIrm, market: Market, now: int) -> int:
    start = irm.rate_at_target(ID)
    err = _err(market)
    linear = w_mul_to_zero(ADJUSTMENT_SPEED, err) * (now - market.last_update if start > 0 else 0)
    new_rate = _curve(_expected_rate_at_target(irm, market, now), err)
    if linear == 0 or start == 0:
        return new_rate
    return w_div_to_zero(new_rate - _curve(start, err), linear)


@settings(max_examples=100 * FUZZ)
@given(market0=markets, market1=markets, ago=st.integers(1, 5 * DAY))
def test_borrow_rate(market0: Market, market1: Market, ago: int):
    clock, irm = _irm()
    irm.borrow_rate(PARAMS, market0, sender=MORPHO)
    market1 = Market(
        total_borrow_assets=market1.total_borrow_assets,
        total_supply_assets=market1.total_supply_assets,
        last_update=clock.now - ago,
    )
    expected_rat = _expected_rate_at_target(irm, market1, clock.now)
    expected_avg = _expected_avg_rate(irm, market1, clock.now)
    view = irm.borrow_rate_view(PARAMS, market1)
    rate = irm.borrow_rate(PARAMS, market1, sender=MORPHO)
    assert view == rate
    assert approx_eq_rel(rate, expected_avg, 11 * 10**16)
    assert approx_eq_rel(irm.rate_at_target(ID), expected_rat, 10**15)


@settings(max_examples=100 * FUZZ)
@given(market0=markets, market1=markets)
def test_borrow_rate_no_time_elapsed(market0: Market, market1: Market):
    clock, irm = _irm()
    irm.borrow_rate(PARAMS, market0, sender=MORPHO)
    market1 = Market(
        total_borrow_assets=market1.total_borrow_assets,
        total_supply_assets=market1.total_supply_assets,
        last_update=clock.now,
    )
    expected_rat = _expected_rate_at_target(irm, market1, clock.now)
    expected_avg = _expected_avg_rate(irm, market1, clock.now)
    assert irm.borrow_rate_view(PARAMS, market1) == irm.borrow_rate(PARAMS, market1, sender=MORPHO)
    assert approx_eq_rel(irm.borrow_rate_view(PARAMS, market1), expected_avg, 10**16)
    assert approx_eq_rel(irm.rate_at_target(ID), expected_rat, 10**15)


@settings(max_examples=50 * FUZZ)
@given(
    supply=st.integers(0, 2**128 - 1),
    borrow_f=st.integers(0, 10**6),
    steps=st.lists(st.integers(0, 2**32), max_size=8),
)
def test_invariant_rate_within_min_max(supply: int, borrow_f: int, steps: list[int]):
    # handleBorrowRate + invariantGeMinRateAtTarget / invariantLeMaxRateAtTarget.
    clock, irm = _irm()
    borrow = supply * borrow_f // 10**6
    for elapsed in steps:
        market = Market(
            total_supply_assets=supply, total_borrow_assets=borrow, last_update=clock.now
        )
        clock.skip(min(elapsed, 2**40 - 1 - clock.now))
        irm.borrow_rate(PARAMS, market, sender=MORPHO)
        probe = Market(
            total_borrow_assets=9 * WAD, total_supply_assets=10 * WAD, last_update=clock.now
        )
        low = w_div_to_zero(MIN_RATE_AT_TARGET, CURVE_STEEPNESS)
        high = w_mul_to_zero(MAX_RATE_AT_TARGET, CURVE_STEEPNESS)
        assert low <= irm.borrow_rate_view(PARAMS, probe) <= high


def test_constants():
    assert WAD <= CURVE_STEEPNESS <= 100 * WAD
    assert 0 <= ADJUSTMENT_SPEED <= 1_000 * WAD // YEAR
    assert 0 < TARGET_UTILIZATION < WAD
    assert MIN_RATE_AT_TARGET <= INITIAL_RATE_AT_TARGET <= MAX_RATE_AT_TARGET
    # ConstantsLib values, as Solidity computes them.
    assert (ADJUSTMENT_SPEED, INITIAL_RATE_AT_TARGET) == (50 * WAD // YEAR, 4 * 10**16 // YEAR)
    assert (MIN_RATE_AT_TARGET, MAX_RATE_AT_TARGET) == (10**15 // YEAR, 2 * WAD // YEAR)
    assert acirm.LN_WEI_INT == -41_446_531_673_892_822_312

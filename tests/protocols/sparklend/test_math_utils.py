"""MathUtils of Aave v3.0.2 (SparkLend v1.0.0): linear and compounded interest, to the wei.

Source: sparkdotfi/sparklend-v1-core `contracts/protocol/libraries/math/MathUtils.sol` at
16c4e618fd2c1413225f28eeacc409df10563f68 (the v3.0.2 formula; the same as aave/aave-v3-core's).

Ported upstream tests (exact numbers):
- aave-dao/aave-v3-origin `tests/protocol/libraries/math/MathUtils.t.sol` at
  b6694d1d88846a78a4b74594f1c7e6ea94f6a66f (Foundry starts at block.timestamp 1): its values
  are those of the v3.0.2 formula, which aave-v3-origin later replaced (v3.4);
- aave/aave-v3-core `test-suites/helpers/utils/calculations.ts` at
  09ed87d6f5361b9e592ae4c36f5d6671f6a3e21d: `calcLinearInterest` and `calcCompoundedInterest`,
  the BigNumber restatements the hardhat suites compute every expected index with (restated
  below as `_js_*`, with `wadraymath.ts`'s half-up `rayMul`).

Oracles: an exact `Fraction` restatement of the three-term expansion floored term by term
(with the contract's revert conditions), and true compounding (`Decimal`) as an upper bound.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import HALF_RAY, RAY
from sparkprime.protocols.sparklend.math_utils import (
    SECONDS_PER_YEAR,
    calculate_compounded_interest,
    calculate_linear_interest,
)
from tests.core.test_fixed_support import BAD_UINT256S, MAX, fuzz, half_up_q, outcome, uint256s

Y = SECONDS_PER_YEAR
Interest = Callable[[int, int, int], int]
UINT40_MAX = 2**40 - 1

# --- aave-v3-origin MathUtils.t.sol ---------------------------------------------------------

T0 = 1  # Foundry's initial block.timestamp
HALF_YEAR_LATER = T0 + 365 * 86400 // 2


def test_constants():
    assert SECONDS_PER_YEAR == 365 * 86400 == 31_536_000


def test_calculate_linear_interest():
    assert calculate_linear_interest(10005 * 10**23, T0, HALF_YEAR_LATER) == 150025 * 10**22


def test_calculate_compound_interest():
    # test_calculateCompoundInterest_1 and _2 (the to-now and explicit-timestamp overloads)
    got = calculate_compounded_interest(10005 * 10**23, T0, HALF_YEAR_LATER)
    assert got == 1646239361880034706419516000


def test_calculate_compound_interest_edge():
    assert calculate_compounded_interest(10005 * 10**23, HALF_YEAR_LATER, HALF_YEAR_LATER) == RAY


# --- aave-v3-core calculations.ts, restated -------------------------------------------------


def _js_ray_mul(a: int, b: int) -> int:  # wadraymath.ts BigNumber.prototype.rayMul
    return (HALF_RAY + a * b) // RAY


def _js_calc_linear_interest(rate: int, current: int, last: int) -> int:
    return rate * (current - last) // Y + RAY


def _js_calc_compounded_interest(rate: int, current: int, last: int) -> int:
    time_difference = current - last
    if time_difference == 0:
        return RAY
    exp_minus_one = time_difference - 1
    exp_minus_two = time_difference - 2 if time_difference > 2 else 0
    base_power_two = _js_ray_mul(rate, rate) // (Y * Y)
    base_power_three = _js_ray_mul(base_power_two, rate) // Y
    second_term = time_difference * exp_minus_one * base_power_two // 2
    third_term = time_difference * exp_minus_one * exp_minus_two * base_power_three // 6
    return RAY + rate * time_difference // Y + second_term + third_term


rates = st.one_of(
    st.integers(0, 10 * RAY),  # up to 1000% APR
    st.integers(0, RAY // 2),
    st.sampled_from([0, 1, Y - 1, Y, Y + 1, RAY // 100, RAY, 10 * RAY, 2**128 - 1]),
)
timestamps = st.integers(0, UINT40_MAX)
elapsed = st.one_of(
    st.integers(0, 10),
    st.integers(0, 86400),
    st.integers(0, 10 * Y),
    st.sampled_from([0, 1, 2, 3, 12, Y // 2, Y, 10 * Y]),
)


@fuzz(300)
@given(rates, timestamps, elapsed)
def test_agrees_with_the_hardhat_suites_helpers(rate: int, last: int, dt: int):
    now = last + dt
    assert calculate_linear_interest(rate, last, now) == _js_calc_linear_interest(rate, now, last)
    assert calculate_compounded_interest(rate, last, now) == _js_calc_compounded_interest(
        rate, now, last
    )


# --- an exact Fraction restatement, revert conditions included -------------------------------


class Revert(Exception):  # noqa: N818 - it names what the EVM does
    pass


def _checked(x: int) -> int:
    if x > MAX:
        raise Revert
    return x


def _ref_ray_mul(a: int, b: int) -> int:
    # rayMul reverts iff a * b + HALF_RAY > MAX; else the exact product in ray, half up.
    _checked(a * b + HALF_RAY)
    return half_up_q(Fraction(a * b, RAY))


def _ref_compounded(rate: int, last: int, now: int) -> int:
    n = now - last
    if n < 0:
        raise Revert
    if n == 0:
        return RAY
    x2 = math.floor(Fraction(_ref_ray_mul(rate, rate), Y * Y))  # (rate / Y)^2, in ray
    x3 = math.floor(Fraction(_ref_ray_mul(x2, rate), Y))  # (rate / Y)^3, in ray
    pairs = _checked(n * (n - 1))
    second = math.floor(Fraction(_checked(pairs * x2), 2))
    triples = _checked(pairs * max(n - 2, 0))
    third = math.floor(Fraction(_checked(triples * x3), 6))
    first = math.floor(Fraction(_checked(rate * n), Y))
    return _checked(RAY + first + second + third)


def _ref_linear(rate: int, last: int, now: int) -> int:
    if now < last:
        raise Revert
    return _checked(RAY + math.floor(Fraction(_checked(rate * (now - last)), Y)))


def _same_outcome(got: int | ProtocolError, fn: Callable[..., int], *args: int) -> None:
    try:
        expected = fn(*args)
    except Revert:
        assert isinstance(got, ProtocolError), (args, got)
        assert got.code is ErrorCode.MATH_OVERFLOW
    else:
        assert got == expected, args


@fuzz(300)
@given(
    st.one_of(uint256s(), rates),
    timestamps,
    st.one_of(elapsed, st.integers(-(2**40), 2**256 - 1 - UINT40_MAX)),
)
def test_compounded_is_the_floored_three_term_expansion(rate: int, last: int, dt: int):
    now = max(0, last + dt)
    got = outcome(calculate_compounded_interest, rate, last, now)
    _same_outcome(got, _ref_compounded, rate, last, now)


@fuzz(300)
@given(
    st.one_of(uint256s(), rates),
    timestamps,
    st.one_of(elapsed, st.integers(-(2**40), 2**256 - 1 - UINT40_MAX)),
)
def test_linear_is_the_floored_product(rate: int, last: int, dt: int):
    now = max(0, last + dt)
    got = outcome(calculate_linear_interest, rate, last, now)
    _same_outcome(got, _ref_linear, rate, last, now)


# --- bounds: linear <= compounded <= true compounding -----------------------------------------


def _upper_bound(q: Decimal) -> int:
    """An integer at or above q, with room for Decimal's last-digit error."""
    return math.ceil(q * (1 + Decimal(10) ** -60))


@fuzz(300)
@given(rates.filter(lambda r: r <= 10 * RAY), timestamps, elapsed)
def test_linear_le_compounded_le_true_compounding(rate: int, last: int, dt: int):
    now = last + dt
    linear = calculate_linear_interest(rate, last, now)
    compounded = calculate_compounded_interest(rate, last, now)
    assert RAY <= linear <= compounded
    with localcontext() as ctx:
        ctx.prec = 120
        x = Decimal(rate) / Decimal(RAY * Y)  # the per-second rate
        per_second = Decimal(RAY) * (1 + x) ** dt  # what the expansion approximates
        continuous = Decimal(RAY) * (x * dt).exp()
    assert compounded <= _upper_bound(per_second) <= _upper_bound(continuous)


def test_short_intervals_have_no_higher_terms():
    rate = 5 * RAY  # 500% APR
    assert calculate_compounded_interest(rate, 0, 1) == RAY + rate // Y  # one second: linear
    b2 = (rate * rate + HALF_RAY) // RAY // (Y * Y)
    assert calculate_compounded_interest(rate, 0, 2) == RAY + 2 * rate // Y + b2  # n(n-1)/2 = 1
    b3 = (b2 * rate + HALF_RAY) // RAY // Y
    assert calculate_compounded_interest(rate, 0, 3) == RAY + 3 * rate // Y + 3 * b2 + b3


def test_zero_rate_is_flat():
    assert calculate_linear_interest(0, 0, 10 * Y) == RAY
    assert calculate_compounded_interest(0, 0, 10 * Y) == RAY


# --- reverts and refused inputs -------------------------------------------------------------


@pytest.mark.parametrize("fn", [calculate_linear_interest, calculate_compounded_interest])
def test_time_going_backwards_reverts(fn: Interest):
    with pytest.raises(ProtocolError) as info:
        fn(RAY, 1000, 999)
    assert info.value.code is ErrorCode.MATH_OVERFLOW


def test_overflows_revert():
    with pytest.raises(ProtocolError) as info:
        calculate_linear_interest(MAX, 0, 2)  # rate * elapsed
    assert info.value.code is ErrorCode.MATH_OVERFLOW
    assert calculate_linear_interest(MAX, 0, 1) == RAY + MAX // Y  # the sum never overflows
    with pytest.raises(ProtocolError) as info:
        calculate_compounded_interest(2**130, 0, 1)  # rayMul(rate, rate)
    assert info.value.code is ErrorCode.MATH_OVERFLOW


def test_an_overflowing_partial_product_reverts_even_when_the_term_is_zero():
    # rate 0: b2 = b3 = 0, yet exp * (exp - 1) is computed (and checked) first in the contract.
    huge = 2**200
    assert calculate_linear_interest(0, 0, huge) == RAY
    with pytest.raises(ProtocolError) as info:
        calculate_compounded_interest(0, 0, huge)
    assert info.value.code is ErrorCode.MATH_OVERFLOW
    # exp * (exp - 1) * (exp - 2) is the largest partial product: it fits for 2**85 seconds...
    assert calculate_compounded_interest(0, 0, 2**85) == RAY
    # ... and not for 2**86, although every term is still 0.
    with pytest.raises(ProtocolError) as info:
        calculate_compounded_interest(0, 0, 2**86)
    assert info.value.code is ErrorCode.MATH_OVERFLOW


def test_uint40_timestamps():
    assert calculate_linear_interest(RAY, UINT40_MAX, UINT40_MAX + Y) == 2 * RAY
    assert calculate_compounded_interest(RAY, UINT40_MAX, UINT40_MAX) == RAY


FIELDS = ["rate_ray", "last_update_ts_s", "now_ts_s"]


@pytest.mark.parametrize("fn", [calculate_linear_interest, calculate_compounded_interest])
@pytest.mark.parametrize(("bad", "code"), BAD_UINT256S)
@pytest.mark.parametrize("position", [0, 1, 2], ids=FIELDS)
def test_bad_inputs_are_refused(fn: Interest, bad: object, code: ErrorCode, position: int):
    args: list[object] = [RAY, 0, Y]
    args[position] = bad
    with pytest.raises(ProtocolError) as info:
        fn(*args)  # type: ignore[arg-type]
    assert info.value.code is code
    assert info.value.context["field"] == FIELDS[position]


@pytest.mark.parametrize("fn", [calculate_linear_interest, calculate_compounded_interest])
def test_last_update_is_a_uint40(fn: Interest):
    with pytest.raises(ProtocolError) as info:
        fn(RAY, 2**40, 2**41)
    assert info.value.code is ErrorCode.VALUE_OUT_OF_RANGE
    assert info.value.context["field"] == "last_update_ts_s"

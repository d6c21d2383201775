"""`mul_div`: x * y / d with a 512-bit intermediate and explicit rounding, OpenZeppelin-style.

OpenZeppelin `Math.mulDiv(x, y, denominator, rounding)` reverts on a zero denominator and when
the result (after rounding up, through a checked add) does not fit in 256 bits.
"""

from __future__ import annotations

from fractions import Fraction
from functools import partial

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY, WAD, Rounding, mul_div, ray_mul, ray_mul_ceil, ray_mul_floor
from tests.core.test_fixed_support import (
    MAX,
    assert_rejects_bad_inputs,
    ceil_q,
    floor_q,
    fuzz,
    half_up_q,
    outcome,
    positive_uint256s,
    uint256s,
)

REFERENCES = {Rounding.FLOOR: floor_q, Rounding.CEIL: ceil_q, Rounding.HALF_UP: half_up_q}


@given(x=uint256s(), y=uint256s(), d=positive_uint256s(), rounding=st.sampled_from(Rounding))
@fuzz(300)
def test_matches_exact_rational(x: int, y: int, d: int, rounding: Rounding):
    expected = REFERENCES[rounding](Fraction(x * y, d))
    result = outcome(partial(mul_div, rounding=rounding), x, y, d)
    if expected > MAX:
        assert isinstance(result, ProtocolError)
        assert result.code is ErrorCode.MATH_OVERFLOW
    else:
        assert result == expected


@given(x=uint256s(), y=uint256s(), d=positive_uint256s())
@fuzz()
def test_floor_ceil_half_up_bracket_the_exact_value(x: int, y: int, d: int):
    if x * y // d >= MAX:  # keep every rounding inside uint256
        return
    lo = mul_div(x, y, d, rounding=Rounding.FLOOR)
    hi = mul_div(x, y, d, rounding=Rounding.CEIL)
    mid = mul_div(x, y, d, rounding=Rounding.HALF_UP)
    exact = Fraction(x * y, d)
    assert lo <= exact <= hi
    assert hi - lo == (0 if (x * y) % d == 0 else 1)
    assert lo <= mid <= hi
    assert mid == (hi if 2 * ((x * y) % d) >= d else lo)


@given(a=uint256s(), b=uint256s())
@fuzz()
def test_agrees_with_aave_where_aave_does_not_overflow(a: int, b: int):
    pairs = (
        (ray_mul, Rounding.HALF_UP),
        (ray_mul_floor, Rounding.FLOOR),
        (ray_mul_ceil, Rounding.CEIL),
    )
    for aave, rounding in pairs:
        result = outcome(aave, a, b)
        if not isinstance(result, ProtocolError):
            assert mul_div(a, b, RAY, rounding=rounding) == result


def test_full_precision_intermediate():
    # a * b needs 512 bits; the quotient fits
    for rounding in Rounding:
        assert mul_div(MAX, MAX, MAX, rounding=rounding) == MAX
        assert mul_div(MAX, 2**254, 2**255, rounding=rounding) == MAX // 2 + (
            0 if rounding is Rounding.FLOOR else 1
        )
    assert mul_div(3, 5, 2, rounding=Rounding.HALF_UP) == 8  # 7.5: the tie goes up
    assert mul_div(7, 1, 3, rounding=Rounding.HALF_UP) == 2  # 2.33
    assert mul_div(8, 1, 3, rounding=Rounding.HALF_UP) == 3  # 2.67
    assert mul_div(WAD, WAD, WAD, rounding=Rounding.CEIL) == WAD


def test_ceil_carry_past_max_overflows():
    # floor(x*y/d) is MAX with a remainder: FLOOR fits, CEIL's +1 does not
    x, d = MAX - 1, (MAX - 1) * 2 // 3
    y = d + 1
    q, r = divmod(x * y, d)
    assert (q, r != 0) == (MAX, True)  # the precondition this case is about
    assert mul_div(x, y, d, rounding=Rounding.FLOOR) == MAX
    with pytest.raises(ProtocolError) as info:
        mul_div(x, y, d, rounding=Rounding.CEIL)
    assert info.value.code is ErrorCode.MATH_OVERFLOW
    assert info.value.context["op"] == "mul_div"


def test_overflow_and_division_by_zero():
    with pytest.raises(ProtocolError) as info:
        mul_div(MAX, 2, 1, rounding=Rounding.FLOOR)
    assert info.value.code is ErrorCode.MATH_OVERFLOW
    for x in (0, 1, MAX):
        with pytest.raises(ProtocolError) as info:
            mul_div(x, MAX, 0, rounding=Rounding.CEIL)
        assert info.value.code is ErrorCode.DIVISION_BY_ZERO


def test_rejects_bad_inputs_and_rounding():
    assert_rejects_bad_inputs(partial(mul_div, rounding=Rounding.FLOOR), ["x", "y", "denominator"])
    for bad in ("floor", None, 0):
        with pytest.raises(ProtocolError) as info:
            mul_div(1, 1, 1, rounding=bad)  # type: ignore[arg-type]
        assert info.value.code is ErrorCode.INVALID_TYPE
        assert info.value.context["field"] == "rounding"

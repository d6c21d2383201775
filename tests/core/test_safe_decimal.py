"""Synthetix `SafeDecimalMath`.

Ported: synthetixio/synthetix `test/contracts/SafeDecimalMath.js`, every numeric case, with its
`toUnit` / `toPreciseUnit` restated as `_unit` / `_precise` (decimal strings to exact ints).
Properties: truncating forms are floor(exact), `_round` forms floor(exact + 1/2); SafeMath's
`mul` reverts iff the product passes 2**256 - 1, `div` iff the divisor is zero, in that order.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import pytest
from hypothesis import given

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.safe_decimal import (
    PRECISE_UNIT,
    UNIT,
    UNIT_TO_HIGH_PRECISION_CONVERSION_FACTOR,
    decimal_to_precise_decimal,
    divide_decimal,
    divide_decimal_precise,
    divide_decimal_round,
    divide_decimal_round_precise,
    floor_sub,
    multiply_decimal,
    multiply_decimal_precise,
    multiply_decimal_round,
    multiply_decimal_round_precise,
    precise_decimal_to_decimal,
)
from tests.core.test_fixed_support import (
    MAX,
    assert_rejects_bad_inputs,
    floor_q,
    fuzz,
    half_up_q,
    outcome,
    uint256s,
)

BinaryOp = Callable[[int, int], int]


def _scaled(text: str, decimals: int) -> int:
    """web3 `toWei`-style: an exact decimal string to an int with `decimals` places."""
    whole, _, frac = text.partition(".")
    assert len(frac) <= decimals
    scale: int = 10**decimals
    return int(whole) * scale + int(frac.ljust(decimals, "0"))


def _unit(text: str) -> int:
    return _scaled(text, 18)


def _precise(text: str) -> int:
    return _scaled(text, 27)


def _assert_raises(code: ErrorCode, fn: BinaryOp, x: int, y: int) -> None:
    with pytest.raises(ProtocolError) as info:
        fn(x, y)
    assert info.value.code is code


# --- synthetix test/contracts/SafeDecimalMath.js ----------------------------------------------


def test_units():
    assert _unit("1") == UNIT
    assert _precise("1") == PRECISE_UNIT
    assert UNIT_TO_HIGH_PRECISION_CONVERSION_FACTOR == PRECISE_UNIT // UNIT


@pytest.mark.parametrize("fn", [multiply_decimal, multiply_decimal_round])
def test_multiply_decimal(fn: BinaryOp):
    assert fn(_unit("10"), _unit("2")) == _unit("20")
    assert fn(_unit("10"), _unit("0.3")) == _unit("3")
    assert fn(_unit("46"), _unit("3")) == _unit("138")
    # by zero
    assert fn(_unit("46"), 0) == 0
    assert fn(_unit("1000000000"), 0) == 0
    assert fn(1, 0) == 0
    # by one
    assert fn(_unit("46"), _unit("1")) == _unit("46")
    assert fn(_unit("1000000000"), _unit("1")) == _unit("1000000000")
    # commutative
    assert fn(_unit("1.5"), _unit("7")) == fn(_unit("7"), _unit("1.5"))
    assert fn(_unit("234098"), _unit("7")) == fn(_unit("7"), _unit("234098"))
    # overflow
    big = _unit("10000000000000000000000000000")
    _assert_raises(ErrorCode.MATH_OVERFLOW, fn, big, big)


def test_multiply_decimal_truncates_and_round_rounds():
    one_above, one_below = _unit("1") + 1, _unit("1") - 1
    assert multiply_decimal(one_above, one_below) == one_below
    assert multiply_decimal_round(one_above, one_below) == _unit("1")
    assert multiply_decimal_round(_unit("11.111111111111111111"), _unit("0.5")) == _unit(
        "5.555555555555555556"
    )


@pytest.mark.parametrize("fn", [divide_decimal, divide_decimal_round])
def test_divide_decimal(fn: BinaryOp):
    assert fn(_unit("1"), _unit("4")) == _unit("0.25")
    assert fn(_unit("20"), _unit("4")) == _unit("5")
    assert fn(_unit("20"), _unit("0.25")) == _unit("80")
    for x in (_unit("1"), _unit("100"), _unit("0.25")):
        _assert_raises(ErrorCode.DIVISION_BY_ZERO, fn, x, _unit("0"))
        assert fn(x, _unit("1")) == x


def test_divide_decimal_truncates_and_round_rounds():
    assert divide_decimal(_unit("2"), _unit("3")) == _unit("0.666666666666666666")
    assert divide_decimal_round(_unit("2"), _unit("3")) == _unit("0.666666666666666667")
    assert divide_decimal_round(_unit("10"), _unit("6")) == _unit("1.666666666666666667")


def test_multiply_decimal_round_precise():
    fn = multiply_decimal_round_precise
    assert fn(_precise("10"), _precise("2")) == _precise("20")
    assert fn(_precise("10"), _precise("0.3")) == _precise("3")
    assert fn(_precise("46"), _precise("3")) == _precise("138")
    assert fn(_precise("11.111111111111111111111111111"), _precise("0.5")) == _precise(
        "5.555555555555555555555555556"
    )
    assert fn(_precise("46"), 0) == 0
    assert fn(_precise("1000000000"), 0) == 0
    assert fn(1, 0) == 0
    assert fn(_precise("46"), _precise("1")) == _precise("46")
    assert fn(_precise("1000000000"), _precise("1")) == _precise("1000000000")
    assert fn(_precise("1.5"), _precise("7")) == fn(_precise("7"), _precise("1.5"))
    assert fn(_precise("234098"), _precise("7")) == fn(_precise("7"), _precise("234098"))
    big = _precise("1000000000000000000000")
    _assert_raises(ErrorCode.MATH_OVERFLOW, fn, big, big)
    one_above, one_below = _precise("1") + 1, _precise("1") - 1
    assert fn(one_above, one_below) == _precise("1")


def test_divide_decimal_round_precise():
    fn = divide_decimal_round_precise
    assert fn(_precise("1"), _precise("4")) == _precise("0.25")
    assert fn(_precise("20"), _precise("4")) == _precise("5")
    assert fn(_precise("20"), _precise("0.25")) == _precise("80")
    assert fn(_precise("10"), _precise("6")) == _precise("1.666666666666666666666666667")
    for x in (_precise("1"), _precise("100"), _precise("0.25")):
        _assert_raises(ErrorCode.DIVISION_BY_ZERO, fn, x, 0)
        assert fn(x, _precise("1")) == x
    assert fn(_precise("2"), _precise("3")) == _precise("0.666666666666666666666666667")


# --- properties against exact rationals ----------------------------------------------------------

# (function, unit, True for x*y/unit or False for x*unit/y, rounds half up)
CASES: list[tuple[BinaryOp, int, bool, bool]] = [
    (multiply_decimal, UNIT, True, False),
    (multiply_decimal_precise, PRECISE_UNIT, True, False),
    (multiply_decimal_round, UNIT, True, True),
    (multiply_decimal_round_precise, PRECISE_UNIT, True, True),
    (divide_decimal, UNIT, False, False),
    (divide_decimal_precise, PRECISE_UNIT, False, False),
    (divide_decimal_round, UNIT, False, True),
    (divide_decimal_round_precise, PRECISE_UNIT, False, True),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0].__name__ for c in CASES])
@given(x=uint256s(), y=uint256s())
@fuzz(150)
def test_against_fraction_and_safemath(case: tuple[BinaryOp, int, bool, bool], x: int, y: int):
    fn, unit, is_mul, rounds = case
    result = outcome(fn, x, y)
    # the product SafeMath forms: x.mul(y), x.mul(UNIT) or, for _round division, x.mul(UNIT * 10)
    product = x * y if is_mul else x * unit * (10 if rounds else 1)
    if product > MAX:
        assert isinstance(result, ProtocolError)
        assert result.code is ErrorCode.MATH_OVERFLOW  # before any division by zero
        return
    if not is_mul and y == 0:
        assert isinstance(result, ProtocolError)
        assert result.code is ErrorCode.DIVISION_BY_ZERO
        return
    exact = Fraction(x * y, unit) if is_mul else Fraction(x * unit, y)
    assert result == (half_up_q(exact) if rounds else floor_q(exact))


@given(i=uint256s())
@fuzz()
def test_precision_conversions(i: int):
    assert precise_decimal_to_decimal(i) == half_up_q(Fraction(i, 10**9))
    result = outcome(decimal_to_precise_decimal, i)
    if i * 10**9 > MAX:
        assert isinstance(result, ProtocolError)
        assert result.code is ErrorCode.MATH_OVERFLOW
    else:
        assert result == i * 10**9
        assert precise_decimal_to_decimal(result) == i


@given(a=uint256s(), b=uint256s())
@fuzz()
def test_floor_sub(a: int, b: int):
    assert floor_sub(a, b) == max(a - b, 0)


def test_ties_go_up():
    assert multiply_decimal_round(1, UNIT // 2) == 1  # 0.5
    assert multiply_decimal_round(1, UNIT // 2 - 1) == 0
    assert divide_decimal_round(1, 2 * UNIT) == 1  # 0.5
    assert divide_decimal_round_precise(1, 2 * PRECISE_UNIT + 1) == 0  # just under 0.5
    assert precise_decimal_to_decimal(5 * 10**8) == 1
    assert precise_decimal_to_decimal(5 * 10**8 - 1) == 0


_ALL = [c[0] for c in CASES] + [floor_sub]


@pytest.mark.parametrize("fn", _ALL, ids=[f.__name__ for f in _ALL])
def test_rejects_non_uint256(fn: BinaryOp):
    assert_rejects_bad_inputs(fn, ["a", "b"] if fn is floor_sub else ["x", "y"])


@pytest.mark.parametrize("fn", [decimal_to_precise_decimal, precise_decimal_to_decimal])
def test_conversions_reject_non_uint256(fn: Callable[[int], int]):
    assert_rejects_bad_inputs(fn, ["i"])

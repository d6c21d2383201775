"""Synthetix `SafeDecimalMath`: 18-decimal (UNIT) and 27-decimal (PRECISE_UNIT) fixed point.

Mirrors `contracts/SafeDecimalMath.sol` of synthetixio/synthetix (Solidity 0.5.16 with
OpenZeppelin 2.3 `SafeMath`): plain forms truncate, `_round` forms round half up, and every
`x.mul(y)` reverts when the product exceeds 2**256 - 1 (`MATH_OVERFLOW`), every `.div(y)` when
y == 0 (`DIVISION_BY_ZERO`). Where a call would hit both, the multiplication comes first in the
Solidity and so does its error here.

The `_round` forms divide by unit / 10, then add 10 if the last digit is 5 or more, then drop
that digit. For a unit that is a power of ten this is exactly floor(exact + 1/2): ties go up.

`multiply_decimal_precise` and `divide_decimal_precise` are not in Synthetix's library; they are
its truncating forms at PRECISE_UNIT, as later forks of it add them.

Example:
    >>> divide_decimal_round(2 * UNIT, 3 * UNIT)
    666666666666666667
"""

from __future__ import annotations

from typing import Final

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.uint import UINT256_MAX, reject_non_uint256

__all__ = [
    "PRECISE_UNIT",
    "UNIT",
    "UNIT_TO_HIGH_PRECISION_CONVERSION_FACTOR",
    "decimal_to_precise_decimal",
    "divide_decimal",
    "divide_decimal_precise",
    "divide_decimal_round",
    "divide_decimal_round_precise",
    "floor_sub",
    "multiply_decimal",
    "multiply_decimal_precise",
    "multiply_decimal_round",
    "multiply_decimal_round_precise",
    "precise_decimal_to_decimal",
]

UNIT: Final = 10**18
PRECISE_UNIT: Final = 10**27
UNIT_TO_HIGH_PRECISION_CONVERSION_FACTOR: Final = 10**9


def _overflow(op: str, **operands: int) -> ProtocolError:
    return ProtocolError(ErrorCode.MATH_OVERFLOW, op=op, **operands)


def _round_last_digit(times_ten: int) -> int:
    # Never overflows: times_ten <= MAX // 2 whenever its last digit can be 5 or more.
    return (times_ten + 10) // 10 if times_ten % 10 >= 5 else times_ten // 10


def _mul_scaled(op: str, x: int, y: int, divisor: int) -> int:
    """SafeMath `x.mul(y) / divisor`: the product must fit in 256 bits."""
    if type(x) is not int or type(y) is not int or (x | y) >> 256:
        reject_non_uint256(x=x, y=y)
    p = x * y
    if p > UINT256_MAX:
        raise _overflow(op, x=x, y=y)
    return p // divisor


def _div_scaled(op: str, x: int, y: int, scale: int) -> int:
    """SafeMath `x.mul(scale).div(y)`: the product must fit, then y must not be zero."""
    if type(x) is not int or type(y) is not int or (x | y) >> 256:
        reject_non_uint256(x=x, y=y)
    p = x * scale
    if p > UINT256_MAX:
        raise _overflow(op, x=x, y=y)
    if y == 0:
        raise ProtocolError(ErrorCode.DIVISION_BY_ZERO, op=op, x=x)
    return p // y


def multiply_decimal(x: int, y: int) -> int:
    """x * y / UNIT, truncated. Reverts iff x * y > MAX."""
    return _mul_scaled("multiply_decimal", x, y, UNIT)


def multiply_decimal_precise(x: int, y: int) -> int:
    """x * y / PRECISE_UNIT, truncated. Reverts iff x * y > MAX."""
    return _mul_scaled("multiply_decimal_precise", x, y, PRECISE_UNIT)


def multiply_decimal_round(x: int, y: int) -> int:
    """x * y / UNIT, rounded half up. Reverts iff x * y > MAX."""
    return _round_last_digit(_mul_scaled("multiply_decimal_round", x, y, UNIT // 10))


def multiply_decimal_round_precise(x: int, y: int) -> int:
    """x * y / PRECISE_UNIT, rounded half up. Reverts iff x * y > MAX."""
    op = "multiply_decimal_round_precise"
    return _round_last_digit(_mul_scaled(op, x, y, PRECISE_UNIT // 10))


def divide_decimal(x: int, y: int) -> int:
    """x * UNIT / y, truncated. Reverts iff x * UNIT > MAX, else iff y == 0."""
    return _div_scaled("divide_decimal", x, y, UNIT)


def divide_decimal_precise(x: int, y: int) -> int:
    """x * PRECISE_UNIT / y, truncated. Reverts iff x * PRECISE_UNIT > MAX, else iff y == 0."""
    return _div_scaled("divide_decimal_precise", x, y, PRECISE_UNIT)


def divide_decimal_round(x: int, y: int) -> int:
    """x * UNIT / y, rounded half up. Reverts iff x * (UNIT * 10) > MAX, else iff y == 0."""
    return _round_last_digit(_div_scaled("divide_decimal_round", x, y, UNIT * 10))


def divide_decimal_round_precise(x: int, y: int) -> int:
    """x * PRECISE_UNIT / y, rounded half up.

    Reverts iff x * (PRECISE_UNIT * 10) > MAX, else iff y == 0.
    """
    op = "divide_decimal_round_precise"
    return _round_last_digit(_div_scaled(op, x, y, PRECISE_UNIT * 10))


def decimal_to_precise_decimal(i: int) -> int:
    """i * 1e9, exact. Reverts iff i * 1e9 > MAX."""
    if type(i) is not int or i >> 256:
        reject_non_uint256(i=i)
    p = i * UNIT_TO_HIGH_PRECISION_CONVERSION_FACTOR
    if p > UINT256_MAX:
        raise _overflow("decimal_to_precise_decimal", i=i)
    return p


def precise_decimal_to_decimal(i: int) -> int:
    """i / 1e9, rounded half up. Never reverts."""
    if type(i) is not int or i >> 256:
        reject_non_uint256(i=i)
    return _round_last_digit(i // (UNIT_TO_HIGH_PRECISION_CONVERSION_FACTOR // 10))


def floor_sub(a: int, b: int) -> int:
    """a - b, or 0 when b >= a (Synthetix `floorsub`). Never reverts."""
    if type(a) is not int or type(b) is not int or (a | b) >> 256:
        reject_non_uint256(a=a, b=b)
    return 0 if b >= a else a - b

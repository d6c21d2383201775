"""Aave's fixed-point math, to the wei: WAD (1e18), RAY (1e27) and percentages in BPS (1e4).

Every function takes and returns Python ints that stand for uint256 values, and rounds and
reverts exactly where the Solidity does:

- half-up (`wad_mul`, `wad_div`, `ray_mul`, `ray_div`, `ray_to_wad`, `percent_mul`,
  `percent_div`): Aave v3.0.2 `WadRayMath.sol` / `PercentageMath.sol`, what SparkLend runs today;
- floor / ceil (`ray_mul_floor`, ..., `percent_div_ceil`): aave-v3-origin's directed rounding,
  the pending upgrade;
- `mul_div`: x*y/d with an explicit `Rounding` and a 512-bit intermediate, like OpenZeppelin's
  `Math.mulDiv`.

An input that is not a uint256 raises `ProtocolError` (`INVALID_TYPE` for a float, bool or str;
`VALUE_OUT_OF_RANGE` for a negative int or one of 2**256 and above). Where the contract
reverts, this raises `DIVISION_BY_ZERO` (a zero divisor, checked first) or `MATH_OVERFLOW` (an
intermediate past 2**256 - 1). Each overflow test below is the contract's own, restated without
division: `a > (MAX - HALF_RAY) // b` is `a * b + HALF_RAY > MAX` over the integers.

Example:
    >>> ray_mul(2 * RAY, RAY // 2)
    1000000000000000000000000000
    >>> percent_mul(10_000, 25_00)
    2500
    >>> mul_div(1, 1, 3, rounding=Rounding.CEIL)
    1
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.uint import UINT256_MAX, reject_non_uint256

__all__ = [
    "BPS",
    "HALF_PERCENTAGE_FACTOR",
    "HALF_RAY",
    "HALF_WAD",
    "HALF_WAD_RAY_RATIO",
    "PERCENTAGE_FACTOR",
    "RAY",
    "WAD",
    "WAD_RAY_RATIO",
    "Rounding",
    "mul_div",
    "percent_div",
    "percent_div_ceil",
    "percent_div_floor",
    "percent_mul",
    "percent_mul_ceil",
    "percent_mul_floor",
    "ray_div",
    "ray_div_ceil",
    "ray_div_floor",
    "ray_mul",
    "ray_mul_ceil",
    "ray_mul_floor",
    "ray_to_wad",
    "wad_div",
    "wad_mul",
    "wad_to_ray",
]

WAD: Final = 10**18
HALF_WAD: Final = WAD // 2
RAY: Final = 10**27
HALF_RAY: Final = RAY // 2
WAD_RAY_RATIO: Final = 10**9
HALF_WAD_RAY_RATIO: Final = WAD_RAY_RATIO // 2
PERCENTAGE_FACTOR: Final = 10**4  # 100.00%
HALF_PERCENTAGE_FACTOR: Final = PERCENTAGE_FACTOR // 2
BPS: Final = PERCENTAGE_FACTOR


def _overflow(op: str, **operands: int) -> ProtocolError:
    return ProtocolError(ErrorCode.MATH_OVERFLOW, op=op, **operands)


def _div_by_zero(op: str, **operands: int) -> ProtocolError:
    return ProtocolError(ErrorCode.DIVISION_BY_ZERO, op=op, **operands)


# The fast check below relies on `(a | b) >> 256` being non-zero iff a or b is negative or at
# least 2**256: it costs one `|` and one shift per call instead of four comparisons.


def wad_mul(a: int, b: int) -> int:
    """a * b / WAD, rounded half up. Reverts iff b != 0 and a > (MAX - HALF_WAD) // b."""
    if type(a) is not int or type(b) is not int or (a | b) >> 256:
        reject_non_uint256(a=a, b=b)
    p = a * b + HALF_WAD
    if p > UINT256_MAX:
        raise _overflow("wad_mul", a=a, b=b)
    return p // WAD


def wad_div(a: int, b: int) -> int:
    """a * WAD / b, rounded half up. Reverts iff b == 0 or a > (MAX - b // 2) // WAD."""
    if type(a) is not int or type(b) is not int or (a | b) >> 256:
        reject_non_uint256(a=a, b=b)
    if b == 0:
        raise _div_by_zero("wad_div", a=a)
    p = a * WAD + (b >> 1)
    if p > UINT256_MAX:
        raise _overflow("wad_div", a=a, b=b)
    return p // b


def ray_mul(a: int, b: int) -> int:
    """a * b / RAY, rounded half up. Reverts iff b != 0 and a > (MAX - HALF_RAY) // b."""
    if type(a) is not int or type(b) is not int or (a | b) >> 256:
        reject_non_uint256(a=a, b=b)
    p = a * b + HALF_RAY
    if p > UINT256_MAX:
        raise _overflow("ray_mul", a=a, b=b)
    return p // RAY


def ray_div(a: int, b: int) -> int:
    """a * RAY / b, rounded half up. Reverts iff b == 0 or a > (MAX - b // 2) // RAY."""
    if type(a) is not int or type(b) is not int or (a | b) >> 256:
        reject_non_uint256(a=a, b=b)
    if b == 0:
        raise _div_by_zero("ray_div", a=a)
    p = a * RAY + (b >> 1)
    if p > UINT256_MAX:
        raise _overflow("ray_div", a=a, b=b)
    return p // b


def ray_to_wad(a: int) -> int:
    """a / 1e9, rounded half up (a remainder of 5e8 or more rounds up). Never reverts.

    v3.0.2 divides first and adds the carry after, so even MAX converts.
    """
    if type(a) is not int or a >> 256:
        reject_non_uint256(a=a)
    q, r = divmod(a, WAD_RAY_RATIO)
    return q + 1 if r >= HALF_WAD_RAY_RATIO else q


def wad_to_ray(a: int) -> int:
    """a * 1e9, exact. Reverts iff the product overflows (a > MAX // 1e9)."""
    if type(a) is not int or a >> 256:
        reject_non_uint256(a=a)
    p = a * WAD_RAY_RATIO
    if p > UINT256_MAX:
        raise _overflow("wad_to_ray", a=a)
    return p


def percent_mul(value: int, percentage: int) -> int:
    """value * percentage / 1e4, rounded half up.

    Reverts iff percentage != 0 and value > (MAX - HALF_PERCENTAGE_FACTOR) // percentage.
    """
    if type(value) is not int or type(percentage) is not int or (value | percentage) >> 256:
        reject_non_uint256(value=value, percentage=percentage)
    p = value * percentage + HALF_PERCENTAGE_FACTOR
    if p > UINT256_MAX:
        raise _overflow("percent_mul", value=value, percentage=percentage)
    return p // PERCENTAGE_FACTOR


def percent_div(value: int, percentage: int) -> int:
    """value * 1e4 / percentage, rounded half up.

    Reverts iff percentage == 0 or value > (MAX - percentage // 2) // PERCENTAGE_FACTOR.
    """
    if type(value) is not int or type(percentage) is not int or (value | percentage) >> 256:
        reject_non_uint256(value=value, percentage=percentage)
    if percentage == 0:
        raise _div_by_zero("percent_div", value=value)
    p = value * PERCENTAGE_FACTOR + (percentage >> 1)
    if p > UINT256_MAX:
        raise _overflow("percent_div", value=value, percentage=percentage)
    return p // percentage


# --- directed rounding (aave-v3-origin): the product itself must fit, with no half added ---


def ray_mul_floor(a: int, b: int) -> int:
    """a * b / RAY, rounded down. Reverts iff b != 0 and a > MAX // b."""
    if type(a) is not int or type(b) is not int or (a | b) >> 256:
        reject_non_uint256(a=a, b=b)
    p = a * b
    if p > UINT256_MAX:
        raise _overflow("ray_mul_floor", a=a, b=b)
    return p // RAY


def ray_mul_ceil(a: int, b: int) -> int:
    """a * b / RAY, rounded up. Reverts iff b != 0 and a > MAX // b."""
    if type(a) is not int or type(b) is not int or (a | b) >> 256:
        reject_non_uint256(a=a, b=b)
    p = a * b
    if p > UINT256_MAX:
        raise _overflow("ray_mul_ceil", a=a, b=b)
    return -(-p // RAY)


def ray_div_floor(a: int, b: int) -> int:
    """a * RAY / b, rounded down. Reverts iff b == 0 or a > MAX // RAY."""
    if type(a) is not int or type(b) is not int or (a | b) >> 256:
        reject_non_uint256(a=a, b=b)
    if b == 0:
        raise _div_by_zero("ray_div_floor", a=a)
    p = a * RAY
    if p > UINT256_MAX:
        raise _overflow("ray_div_floor", a=a, b=b)
    return p // b


def ray_div_ceil(a: int, b: int) -> int:
    """a * RAY / b, rounded up. Reverts iff b == 0 or a > MAX // RAY."""
    if type(a) is not int or type(b) is not int or (a | b) >> 256:
        reject_non_uint256(a=a, b=b)
    if b == 0:
        raise _div_by_zero("ray_div_ceil", a=a)
    p = a * RAY
    if p > UINT256_MAX:
        raise _overflow("ray_div_ceil", a=a, b=b)
    return -(-p // b)


def percent_mul_floor(value: int, percentage: int) -> int:
    """value * percentage / 1e4, rounded down.

    Reverts iff percentage != 0 and value > MAX // percentage.
    """
    if type(value) is not int or type(percentage) is not int or (value | percentage) >> 256:
        reject_non_uint256(value=value, percentage=percentage)
    p = value * percentage
    if p > UINT256_MAX:
        raise _overflow("percent_mul_floor", value=value, percentage=percentage)
    return p // PERCENTAGE_FACTOR


def percent_mul_ceil(value: int, percentage: int) -> int:
    """value * percentage / 1e4, rounded up.

    Reverts iff percentage != 0 and value > MAX // percentage.
    """
    if type(value) is not int or type(percentage) is not int or (value | percentage) >> 256:
        reject_non_uint256(value=value, percentage=percentage)
    p = value * percentage
    if p > UINT256_MAX:
        raise _overflow("percent_mul_ceil", value=value, percentage=percentage)
    return -(-p // PERCENTAGE_FACTOR)


def percent_div_floor(value: int, percentage: int) -> int:
    """value * 1e4 / percentage, rounded down. Reverts iff percentage == 0 or value > MAX // 1e4."""
    if type(value) is not int or type(percentage) is not int or (value | percentage) >> 256:
        reject_non_uint256(value=value, percentage=percentage)
    if percentage == 0:
        raise _div_by_zero("percent_div_floor", value=value)
    p = value * PERCENTAGE_FACTOR
    if p > UINT256_MAX:
        raise _overflow("percent_div_floor", value=value, percentage=percentage)
    return p // percentage


def percent_div_ceil(value: int, percentage: int) -> int:
    """value * 1e4 / percentage, rounded up. Reverts iff percentage == 0 or value > MAX // 1e4."""
    if type(value) is not int or type(percentage) is not int or (value | percentage) >> 256:
        reject_non_uint256(value=value, percentage=percentage)
    if percentage == 0:
        raise _div_by_zero("percent_div_ceil", value=value)
    p = value * PERCENTAGE_FACTOR
    if p > UINT256_MAX:
        raise _overflow("percent_div_ceil", value=value, percentage=percentage)
    return -(-p // percentage)


class Rounding(StrEnum):
    """Which way `mul_div` rounds an inexact quotient."""

    FLOOR = "floor"  # toward zero
    CEIL = "ceil"  # away from zero
    HALF_UP = "half_up"  # to the nearest; an exact half goes up


# Module-level aliases: an enum member looked up through its class costs ~100 ns per access.
_FLOOR: Final = Rounding.FLOOR
_CEIL: Final = Rounding.CEIL
_HALF_UP: Final = Rounding.HALF_UP


def mul_div(x: int, y: int, denominator: int, *, rounding: Rounding) -> int:
    """x * y / denominator, rounded as asked; the product may exceed 256 bits.

    Like OpenZeppelin `Math.mulDiv(x, y, denominator, rounding)`: reverts iff denominator == 0
    (`DIVISION_BY_ZERO`) or the rounded result exceeds MAX (`MATH_OVERFLOW`; for CEIL this
    includes a floor of MAX plus the carry, as OZ's checked add does). HALF_UP is not in OZ: it
    is floor(x * y / d + 1/2), the convention of Aave's half-up functions.
    """
    if (
        type(x) is not int
        or type(y) is not int
        or type(denominator) is not int
        or (x | y | denominator) >> 256
    ):
        reject_non_uint256(x=x, y=y, denominator=denominator)
    if denominator == 0:
        raise _div_by_zero("mul_div", x=x, y=y)
    q, r = divmod(x * y, denominator)
    if rounding is _FLOOR:
        pass
    elif rounding is _CEIL:
        if r:
            q += 1
    elif rounding is _HALF_UP:
        if 2 * r >= denominator:
            q += 1
    else:
        raise ProtocolError(
            ErrorCode.INVALID_TYPE,
            field="rounding",
            expected="Rounding",
            got=type(rounding).__name__,
        )
    if q > UINT256_MAX:
        raise _overflow("mul_div", x=x, y=y, denominator=denominator)
    return q

"""Maker's `rpow`: fixed-point exponentiation with half-up rounding at every step.

The same assembly is in dss `Pot.rpow` (`src/pot.sol`), sDAI `SavingsDai._rpow` and sUSDS: the
savings rate accumulator `chi` grows by `rpow(dsr, now - rho, RAY)` on every `drip`, so a model
of Pot/sDAI/sUSDS must round exactly like it to agree to the wei.

Example:
    >>> rpow(2 * 10**27, 10, 10**27) == 1024 * 10**27
    True
"""

from __future__ import annotations

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.uint import UINT256_MAX, reject_non_uint256

__all__ = ["rpow"]


def rpow(x: int, n: int, base: int) -> int:
    """(x / base) ** n in units of `base`, by square-and-multiply, as dss `rpow` computes it.

    Rounding: each squaring and each multiply into the result is (p + base // 2) // base, half
    up. `x == 0` gives `base` when n == 0 and 0 otherwise.

    Reverts (`MATH_OVERFLOW`) exactly where the assembly does: when x*x or z*x (before the
    division by base) plus base // 2 exceeds 2**256 - 1.

    `base == 0` is never used by the contracts, but the assembly does not revert on it: the EVM's
    division by zero yields 0, so n == 0 gives 0, n == 1 gives x, and n >= 2 gives 0 (after the
    first squaring's overflow check). This follows it.

    Error bound, for x >= base (a growth rate, every intermediate at least `base`): each rounded
    step is off by at most 1/2 unit, a relative error of at most u = 1 / (2 * base), and a step's
    error is raised to the power of how often its value enters the result; those powers sum to
    at most n - 1 (the squarings contribute n - popcount(n), the multiplies popcount(n) - 1). So

        |rpow(x, n, base) - base * (x / base) ** n| <= base * (x / base) ** n * ((1 + u)**(n-1) - 1)

    and while n * n <= 2 * base that is under n / (2 * base) of the result: for a year of
    seconds and RAY, about 1.6e-20.
    """
    if type(x) is not int or type(n) is not int or type(base) is not int or (x | n | base) >> 256:
        reject_non_uint256(x=x, n=n, base=base)
    if x == 0:
        return base if n == 0 else 0
    if base == 0:
        if n >= 2 and x * x > UINT256_MAX:
            raise ProtocolError(ErrorCode.MATH_OVERFLOW, op="rpow", x=x, n=n, base=base)
        return x if n == 1 else 0
    z = x if n & 1 else base
    half = base >> 1
    n >>= 1
    while n:
        xx = x * x + half
        if xx > UINT256_MAX:
            raise ProtocolError(ErrorCode.MATH_OVERFLOW, op="rpow", x=x, n=n, base=base)
        x = xx // base
        if n & 1:
            zx = z * x + half
            if zx > UINT256_MAX:
                raise ProtocolError(ErrorCode.MATH_OVERFLOW, op="rpow", x=x, n=n, base=base)
            z = zx // base
        n >>= 1
    return z

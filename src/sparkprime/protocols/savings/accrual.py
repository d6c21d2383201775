"""The one accrual step every savings contract shares: chi' = rmul(rpow(rate, dt), chi).

dss `Pot.drip`, sDAI's `chi` view and sUSDS's `drip` all grow the accumulator by the
per-second rate raised to the elapsed seconds (half-up `rpow`), then multiply and floor
(`rmul`); the product reverts on uint256 overflow, as the contracts' checked `mul` does.
"""

from __future__ import annotations

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY
from sparkprime.core.rpow import rpow
from sparkprime.core.uint import UINT256_MAX

__all__ = ["accrued_chi"]


def accrued_chi(rate_ray: int, chi_ray: int, elapsed_s: int, *, op: str) -> int:
    """`rpow(rate_ray, elapsed_s, RAY) * chi_ray // RAY`, floored; MATH_OVERFLOW (naming
    `op`) when the product passes uint256."""
    product = rpow(rate_ray, elapsed_s, RAY) * chi_ray
    if product > UINT256_MAX:
        raise ProtocolError(
            ErrorCode.MATH_OVERFLOW, op=op, rate=rate_ray, chi=chi_ray, elapsed_s=elapsed_s
        )
    return product // RAY

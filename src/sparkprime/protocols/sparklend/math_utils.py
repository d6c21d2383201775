"""SparkLend's interest accrual, `libraries/math/MathUtils.sol` of Aave v3.0.2, to the wei.

- `calculate_linear_interest`: `RAY + rate * Δt / SECONDS_PER_YEAR` (floor), the liquidity
  index growth;
- `calculate_compounded_interest`: the three-term binomial expansion of
  `(1 + rate / SECONDS_PER_YEAR) ** Δt`, the variable borrow index growth:

      RAY + ⌊rate·Δt / Y⌋ + ⌊Δt(Δt-1)·b2 / 2⌋ + ⌊Δt(Δt-1)(Δt-2)·b3 / 6⌋
      b2 = ⌊rayMul(rate, rate) / Y²⌋,  b3 = ⌊rayMul(b2, rate) / Y⌋   (rayMul rounds half up)

  with `Δt - 2` taken as 0 when Δt <= 2. It slightly undercharges against true compounding.

Time is explicit: `now_ts_s` is the contract's `block.timestamp` (uint256) and
`last_update_ts_s` its `uint40 lastUpdateTimestamp`. Every operation the contract checks is
checked here: `now < last` or any product past 2**256 - 1 raises
`ProtocolError(MATH_OVERFLOW)` (the EVM's panic, or `rayMul`'s revert), never a wrapped value.
The contract's `unchecked` blocks hold only operations that cannot overflow (a division, Δt - 1
with Δt >= 1, and the constant Y²), so no value here ever wraps either.

Aave v3.4+ (aave-v3-origin) replaced the compounded formula with
`RAY + x + rayMul(x, x/2 + rayMul(x, x/6))`, x = ⌊rate·Δt / Y⌋; SparkLend does not use it.

Example:
    >>> calculate_linear_interest(RAY // 10, 0, SECONDS_PER_YEAR)
    1100000000000000000000000000
    >>> calculate_compounded_interest(RAY // 10, 0, SECONDS_PER_YEAR)
    1105162042821782412575504000
"""

from __future__ import annotations

from typing import Final, NoReturn

from sparkprime.core.errors import ErrorCode, InvariantViolation, ProtocolError
from sparkprime.core.fixed import RAY, ray_mul
from sparkprime.core.uint import UINT256_MAX, check_uint, check_uint256

__all__ = [
    "SECONDS_PER_YEAR",
    "calculate_compounded_interest",
    "calculate_linear_interest",
]

SECONDS_PER_YEAR: Final = 365 * 24 * 60 * 60  # 365 days: leap years ignored
_SECONDS_PER_YEAR_SQUARED: Final = SECONDS_PER_YEAR * SECONDS_PER_YEAR


def _reject(rate_ray: object, last_update_ts_s: object, now_ts_s: object) -> NoReturn:
    check_uint256(rate_ray, field="rate_ray")
    check_uint(last_update_ts_s, field="last_update_ts_s", bits=40)
    check_uint256(now_ts_s, field="now_ts_s")
    raise InvariantViolation(
        "fast argument check disagrees with check_uint",
        rate_ray=rate_ray,
        last_update_ts_s=last_update_ts_s,
        now_ts_s=now_ts_s,
    )


def _overflow(op: str, rate_ray: int, last_update_ts_s: int, now_ts_s: int) -> ProtocolError:
    return ProtocolError(
        ErrorCode.MATH_OVERFLOW,
        op=op,
        rate_ray=rate_ray,
        last_update_ts_s=last_update_ts_s,
        now_ts_s=now_ts_s,
    )


def calculate_linear_interest(rate_ray: int, last_update_ts_s: int, now_ts_s: int) -> int:
    """`MathUtils.calculateLinearInterest(rate, lastUpdateTimestamp)` at `now_ts_s`, in ray."""
    if (
        type(rate_ray) is not int
        or type(last_update_ts_s) is not int
        or type(now_ts_s) is not int
        or (rate_ray | now_ts_s) >> 256
        or last_update_ts_s >> 40
    ):
        _reject(rate_ray, last_update_ts_s, now_ts_s)
    elapsed = now_ts_s - last_update_ts_s
    if elapsed < 0:
        raise _overflow("now - last_update", rate_ray, last_update_ts_s, now_ts_s)
    result = rate_ray * elapsed
    if result > UINT256_MAX:
        raise _overflow("rate * elapsed", rate_ray, last_update_ts_s, now_ts_s)
    # The contract's checked `RAY + result` cannot overflow: result // YEAR <= MAX // YEAR.
    return RAY + result // SECONDS_PER_YEAR


def calculate_compounded_interest(rate_ray: int, last_update_ts_s: int, now_ts_s: int) -> int:
    """`MathUtils.calculateCompoundedInterest(rate, lastUpdateTimestamp, currentTimestamp)`.

    In ray; exactly RAY when no time passed.
    """
    if (
        type(rate_ray) is not int
        or type(last_update_ts_s) is not int
        or type(now_ts_s) is not int
        or (rate_ray | now_ts_s) >> 256
        or last_update_ts_s >> 40
    ):
        _reject(rate_ray, last_update_ts_s, now_ts_s)
    exp = now_ts_s - last_update_ts_s
    if exp <= 0:
        if exp == 0:
            return RAY
        raise _overflow("now - last_update", rate_ray, last_update_ts_s, now_ts_s)
    exp_minus_one = exp - 1
    exp_minus_two = exp - 2 if exp > 2 else 0
    # rayMul reverts on its own (MATH_OVERFLOW) even inside the contract's unchecked block.
    base_power_two = ray_mul(rate_ray, rate_ray) // _SECONDS_PER_YEAR_SQUARED
    base_power_three = ray_mul(base_power_two, rate_ray) // SECONDS_PER_YEAR

    # Checked products, each partial product on its own: a zero later factor does not save an
    # earlier overflow, as in the EVM.
    e2 = exp * exp_minus_one
    second_term = e2 * base_power_two
    e3 = e2 * exp_minus_two
    third_term = e3 * base_power_three
    linear = rate_ray * exp
    if (
        e2 > UINT256_MAX
        or second_term > UINT256_MAX
        or e3 > UINT256_MAX
        or third_term > UINT256_MAX
        or linear > UINT256_MAX
    ):
        raise _overflow("compounded interest terms", rate_ray, last_update_ts_s, now_ts_s)
    # The contract's checked sum cannot overflow once each product fits:
    # RAY + MAX / YEAR + MAX / 2 + MAX / 6 < MAX.
    return RAY + linear // SECONDS_PER_YEAR + second_term // 2 + third_term // 6

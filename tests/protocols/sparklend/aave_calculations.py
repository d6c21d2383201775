"""Reference math from aave-v3-core's hardhat helpers
(`test-suites/helpers/utils/calculations.ts`), shared by the ported suites that check
values against them."""

from __future__ import annotations

from typing import Final

from sparkprime.core.fixed import RAY, ray_mul

__all__ = ["SECONDS_PER_YEAR", "compounded_interest"]

SECONDS_PER_YEAR: Final = 365 * 86400


def compounded_interest(rate_ray: int, now_s: int, last_s: int) -> int:
    """`calcCompoundedInterest`: the three-term binomial approximation of
    (1 + rate / year)^t, each term floored."""
    t = now_s - last_s
    if t == 0:
        return RAY
    t_minus_one = t - 1
    t_minus_two = t - 2 if t > 2 else 0
    base_power_two = ray_mul(rate_ray, rate_ray) // (SECONDS_PER_YEAR * SECONDS_PER_YEAR)
    base_power_three = ray_mul(base_power_two, rate_ray) // SECONDS_PER_YEAR
    second_term = t * t_minus_one * base_power_two // 2
    third_term = t * t_minus_one * t_minus_two * base_power_three // 6
    return RAY + rate_ray * t // SECONDS_PER_YEAR + second_term + third_term

"""Every conversion between an amount and a scaled balance, in one place per rounding mode.

SparkLend v1.0.0 (`HALF_UP_V1`, live) rounds every scaled-balance conversion half-up
(`rayDiv` / `rayMul`). The rounding-mitigation upgrade (`DIRECTED`, spec §1.11) rounds each
one in the protocol's favour instead:

| conversion | HALF_UP_V1 | DIRECTED |
|---|---|---|
| aToken mint, mint to treasury (amount -> scaled) | rayDiv | rayDivFloor |
| aToken burn, transfer, liquidation (amount -> scaled) | rayDiv | rayDivCeil |
| aToken balance, total supply, withdraw balance (scaled -> amount) | rayMul | rayMulFloor |
| variable debt mint (amount -> scaled) | rayDiv | rayDivCeil |
| variable debt burn (amount -> scaled) | rayDiv | rayDivFloor |
| variable debt balance, total supply (scaled -> amount) | rayMul | rayMulCeil |
| debt value in base currency (price * debt / unit) | floor | ceil |

A `ScaledMath` holds the functions of one mode; the Pool picks one at construction and every
token and logic module calls through it, so no other module names a rounding direction for a
scaled balance. Index accrual, the rate strategies and `updateInterestRates` are the same in
both modes (half-up).

Besides these conversions, `DIRECTED` changes four behaviours, each in its module: an aToken
`transfer_from` and a delegated borrow charge the allowance the owner's actual balance change
(capped at the allowance; too small an allowance is `INSUFFICIENT_ALLOWANCE`), a repayment
with aTokens clears the payer's collateral bit at a zero scaled balance and checks the health
factor, and a same-asset liquidation taking the underlying counts the repayment in the
collateral-side rate update (`liquidation_logic`). The liquidation protocol fee's pre-check
uses the aToken burn / balance conversions (`rayDivCeil`, fallback `rayMulFloor`).
`DIRECTED` is checked against sparklend-testing HEAD's Supply, Withdraw, Borrow, Repay,
MintToTreasury, LiquidationCall, FlashLoan(Simple), DustLiquidationRoundingAttack and
SameAssetLiquidation suites.

Example:
    >>> math = scaled_math(RoundingMode.HALF_UP_V1)
    >>> math.a_mint_scaled(10**18, 3 * 10**27 // 2)
    666666666666666667
    >>> scaled_math(RoundingMode.DIRECTED).a_mint_scaled(10**18, 3 * 10**27 // 2)
    666666666666666666
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from enum import StrEnum

from sparkprime.core.fixed import (
    ray_div,
    ray_div_ceil,
    ray_div_floor,
    ray_mul,
    ray_mul_ceil,
    ray_mul_floor,
)

__all__ = ["RoundingMode", "ScaledMath", "scaled_math"]


class RoundingMode(StrEnum):
    """Which SparkLend rounding a Pool runs."""

    HALF_UP_V1 = "half_up_v1"  # SparkLend v1.0.0, live
    DIRECTED = "directed"  # the rounding-mitigation upgrade (spec §1.11)


def _floor_div(a: int, b: int) -> int:
    return a // b


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class ScaledMath:
    """The scaled-balance conversions of one rounding mode (see the module table)."""

    mode: RoundingMode
    #: aToken mint / mint to treasury: amount -> scaled
    a_mint_scaled: Callable[[int, int], int]
    #: aToken burn / transfer: amount -> scaled
    a_burn_scaled: Callable[[int, int], int]
    #: aToken scaled -> balance
    a_balance: Callable[[int, int], int]
    #: variable debt mint: amount -> scaled
    v_mint_scaled: Callable[[int, int], int]
    #: variable debt burn: amount -> scaled
    v_burn_scaled: Callable[[int, int], int]
    #: variable debt scaled -> balance
    v_balance: Callable[[int, int], int]
    #: (price * debt, unit) -> debt in base currency
    debt_to_base: Callable[[int, int], int]

    @property
    def directed(self) -> bool:
        """True for the rounding-mitigation mode."""
        return self.mode is RoundingMode.DIRECTED


_HALF_UP_V1 = ScaledMath(
    mode=RoundingMode.HALF_UP_V1,
    a_mint_scaled=ray_div,
    a_burn_scaled=ray_div,
    a_balance=ray_mul,
    v_mint_scaled=ray_div,
    v_burn_scaled=ray_div,
    v_balance=ray_mul,
    debt_to_base=_floor_div,
)

_DIRECTED = ScaledMath(
    mode=RoundingMode.DIRECTED,
    a_mint_scaled=ray_div_floor,
    a_burn_scaled=ray_div_ceil,
    a_balance=ray_mul_floor,
    v_mint_scaled=ray_div_ceil,
    v_burn_scaled=ray_div_floor,
    v_balance=ray_mul_ceil,
    debt_to_base=_ceil_div,
)


def scaled_math(mode: RoundingMode) -> ScaledMath:
    """The conversions of `mode`."""
    return _DIRECTED if mode is RoundingMode.DIRECTED else _HALF_UP_V1

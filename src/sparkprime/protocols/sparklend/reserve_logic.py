"""`ReserveLogic.sol`: a reserve's indexes, treasury accrual and interest rates.

- `cache` snapshots what an action reads once (indexes, rates, timestamps, the reserve
  factor, the variable debt token's scaled total supply, the stable debt supply data);
  every `next_*` starts equal to its `curr_*`.
- `update_state` accrues at most once per timestamp: the liquidity index grows linearly at
  the current liquidity rate (only if that rate is non-zero), the variable borrow index
  compounds at the current variable rate (only if there is variable debt), and the reserve
  factor's share of the interest accrued since the last update is added, scaled, to
  `accrued_to_treasury`.
- `update_interest_rates` asks the reserve's strategy for new rates after an action; the
  cash it sees is the aToken's underlying balance plus `liquidity_added` minus
  `liquidity_taken`.
- `get_normalized_income` / `get_normalized_debt` are the indexes as of now without writing.

Indexes, rates and `accrued_to_treasury` are uint128 in storage: SafeCast's `toUint128`
reverts, raised here as `MATH_OVERFLOW` with `op="to_uint128"`. Writes to the reserve are
logged in the Pool's `Atomic` first, so a failing action leaves the reserve as it was.
"""

from __future__ import annotations

from typing import Final

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY, percent_mul, ray_div, ray_mul, wad_to_ray
from sparkprime.core.uint import UINT128_MAX, UINT256_MAX
from sparkprime.protocols.atomic import Atomic
from sparkprime.protocols.sparklend.configuration import RESERVE_FACTOR_START_BIT_POSITION
from sparkprime.protocols.sparklend.math_utils import (
    calculate_compounded_interest,
    calculate_linear_interest,
)
from sparkprime.protocols.sparklend.rate_strategies import CalculateInterestRatesParams
from sparkprime.protocols.sparklend.tokens import StableDebtToken, VariableDebtToken
from sparkprime.protocols.sparklend.types import ReserveCache, ReserveData

__all__ = [
    "cache",
    "cumulate_to_liquidity_index",
    "get_normalized_debt",
    "get_normalized_income",
    "to_uint128",
    "update_interest_rates",
    "update_state",
]

_U128: Final = UINT128_MAX


def to_uint128(value: int, field: str) -> int:
    """SafeCast.toUint128: `value` if it fits, else `MATH_OVERFLOW`."""
    if value > _U128:
        raise ProtocolError(ErrorCode.MATH_OVERFLOW, op="to_uint128", field=field, value=value)
    return value


def get_normalized_income(reserve: ReserveData, now: int) -> int:
    """The liquidity index as of `now` (the stored one if it was updated at `now`)."""
    ts = reserve.last_update_timestamp
    if ts == now:
        return reserve.liquidity_index
    return ray_mul(
        calculate_linear_interest(reserve.current_liquidity_rate, ts, now), reserve.liquidity_index
    )


def get_normalized_debt(reserve: ReserveData, now: int) -> int:
    """The variable borrow index as of `now` (the stored one if it was updated at `now`)."""
    ts = reserve.last_update_timestamp
    if ts == now:
        return reserve.variable_borrow_index
    return ray_mul(
        calculate_compounded_interest(reserve.current_variable_borrow_rate, ts, now),
        reserve.variable_borrow_index,
    )


def cache(
    reserve: ReserveData, variable_debt: VariableDebtToken, stable_debt: StableDebtToken
) -> ReserveCache:
    """`ReserveLogic.cache`: the action's start-of-call view of the reserve."""
    c = ReserveCache()
    config = reserve.configuration
    c.reserve_configuration = config
    c.reserve_factor = (config.data >> RESERVE_FACTOR_START_BIT_POSITION) & 0xFFFF
    c.curr_liquidity_index = c.next_liquidity_index = reserve.liquidity_index
    c.curr_variable_borrow_index = c.next_variable_borrow_index = reserve.variable_borrow_index
    c.curr_liquidity_rate = reserve.current_liquidity_rate
    c.curr_variable_borrow_rate = reserve.current_variable_borrow_rate
    c.a_token_address = reserve.a_token_address
    c.stable_debt_token_address = reserve.stable_debt_token_address
    c.variable_debt_token_address = reserve.variable_debt_token_address
    c.reserve_last_update_timestamp = reserve.last_update_timestamp
    c.curr_scaled_variable_debt = c.next_scaled_variable_debt = variable_debt.scaled_total_supply()
    (
        c.curr_principal_stable_debt,
        c.curr_total_stable_debt,
        c.curr_avg_stable_borrow_rate,
        c.stable_debt_last_update_timestamp,
    ) = stable_debt.get_supply_data()
    c.next_total_stable_debt = c.curr_total_stable_debt
    c.next_avg_stable_borrow_rate = c.curr_avg_stable_borrow_rate
    return c


def update_state(reserve: ReserveData, c: ReserveCache, now: int, atomic: Atomic) -> None:
    """Accrue interest up to `now` (nothing if already done at `now`)."""
    if reserve.last_update_timestamp == now:
        return
    atomic.save(reserve)
    _update_indexes(reserve, c, now)
    _accrue_to_treasury(reserve, c)
    reserve.last_update_timestamp = now


def _update_indexes(reserve: ReserveData, c: ReserveCache, now: int) -> None:
    ts = c.reserve_last_update_timestamp
    if c.curr_liquidity_rate != 0:
        c.next_liquidity_index = ray_mul(
            calculate_linear_interest(c.curr_liquidity_rate, ts, now), c.curr_liquidity_index
        )
        reserve.liquidity_index = to_uint128(c.next_liquidity_index, "liquidity_index")
    if c.curr_scaled_variable_debt != 0:
        c.next_variable_borrow_index = ray_mul(
            calculate_compounded_interest(c.curr_variable_borrow_rate, ts, now),
            c.curr_variable_borrow_index,
        )
        reserve.variable_borrow_index = to_uint128(
            c.next_variable_borrow_index, "variable_borrow_index"
        )


def _accrue_to_treasury(reserve: ReserveData, c: ReserveCache) -> None:
    reserve_factor = c.reserve_factor
    if reserve_factor == 0:
        return
    scaled = c.curr_scaled_variable_debt
    prev_variable = ray_mul(scaled, c.curr_variable_borrow_index)
    curr_variable = ray_mul(scaled, c.next_variable_borrow_index)
    prev_stable = 0
    if c.curr_principal_stable_debt != 0:  # rayMul(0, x) == 0: skip the interest term
        prev_stable = ray_mul(
            c.curr_principal_stable_debt,
            calculate_compounded_interest(
                c.curr_avg_stable_borrow_rate,
                c.stable_debt_last_update_timestamp,
                c.reserve_last_update_timestamp,
            ),
        )
    accrued = curr_variable + c.curr_total_stable_debt - prev_variable - prev_stable
    if accrued < 0:
        raise ProtocolError(ErrorCode.MATH_OVERFLOW, op="totalDebtAccrued (underflow)")
    amount_to_mint = percent_mul(accrued, reserve_factor)
    if amount_to_mint != 0:
        reserve.accrued_to_treasury = to_uint128(
            reserve.accrued_to_treasury
            + to_uint128(ray_div(amount_to_mint, c.next_liquidity_index), "accrued"),
            "accrued_to_treasury",
        )


def update_interest_rates(
    reserve: ReserveData,
    c: ReserveCache,
    *,
    liquidity_added: int,
    liquidity_taken: int,
    underlying_balance: int,
    atomic: Atomic,
) -> None:
    """Store the strategy's new rates; `underlying_balance` is the aToken's cash now."""
    total_variable_debt = ray_mul(c.next_scaled_variable_debt, c.next_variable_borrow_index)
    rates = reserve.interest_rate_strategy.calculate_interest_rates(
        CalculateInterestRatesParams(
            unbacked=reserve.unbacked,
            liquidity_added=liquidity_added,
            liquidity_taken=liquidity_taken,
            total_stable_debt=c.next_total_stable_debt,
            total_variable_debt=total_variable_debt,
            average_stable_borrow_rate=c.next_avg_stable_borrow_rate,
            reserve_factor=c.reserve_factor,
            available_liquidity=underlying_balance,
        )
    )
    liquidity_rate = to_uint128(rates[0], "liquidity_rate")
    stable_rate = to_uint128(rates[1], "stable_borrow_rate")
    variable_rate = to_uint128(rates[2], "variable_borrow_rate")
    atomic.save(reserve)
    reserve.current_liquidity_rate = liquidity_rate
    reserve.current_stable_borrow_rate = stable_rate
    reserve.current_variable_borrow_rate = variable_rate


def cumulate_to_liquidity_index(
    reserve: ReserveData, total_liquidity: int, amount: int, atomic: Atomic
) -> int:
    """Add `amount` of instant income (flash-loan premiums) to the liquidity index:
    `(amount / total_liquidity + 1) x index`; returns the new index."""
    ratio = ray_div(wad_to_ray(amount), wad_to_ray(total_liquidity)) + RAY
    if ratio > UINT256_MAX:
        raise ProtocolError(ErrorCode.MATH_OVERFLOW, op="ratio + RAY", value=ratio)
    result = ray_mul(ratio, reserve.liquidity_index)
    index = to_uint128(result, "liquidity_index")
    atomic.save(reserve)
    reserve.liquidity_index = index
    return result

"""`PoolLogic.sol`: listing and dropping reserves, minting the treasury's share, resets.

Reserve ids are handed out in order; a dropped reserve frees its id for the next listing
(`reserves_count` only grows when no free id exists). At most `MAX_RESERVES_COUNT` (128) ids.
"""

from __future__ import annotations

from collections.abc import Sequence

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY, ray_mul
from sparkprime.core.ids import Address
from sparkprime.protocols.sparklend.configuration import (
    MAX_RESERVES_COUNT,
    ReserveConfigurationMap,
)
from sparkprime.protocols.sparklend.rate_strategies import ReserveInterestRateStrategy
from sparkprime.protocols.sparklend.reserve_logic import get_normalized_income
from sparkprime.protocols.sparklend.state import PoolState
from sparkprime.protocols.sparklend.tokens import AToken, StableDebtToken, VariableDebtToken
from sparkprime.protocols.sparklend.types import ReserveData
from sparkprime.protocols.sparklend.validation_logic import validate_drop_reserve

__all__ = [
    "execute_drop_reserve",
    "execute_init_reserve",
    "execute_mint_to_treasury",
    "execute_reset_isolation_mode_total_debt",
    "get_reserves_list",
]

_ACTIVE_BIT = 1 << 56


def execute_init_reserve(
    state: PoolState,
    asset: Address,
    *,
    a_token: AToken,
    stable_debt_token: StableDebtToken,
    variable_debt_token: VariableDebtToken,
    interest_rate_strategy: ReserveInterestRateStrategy,
) -> bool:
    """List `asset`; returns True when it took a new id (the Pool then counts it)."""
    if asset not in state.registry:
        raise ProtocolError(ErrorCode.NOT_CONTRACT, asset=asset)
    if asset in state.reserves:
        # ReserveLogic.init runs first: an initialized reserve already has its aToken.
        raise ProtocolError(ErrorCode.RESERVE_ALREADY_INITIALIZED, asset=asset)
    free_id = next((i for i in range(state.reserves_count) if i not in state.reserves_list), None)
    if free_id is None and state.reserves_count >= MAX_RESERVES_COUNT:
        raise ProtocolError(ErrorCode.NO_MORE_RESERVES_ALLOWED, reserves_count=state.reserves_count)
    reserve_id = state.reserves_count if free_id is None else free_id
    atomic = state.atomic
    reserve = ReserveData(
        configuration=ReserveConfigurationMap(),
        liquidity_index=RAY,
        current_liquidity_rate=0,
        variable_borrow_index=RAY,
        current_variable_borrow_rate=0,
        current_stable_borrow_rate=0,
        last_update_timestamp=0,
        id=reserve_id,
        a_token_address=a_token.address,
        stable_debt_token_address=stable_debt_token.address,
        variable_debt_token_address=variable_debt_token.address,
        interest_rate_strategy=interest_rate_strategy,
        accrued_to_treasury=0,
        unbacked=0,
        isolation_mode_total_debt=0,
    )
    atomic.set_item(state.reserves, asset, reserve)
    atomic.set_item(state.reserves_list, reserve_id, asset)
    atomic.set_item(state.a_tokens, asset, a_token)
    atomic.set_item(state.s_tokens, asset, stable_debt_token)
    atomic.set_item(state.v_tokens, asset, variable_debt_token)
    atomic.set_item(state.underlyings, asset, state.registry.get(asset))
    return free_id is None


def execute_drop_reserve(state: PoolState, asset: Address) -> None:
    """Unlist a reserve nobody supplies or borrows; its id becomes free."""
    validate_drop_reserve(state, asset)
    atomic = state.atomic
    atomic.del_item(state.reserves_list, state.reserves[asset].id)
    atomic.del_item(state.reserves, asset)
    atomic.del_item(state.a_tokens, asset)
    atomic.del_item(state.s_tokens, asset)
    atomic.del_item(state.v_tokens, asset)
    atomic.del_item(state.underlyings, asset)


def execute_mint_to_treasury(state: PoolState, assets: Sequence[Address]) -> None:
    """Mint each active reserve's `accrued_to_treasury` (scaled) to the treasury as aTokens,
    at the current normalized income, and reset it to 0."""
    now = state.clock.now
    atomic = state.atomic
    for asset in assets:
        reserve = state.reserves.get(asset)
        if reserve is None or not reserve.configuration.data & _ACTIVE_BIT:
            continue
        accrued = reserve.accrued_to_treasury
        if accrued == 0:
            continue
        atomic.save(reserve)
        reserve.accrued_to_treasury = 0
        index = get_normalized_income(reserve, now)
        amount = ray_mul(accrued, index)
        state.a_tokens[asset].mint_to_treasury(amount, index, sender=state.address)


def execute_reset_isolation_mode_total_debt(state: PoolState, asset: Address) -> None:
    """Zero the isolated-debt counter of an asset whose debt ceiling is now 0."""
    reserve = state.reserves.get(asset)
    ceiling = 0 if reserve is None else reserve.configuration.get_debt_ceiling()
    if ceiling != 0:
        raise ProtocolError(ErrorCode.DEBT_CEILING_NOT_ZERO, asset=asset, ceiling=ceiling)
    if reserve is not None:
        state.atomic.save(reserve)
        reserve.isolation_mode_total_debt = 0


def get_reserves_list(state: PoolState) -> list[Address]:
    """Listed assets in id order, skipping dropped ids."""
    return [state.reserves_list[i] for i in range(state.reserves_count) if i in state.reserves_list]

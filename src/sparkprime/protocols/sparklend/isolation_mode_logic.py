"""`IsolationModeLogic.sol`: the debt counted against an isolated collateral's ceiling.

A user is isolated when exactly one collateral is enabled and it has a debt ceiling
(`get_isolation_mode_state`, from UserConfiguration.getIsolationModeState). Borrowing adds,
and repaying or being liquidated removes, `amount / 10^(decimals - 2)` (floor) to the
collateral reserve's `isolation_mode_total_debt`, in the ceiling's 2-decimal units; a removal
larger than the counter (interest is not counted) clamps it to 0.
"""

from __future__ import annotations

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.core.uint import UINT128_MAX
from sparkprime.protocols.sparklend.configuration import (
    COLLATERAL_MASK,
    DEBT_CEILING_DECIMALS,
    USER_BORROWING_MASK,
    ReserveConfigurationMap,
    UserConfigurationMap,
)
from sparkprime.protocols.sparklend.state import PoolState

__all__ = [
    "add_isolated_debt",
    "get_isolation_mode_state",
    "get_siloed_borrowing_state",
    "isolated_debt_units",
    "update_isolated_debt_if_isolated",
]


def _first_asset(state: PoolState, bits: int) -> Address | None:
    """`reservesList[_getFirstAssetIdByMask(...)]`: the asset of the lowest set bit."""
    lowest = bits & -bits
    return state.reserves_list.get((lowest.bit_length() - 1) >> 1)


def get_isolation_mode_state(
    state: PoolState, user_config: UserConfigurationMap
) -> tuple[bool, Address | None, int]:
    """`UserConfiguration.getIsolationModeState`: (isolated, the collateral, its ceiling).

    Isolated iff exactly one collateral is enabled and it has a debt ceiling.
    """
    if user_config.is_using_as_collateral_one():
        asset = _first_asset(state, user_config.data & COLLATERAL_MASK)
        if asset is not None:
            ceiling = state.reserves[asset].configuration.get_debt_ceiling()
            if ceiling != 0:
                return True, asset, ceiling
    return False, None, 0


def get_siloed_borrowing_state(
    state: PoolState, user_config: UserConfigurationMap
) -> tuple[bool, Address | None]:
    """`UserConfiguration.getSiloedBorrowingState`: (borrows exactly one asset and it is
    siloed, that asset)."""
    if user_config.is_borrowing_one():
        asset = _first_asset(state, user_config.data & USER_BORROWING_MASK)
        if asset is not None and state.reserves[asset].configuration.get_siloed_borrowing():
            return True, asset
    return False, None


def isolated_debt_units(amount: int, debt_config: ReserveConfigurationMap) -> int:
    """`(amount / 10^(decimals - DEBT_CEILING_DECIMALS)).toUint128()`."""
    decimals = debt_config.get_decimals()
    if decimals < DEBT_CEILING_DECIMALS:  # a Panic on the subtraction in the contract
        raise ProtocolError(ErrorCode.MATH_OVERFLOW, op="decimals - DEBT_CEILING_DECIMALS")
    units: int = amount // 10 ** (decimals - DEBT_CEILING_DECIMALS)
    if units > UINT128_MAX:
        raise ProtocolError(ErrorCode.MATH_OVERFLOW, op="to_uint128", field="isolated debt")
    return units


def add_isolated_debt(
    state: PoolState, collateral_asset: Address, amount: int, debt_config: ReserveConfigurationMap
) -> int:
    """A borrow in isolation mode: add its units to the collateral's counter; returns the
    new total."""
    reserve = state.reserves[collateral_asset]
    total = reserve.isolation_mode_total_debt + isolated_debt_units(amount, debt_config)
    if total > UINT128_MAX:
        raise ProtocolError(ErrorCode.MATH_OVERFLOW, op="isolation_mode_total_debt + amount")
    state.atomic.save(reserve)
    reserve.isolation_mode_total_debt = total
    return total


def update_isolated_debt_if_isolated(
    state: PoolState,
    user_config: UserConfigurationMap,
    debt_config: ReserveConfigurationMap,
    repay_amount: int,
) -> None:
    """A repayment (or liquidation) by an isolated user lowers the collateral's counter."""
    isolated, collateral_asset, _ = get_isolation_mode_state(state, user_config)
    if not isolated or collateral_asset is None:
        return
    reserve = state.reserves[collateral_asset]
    repaid = isolated_debt_units(repay_amount, debt_config)
    current = reserve.isolation_mode_total_debt
    state.atomic.save(reserve)
    reserve.isolation_mode_total_debt = 0 if current <= repaid else current - repaid

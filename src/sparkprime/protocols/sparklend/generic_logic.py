"""`GenericLogic.sol`: a user's collateral, debt, LTV, liquidation threshold and health factor.

For every reserve the user supplies as collateral or borrows (the set bits of the user's
configuration, in reserve-id order, up to `reserves_count`), in the base currency (USD with
8 decimals):

- price: the user's eMode category price when the category has a price source and the asset
  is in the category, else `oracle.get_asset_price(asset)`;
- collateral (liquidation threshold != 0 and collateral bit set):
  `aToken balance x price / 10^decimals`, weighted by the eMode ltv/threshold when the asset is
  in the user's category, else by its own; a collateral with LTV 0 adds no LTV and sets
  `has_zero_ltv_collateral`;
- debt (borrowing bit set): `(variable debt + stable debt) x price / 10^decimals`.

`avg_ltv` and `avg_liquidation_threshold` are the collateral-weighted averages (floor);
`health_factor = wadDiv(percentMul(collateral, avg_lt), debt)`, uint256.max without debt.
Balances are read with the Pool's rounding (`ScaledMath`): half-up in v1.0.0; in DIRECTED
mode collateral rounds down and debt up.
"""

from __future__ import annotations

from typing import Final

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import percent_mul, wad_div
from sparkprime.core.ids import Address
from sparkprime.core.uint import UINT256_MAX
from sparkprime.protocols.sparklend.configuration import (
    EMODE_CATEGORY_START_BIT_POSITION,
    LIQUIDATION_THRESHOLD_START_BIT_POSITION,
    RESERVE_DECIMALS_START_BIT_POSITION,
    UserConfigurationMap,
)
from sparkprime.protocols.sparklend.reserve_logic import (
    get_normalized_debt,
    get_normalized_income,
)
from sparkprime.protocols.sparklend.state import PoolState
from sparkprime.protocols.sparklend.types import UserAccountData

__all__ = [
    "AccountData",
    "calculate_available_borrows",
    "calculate_user_account_data",
    "get_user_account_data",
]

_MAX: Final = UINT256_MAX
_UNITS: Final = tuple(10**d for d in range(256))

#: (total collateral base, total debt base, avg ltv bps, avg liquidation threshold bps,
#: health factor wad, has zero-LTV collateral)
AccountData = tuple[int, int, int, int, int, bool]

_EMPTY: Final[AccountData] = (0, 0, 0, 0, _MAX, False)


def _overflow(op: str, value: int) -> ProtocolError:
    return ProtocolError(ErrorCode.MATH_OVERFLOW, op=op, value=value)


def calculate_user_account_data(  # noqa: PLR0915 - one hot loop, kept whole
    state: PoolState, user_config: UserConfigurationMap, user: Address, emode_category: int
) -> AccountData:
    """`GenericLogic.calculateUserAccountData` for `user` with `user_config` and category."""
    data = user_config.data
    if data == 0:
        return _EMPTY
    oracle = state.oracle
    emode_ltv = emode_lt = emode_price = 0
    if emode_category != 0:
        category = state.emode_categories.get(emode_category)
        if category is not None:
            emode_ltv = category.ltv
            emode_lt = category.liquidation_threshold
            if category.price_source is not None:
                emode_price = oracle.get_asset_price(category.price_source)

    reserves = state.reserves
    reserves_list = state.reserves_list
    reserves_count = state.reserves_count
    a_tokens = state.a_tokens
    v_tokens = state.v_tokens
    s_tokens = state.s_tokens
    math = state.math
    a_balance = math.a_balance
    v_balance = math.v_balance
    debt_to_base = math.debt_to_base
    now = state.clock.now

    total_collateral = total_debt = avg_ltv = avg_lt = 0
    has_zero_ltv = False
    while data:
        lowest = data & -data
        reserve_id = (lowest.bit_length() - 1) >> 1
        if reserve_id >= reserves_count:
            break
        shift = reserve_id << 1
        pair = (data >> shift) & 3
        data &= ~(3 << shift)
        asset = reserves_list.get(reserve_id)
        if asset is None:
            continue
        reserve = reserves[asset]
        cfg = reserve.configuration.data
        unit = _UNITS[(cfg >> RESERVE_DECIMALS_START_BIT_POSITION) & 0xFF]
        asset_category = (cfg >> EMODE_CATEGORY_START_BIT_POSITION) & 0xFF
        if emode_price != 0 and emode_category == asset_category:
            price = emode_price
        else:
            price = oracle.get_asset_price(asset)

        liquidation_threshold = (cfg >> LIQUIDATION_THRESHOLD_START_BIT_POSITION) & 0xFFFF
        if pair & 2 and liquidation_threshold != 0:
            balance = a_balance(
                a_tokens[asset].scaled_balance_of(user), get_normalized_income(reserve, now)
            )
            value = balance * price
            if value > _MAX:
                raise _overflow("collateral balance x price", value)
            value //= unit
            total_collateral += value
            in_emode = emode_category != 0 and asset_category == emode_category
            ltv = cfg & 0xFFFF
            if ltv != 0:
                avg_ltv += value * (emode_ltv if in_emode else ltv)
            else:
                has_zero_ltv = True
            avg_lt += value * (emode_lt if in_emode else liquidation_threshold)

        if pair & 1:
            debt = v_tokens[asset].scaled_balance_of(user)
            if debt != 0:
                debt = v_balance(debt, get_normalized_debt(reserve, now))
            debt += s_tokens[asset].balance_of(user)
            value = debt * price
            if value > _MAX:
                raise _overflow("debt x price", value)
            total_debt += debt_to_base(value, unit)

    # Sums of non-negative terms: checking the totals catches any intermediate overflow.
    if total_collateral > _MAX or total_debt > _MAX or avg_ltv > _MAX or avg_lt > _MAX:
        raise _overflow("account data sum", max(total_collateral, total_debt, avg_ltv, avg_lt))
    if total_collateral != 0:
        avg_ltv //= total_collateral
        avg_lt //= total_collateral
    else:
        avg_ltv = avg_lt = 0
    health_factor = (
        _MAX if total_debt == 0 else wad_div(percent_mul(total_collateral, avg_lt), total_debt)
    )
    return total_collateral, total_debt, avg_ltv, avg_lt, health_factor, has_zero_ltv


def calculate_available_borrows(total_collateral_base: int, total_debt_base: int, ltv: int) -> int:
    """`percentMul(collateral, ltv) - debt`, or 0 if the debt is already above it."""
    available = percent_mul(total_collateral_base, ltv)
    return 0 if available < total_debt_base else available - total_debt_base


def get_user_account_data(state: PoolState, user: Address) -> UserAccountData:
    """`PoolLogic.executeGetUserAccountData`: the view behind `Pool.get_user_account_data`."""
    collateral, debt, ltv, liquidation_threshold, health_factor, _ = calculate_user_account_data(
        state, state.user_config(user), user, state.users_emode.get(user, 0)
    )
    return UserAccountData(
        total_collateral_base=collateral,
        total_debt_base=debt,
        available_borrows_base=calculate_available_borrows(collateral, debt, ltv),
        current_liquidation_threshold=liquidation_threshold,
        ltv=ltv,
        health_factor=health_factor,
    )

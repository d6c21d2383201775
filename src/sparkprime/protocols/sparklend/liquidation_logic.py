"""`LiquidationLogic.sol` (Aave v3.0.2, SparkLend v1.0.0): `liquidationCall`.

A liquidator repays part of an unhealthy user's debt in one asset and takes the user's
collateral in another (or the same) asset, plus the liquidation bonus. The steps, in the
contract's order (`execute_liquidation_call`):

1. accrue the debt reserve; the user's health factor (their eMode category applies);
2. the user's debt in the debt asset (stable + variable `balanceOf`); the close factor is 50%
   when HF > 0.95 (`CLOSE_FACTOR_HF_THRESHOLD`), 100% otherwise; `actual debt = min(debt to
   cover, debt x close factor)`;
3. `ValidationLogic.validateLiquidationCall`: both reserves active and not paused (a frozen
   reserve may be liquidated), the price-oracle sentinel (skipped when HF < 0.95), HF < 1,
   the collateral enabled for the user with a non-zero liquidation threshold, some debt;
4. the bonus and price sources: the collateral reserve's own bonus, or the user's eMode
   category's bonus (and its price source, if set) when the collateral is in that category;
   the debt is priced by the category's price source whenever the user is in an eMode
   category that has one;
5. `_calculateAvailableCollateralToLiquidate`: `base = debt price x actual debt x coll. unit /
   (coll. price x debt unit)` (floor), `max = percentMul(base, bonus)`; if `max` is more
   than the user's collateral balance, all of it is taken and the debt repaid shrinks to
   `percentDiv(coll. price x balance x debt unit / (debt price x coll. unit), bonus)`; with a
   liquidation protocol fee `pf`, `fee = percentMul(coll. - percentDiv(coll., bonus), pf)`
   is taken out of the bonus for the treasury;
6. the borrowing bit clears when the whole debt is repaid, the collateral bit when the
   whole collateral balance is taken (both before any token moves, as in v3.0.2);
7. variable debt is burned first (then stable, which no SparkLend market has), the debt
   reserve's rates updated with the repayment as added liquidity, the isolated debt counter
   lowered (read after the bits above changed);
8. the collateral goes to the liquidator as aTokens (`receive_a_token`: a transfer without
   the health-factor check; the liquidator's collateral bit turns on as for a first supply,
   `validateAutomaticUseAsCollateral` with the liquidator as msg.sender) or as underlying (the
   collateral reserve accrues, its rates see the withdrawal, the aTokens are burned);
9. the fee moves to the treasury as aTokens, capped at the user's remaining scaled balance;
10. the liquidator's debt-asset tokens are pulled into the debt reserve's aToken.

Rounding. `HALF_UP_V1` converts everything half-up. `DIRECTED` (the rounding-mitigation
upgrade, spec §1.11) converts with the Pool's `ScaledMath`: debt burned `rayDivFloor`,
balances read `rayMulFloor` (aTokens) / `rayMulCeil` (debt), the collateral burn and every
aToken transfer (the liquidator's seizure and the fee) `rayDivCeil`, and the fee's
pre-check `rayDivCeil` with the `rayMulFloor` fallback. The stored sparklend-v1-core
versions disagree on the liquidator's transfer: the report's table (and spec §1.11) says
`rayDivCeil`; the later "scaled amounts" revisions (LiquidationLogic b664e0b5 / 077cc8c2,
`getATokenMintScaledAmount`) round it down. sparkdotfi/sparklend-testing HEAD decides:
`DustLiquidationRoundingAttack.t.sol` asserts that a one-atom seizure at index 2.1 moves one
whole scaled share, which only `rayDivCeil` does, so that is what runs here. The collateral
bit keeps v3.0.2's rebased equality check (the report: "the liquidation site intentionally
keeps the legacy check"). `DIRECTED` also carries the same-asset fix
(`SAME_ASSET_LIQUIDATION_ANALYSIS.md`, sparklend-testing HEAD `test_liquidationCall_19`):
when the collateral and the debt are the same asset and the liquidator takes the underlying,
the collateral-side rate update counts the repayment as added liquidity too.

There is no dust rule (Aave v3.3's `MIN_LEFTOVER_BASE`) in either mode. Checked arithmetic
that would panic on chain raises `MATH_OVERFLOW` / `DIVISION_BY_ZERO` (a zero price).
"""

from __future__ import annotations

import dataclasses
from typing import Final

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import percent_div, percent_mul
from sparkprime.core.ids import Address
from sparkprime.core.uint import UINT256_MAX
from sparkprime.protocols.sparklend.configuration import ReserveConfigurationMap
from sparkprime.protocols.sparklend.generic_logic import calculate_user_account_data
from sparkprime.protocols.sparklend.isolation_mode_logic import update_isolated_debt_if_isolated
from sparkprime.protocols.sparklend.reserve_logic import (
    cache,
    get_normalized_income,
    update_interest_rates,
    update_state,
)
from sparkprime.protocols.sparklend.state import PoolState
from sparkprime.protocols.sparklend.supply_logic import listed_reserve
from sparkprime.protocols.sparklend.tokens import AToken
from sparkprime.protocols.sparklend.types import ReserveCache, ReserveData
from sparkprime.protocols.sparklend.validation_logic import (
    validate_automatic_use_as_collateral,
    validate_liquidation_call,
)

__all__ = [
    "CLOSE_FACTOR_HF_THRESHOLD",
    "DEFAULT_LIQUIDATION_CLOSE_FACTOR",
    "MAX_LIQUIDATION_CLOSE_FACTOR",
    "LiquidationCallResult",
    "calculate_available_collateral_to_liquidate",
    "execute_liquidation_call",
]

DEFAULT_LIQUIDATION_CLOSE_FACTOR: Final = 5_000  # 50% of the debt when HF > 0.95
MAX_LIQUIDATION_CLOSE_FACTOR: Final = 10_000  # 100% when HF <= 0.95
CLOSE_FACTOR_HF_THRESHOLD: Final = 95 * 10**16  # 0.95e18

_MAX: Final = UINT256_MAX
_U256: Final = 1 << 256


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class LiquidationCallResult:
    """What the `LiquidationCall` event reports, plus the treasury's share.

    `debt_to_cover` is the debt actually repaid (pulled from the liquidator);
    `liquidated_collateral_amount` is what the liquidator received (aTokens or underlying);
    `protocol_fee` is what moved to the treasury as aTokens (after the scaled-balance cap).
    """

    debt_to_cover: int
    liquidated_collateral_amount: int
    protocol_fee: int
    receive_a_token: bool


def _mul(a: int, b: int, op: str) -> int:
    product = a * b
    if product > _MAX:
        raise ProtocolError(ErrorCode.MATH_OVERFLOW, op=op, a=a, b=b)
    return product


def _div(a: int, b: int, op: str) -> int:
    if b == 0:
        raise ProtocolError(ErrorCode.DIVISION_BY_ZERO, op=op, value=a)
    return a // b


def calculate_available_collateral_to_liquidate(
    *,
    collateral_config: ReserveConfigurationMap,
    debt_config: ReserveConfigurationMap,
    collateral_price: int,
    debt_price: int,
    debt_to_cover: int,
    user_collateral_balance: int,
    liquidation_bonus: int,
) -> tuple[int, int, int]:
    """`_calculateAvailableCollateralToLiquidate`: (collateral to the liquidator, debt to
    repay, protocol fee), prices in the base currency for one whole unit."""
    # `10 ** decimals` is unchecked in the contract: it wraps past 2**256.
    collateral_unit = 10 ** collateral_config.get_decimals() % _U256
    debt_unit = 10 ** debt_config.get_decimals() % _U256
    base_collateral = _div(
        _mul(_mul(debt_price, debt_to_cover, "debtPrice x debtToCover"), collateral_unit, "x unit"),
        _mul(collateral_price, debt_unit, "collateralPrice x debtUnit"),
        "baseCollateral",
    )
    max_collateral = percent_mul(base_collateral, liquidation_bonus)
    if max_collateral > user_collateral_balance:
        collateral_amount = user_collateral_balance
        debt_needed = percent_div(
            _div(
                _mul(
                    _mul(collateral_price, collateral_amount, "collateralPrice x amount"),
                    debt_unit,
                    "x debtUnit",
                ),
                _mul(debt_price, collateral_unit, "debtPrice x collateralUnit"),
                "debtAmountNeeded",
            ),
            liquidation_bonus,
        )
    else:
        collateral_amount = max_collateral
        debt_needed = debt_to_cover
    fee_percentage = collateral_config.get_liquidation_protocol_fee()
    if fee_percentage == 0:
        return collateral_amount, debt_needed, 0
    bonus_collateral = collateral_amount - percent_div(collateral_amount, liquidation_bonus)
    if bonus_collateral < 0:  # a bonus below 100% (never configured): a Panic on chain
        raise ProtocolError(ErrorCode.MATH_OVERFLOW, op="collateralAmount - percentDiv(...)")
    fee = percent_mul(bonus_collateral, fee_percentage)
    return collateral_amount - fee, debt_needed, fee


def _configuration_data(
    state: PoolState,
    collateral_reserve: ReserveData,
    collateral_asset: Address,
    debt_asset: Address,
    emode_category: int,
) -> tuple[Address, Address, int]:
    """`_getConfigurationData`: (collateral price source, debt price source, bonus)."""
    bonus = collateral_reserve.configuration.get_liquidation_bonus()
    collateral_source, debt_source = collateral_asset, debt_asset
    if emode_category != 0:
        category = state.emode_categories.get(emode_category)
        price_source = None if category is None else category.price_source
        if collateral_reserve.configuration.get_emode_category() == emode_category:
            bonus = 0 if category is None else category.liquidation_bonus
            if price_source is not None:
                collateral_source = price_source
        if price_source is not None:
            debt_source = price_source
    return collateral_source, debt_source, bonus


def execute_liquidation_call(
    state: PoolState,
    *,
    collateral_asset: Address,
    debt_asset: Address,
    user: Address,
    debt_to_cover: int,
    receive_a_token: bool,
    liquidator: Address,
) -> LiquidationCallResult:
    """`LiquidationLogic.executeLiquidationCall` with msg.sender = `liquidator`."""
    pool = state.address
    now = state.clock.now
    atomic = state.atomic
    debt_reserve = listed_reserve(state, debt_asset)
    v_token = state.v_tokens[debt_asset]
    s_token = state.s_tokens[debt_asset]
    debt_cache = cache(debt_reserve, v_token, s_token)
    update_state(debt_reserve, debt_cache, now, atomic)

    emode_category = state.users_emode.get(user, 0)
    _, _, _, _, health_factor, _ = calculate_user_account_data(
        state, state.user_config(user), user, emode_category
    )
    stable_debt = s_token.balance_of(user)
    variable_debt = v_token.balance_of(user)
    total_debt = stable_debt + variable_debt
    close_factor = (
        DEFAULT_LIQUIDATION_CLOSE_FACTOR
        if health_factor > CLOSE_FACTOR_HF_THRESHOLD
        else MAX_LIQUIDATION_CLOSE_FACTOR
    )
    actual_debt = min(debt_to_cover, percent_mul(total_debt, close_factor))

    collateral_reserve = state.reserves.get(collateral_asset)
    if collateral_reserve is None:  # an all-zero reserve: inactive
        raise ProtocolError(ErrorCode.RESERVE_INACTIVE, asset=collateral_asset)
    validate_liquidation_call(
        state,
        user_config=state.user_config(user),
        collateral_reserve=collateral_reserve,
        debt_cache=debt_cache,
        total_debt=total_debt,
        health_factor=health_factor,
    )
    collateral_source, debt_source, bonus = _configuration_data(
        state, collateral_reserve, collateral_asset, debt_asset, emode_category
    )
    a_token = state.a_tokens[collateral_asset]
    user_collateral_balance = a_token.balance_of(user)
    oracle = state.oracle
    collateral_amount, actual_debt, fee = calculate_available_collateral_to_liquidate(
        collateral_config=collateral_reserve.configuration,
        debt_config=debt_cache.reserve_configuration,
        collateral_price=oracle.get_asset_price(collateral_source),
        debt_price=oracle.get_asset_price(debt_source),
        debt_to_cover=actual_debt,
        user_collateral_balance=user_collateral_balance,
        liquidation_bonus=bonus,
    )

    if total_debt == actual_debt:
        state.set_user_config(user, state.user_config(user).set_borrowing(debt_reserve.id, False))
    if collateral_amount + fee == user_collateral_balance:
        state.set_user_config(
            user, state.user_config(user).set_using_as_collateral(collateral_reserve.id, False)
        )

    _burn_debt_tokens(
        state, debt_cache, debt_asset, user, variable_debt=variable_debt, actual_debt=actual_debt
    )
    debt_a_token = state.a_tokens[debt_asset]
    debt_underlying = state.underlyings[debt_asset]
    update_interest_rates(
        debt_reserve,
        debt_cache,
        liquidity_added=actual_debt,
        liquidity_taken=0,
        underlying_balance=debt_underlying.balance_of(debt_a_token.address),
        atomic=atomic,
    )
    update_isolated_debt_if_isolated(
        state, state.user_config(user), debt_cache.reserve_configuration, actual_debt
    )

    if receive_a_token:
        _liquidate_a_tokens(
            state,
            collateral_reserve,
            a_token,
            user=user,
            liquidator=liquidator,
            amount=collateral_amount,
        )
    else:
        same_asset_repayment = (
            actual_debt if state.math.directed and collateral_asset == debt_asset else 0
        )
        _burn_collateral_a_tokens(
            state,
            collateral_reserve,
            collateral_asset,
            user,
            liquidator,
            collateral_amount,
            same_asset_repayment,
        )

    if fee != 0:
        fee = _transfer_fee(state, collateral_reserve, a_token, user, fee)

    debt_underlying.transfer_from(liquidator, debt_a_token.address, actual_debt, sender=pool)
    debt_a_token.handle_repayment(liquidator, user, actual_debt, sender=pool)
    return LiquidationCallResult(
        debt_to_cover=actual_debt,
        liquidated_collateral_amount=collateral_amount,
        protocol_fee=fee,
        receive_a_token=receive_a_token,
    )


def _burn_debt_tokens(
    state: PoolState,
    c: ReserveCache,
    debt_asset: Address,
    user: Address,
    *,
    variable_debt: int,
    actual_debt: int,
) -> None:
    """Variable debt first; the rest (never, on SparkLend) from stable debt."""
    pool = state.address
    v_token = state.v_tokens[debt_asset]
    if variable_debt >= actual_debt:
        c.next_scaled_variable_debt = v_token.burn(
            user, actual_debt, c.next_variable_borrow_index, sender=pool
        )
        return
    if variable_debt != 0:
        c.next_scaled_variable_debt = v_token.burn(
            user, variable_debt, c.next_variable_borrow_index, sender=pool
        )
    c.next_total_stable_debt, c.next_avg_stable_borrow_rate = state.s_tokens[debt_asset].burn(
        user, actual_debt - variable_debt, sender=pool
    )


def _liquidate_a_tokens(
    state: PoolState,
    reserve: ReserveData,
    a_token: AToken,
    *,
    user: Address,
    liquidator: Address,
    amount: int,
) -> None:
    """The collateral moves as aTokens; a liquidator without any gets the collateral bit as
    on a first supply."""
    previous_balance = a_token.balance_of(liquidator)
    a_token.transfer_on_liquidation(user, liquidator, amount, sender=state.address)
    if previous_balance == 0:
        liquidator_config = state.user_config(liquidator)
        if validate_automatic_use_as_collateral(
            state, liquidator_config, reserve.configuration, liquidator
        ):
            state.set_user_config(
                liquidator, liquidator_config.set_using_as_collateral(reserve.id, True)
            )


def _burn_collateral_a_tokens(  # noqa: PLR0917 - the contract's arguments
    state: PoolState,
    reserve: ReserveData,
    asset: Address,
    user: Address,
    liquidator: Address,
    amount: int,
    liquidity_added: int,
) -> None:
    """The collateral leaves as underlying: accrue, rates with the withdrawal, burn."""
    a_token = state.a_tokens[asset]
    c = cache(reserve, state.v_tokens[asset], state.s_tokens[asset])
    update_state(reserve, c, state.clock.now, state.atomic)
    update_interest_rates(
        reserve,
        c,
        liquidity_added=liquidity_added,
        liquidity_taken=amount,
        underlying_balance=state.underlyings[asset].balance_of(a_token.address),
        atomic=state.atomic,
    )
    a_token.burn(user, liquidator, amount, c.next_liquidity_index, sender=state.address)


def _transfer_fee(
    state: PoolState, reserve: ReserveData, a_token: AToken, user: Address, fee: int
) -> int:
    """The protocol fee to the treasury as aTokens, capped at what the user has left (the
    contract's guard against a one-wei imprecision); returns the fee moved."""
    math = state.math
    index = get_normalized_income(reserve, state.clock.now)
    scaled_balance = a_token.scaled_balance_of(user)
    if math.a_burn_scaled(fee, index) > scaled_balance:
        fee = math.a_balance(scaled_balance, index)
    a_token.transfer_on_liquidation(user, a_token.treasury, fee, sender=state.address)
    return fee

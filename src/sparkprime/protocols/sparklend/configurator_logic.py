"""`ConfiguratorLogic.sol` and the PoolConfigurator's checks that read the Pool.

- `InitReserveInput` / `validate_init_reserves` / `execute_init_reserve`: list a reserve the
  way `ConfiguratorLogic.executeInitReserve` does (v3.0.2): create its aToken and debt tokens,
  `Pool.initReserve`, then a fresh configuration with the decimals, active, not paused, not
  frozen: nothing else (borrowing, flash loans, collateral are switched on afterwards by
  their own configurator calls). The token implementations, names, incentives controller and
  init `params` of the Solidity input are not modelled: the Pool's `deploy_reserve_tokens`
  makes the tokens, named after `symbol`.
- `check_no_suppliers` / `check_no_borrowers`: `_checkNoSuppliers` (the aToken's total
  supply and the treasury's accrued share are both 0, read like `PoolDataProvider`) and
  `_checkNoBorrowers` (stable + variable debt total supply is 0).
- `validate_emode_category`: `setEModeCategory`'s checks, in the contract's order.

`Pool.initReserve` in this model writes as soon as it is called (its storage is not in the
undo log), so a batch is validated in full, in the contract's order of checks, before the
first reserve is listed: a batch that would revert lists nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import PERCENTAGE_FACTOR, percent_mul
from sparkprime.core.ids import Address
from sparkprime.core.uint import check_uint
from sparkprime.protocols.sparklend.configuration import (
    MAX_RESERVES_COUNT,
    ReserveConfigurationMap,
)
from sparkprime.protocols.sparklend.events import EventLog
from sparkprime.protocols.sparklend.pool import Pool
from sparkprime.protocols.sparklend.rate_strategies import ReserveInterestRateStrategy

__all__ = [
    "InitReserveInput",
    "check_no_borrowers",
    "check_no_suppliers",
    "execute_init_reserve",
    "validate_emode_category",
    "validate_init_reserves",
]


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class InitReserveInput:
    """`ConfiguratorInputTypes.InitReserveInput`, as far as the model uses it."""

    underlying_asset: Address
    underlying_asset_decimals: int
    interest_rate_strategy: ReserveInterestRateStrategy
    treasury: Address
    symbol: str | None = None  # tokens are "sp<symbol>", "variableDebt<symbol>", ...


def validate_init_reserves(pool: Pool, inputs: Sequence[InitReserveInput]) -> None:
    """Every check `initReserves` would make, input by input, before anything is written:
    the decimals fit a uint8 (ABI), the asset is a contract (`NOT_CONTRACT`), it is not
    listed yet, nor earlier in the batch (`RESERVE_ALREADY_INITIALIZED`), and an id is free
    (`NO_MORE_RESERVES_ALLOWED`)."""
    if isinstance(inputs, (str, bytes)) or not isinstance(inputs, Sequence):
        raise ProtocolError(
            ErrorCode.INVALID_TYPE,
            field="inputs",
            expected="sequence of InitReserveInput",
            got=type(inputs).__name__,
        )
    listed = set(pool.get_reserves_list())
    count = pool.get_reserves_count()
    free_ids = count - len(listed)
    for item in inputs:
        if not isinstance(item, InitReserveInput):
            raise ProtocolError(
                ErrorCode.INVALID_TYPE,
                field="inputs",
                expected="InitReserveInput",
                got=type(item).__name__,
            )
        check_uint(item.underlying_asset_decimals, field="underlying_asset_decimals", bits=8)
    for item in inputs:
        asset = item.underlying_asset
        if asset not in pool.registry:
            raise ProtocolError(ErrorCode.NOT_CONTRACT, asset=asset)
        if asset in listed:
            raise ProtocolError(ErrorCode.RESERVE_ALREADY_INITIALIZED, asset=asset)
        if free_ids > 0:
            free_ids -= 1
        elif count >= MAX_RESERVES_COUNT:
            raise ProtocolError(ErrorCode.NO_MORE_RESERVES_ALLOWED, reserves_count=count)
        else:
            count += 1
        listed.add(asset)


def execute_init_reserve(
    pool: Pool, item: InitReserveInput, *, configurator: Address, events: EventLog
) -> None:
    """List one (validated) reserve and give it its initial configuration."""
    asset = item.underlying_asset
    a_token, stable_debt, variable_debt = pool.deploy_reserve_tokens(
        asset, treasury=item.treasury, symbol=item.symbol
    )
    pool.init_reserve(
        asset, a_token, stable_debt, variable_debt, item.interest_rate_strategy, sender=configurator
    )
    config = (
        ReserveConfigurationMap()
        .set_decimals(item.underlying_asset_decimals)
        .set_active(True)
        .set_paused(False)
        .set_frozen(False)
    )
    pool.set_configuration(asset, config, sender=configurator)
    events.emit(
        pool.registry.atomic,
        "ReserveInitialized",
        asset,
        a_token.address,
        stable_debt.address,
        variable_debt.address,
        item.interest_rate_strategy,
    )


def check_no_suppliers(pool: Pool, asset: Address) -> None:
    """`_checkNoSuppliers`: nothing supplied and nothing owed to the treasury.

    An unlisted asset is `ASSET_NOT_LISTED` (the contract reverts without a reason when the
    data provider calls the aToken at address(0))."""
    reserve = pool.get_reserve_data(asset)
    total_a_tokens = pool.a_token(asset).total_supply()
    if total_a_tokens != 0 or reserve.accrued_to_treasury != 0:
        raise ProtocolError(
            ErrorCode.RESERVE_LIQUIDITY_NOT_ZERO,
            asset=asset,
            total_a_tokens=total_a_tokens,
            accrued_to_treasury=reserve.accrued_to_treasury,
        )


def check_no_borrowers(pool: Pool, asset: Address) -> None:
    """`_checkNoBorrowers`: the reserve's stable + variable debt is 0."""
    pool.get_reserve_data(asset)  # unlisted: ASSET_NOT_LISTED
    total_debt = (
        pool.stable_debt_token(asset).total_supply()
        + pool.variable_debt_token(asset).total_supply()
    )
    if total_debt != 0:
        raise ProtocolError(ErrorCode.RESERVE_DEBT_NOT_ZERO, asset=asset, total_debt=total_debt)


def validate_emode_category(
    pool: Pool, category_id: int, ltv: int, liquidation_threshold: int, liquidation_bonus: int
) -> None:
    """`setEModeCategory`'s checks: ltv != 0, threshold != 0, ltv <= threshold, bonus >
    100%, threshold x bonus <= 100%, and for every listed asset already in the category, the
    category's ltv and threshold above the asset's own (`INVALID_EMODE_CATEGORY_PARAMS`)."""

    def fail(rule: str, **context: object) -> ProtocolError:
        return ProtocolError(
            ErrorCode.INVALID_EMODE_CATEGORY_PARAMS, category_id=category_id, rule=rule, **context
        )

    if ltv == 0:
        raise fail("ltv != 0")
    if liquidation_threshold == 0:
        raise fail("liquidation_threshold != 0")
    if ltv > liquidation_threshold:
        raise fail("ltv <= liquidation_threshold", ltv=ltv, threshold=liquidation_threshold)
    if liquidation_bonus <= PERCENTAGE_FACTOR:
        raise fail("liquidation_bonus > 100%", bonus=liquidation_bonus)
    if percent_mul(liquidation_threshold, liquidation_bonus) > PERCENTAGE_FACTOR:
        raise fail(
            "liquidation_threshold x liquidation_bonus <= 100%",
            threshold=liquidation_threshold,
            bonus=liquidation_bonus,
        )
    for asset in pool.get_reserves_list():
        config = pool.get_configuration(asset)
        if config.get_emode_category() != category_id:
            continue
        if ltv <= config.get_ltv():
            raise fail("ltv > asset ltv", asset=asset, ltv=ltv, asset_ltv=config.get_ltv())
        if liquidation_threshold <= config.get_liquidation_threshold():
            raise fail(
                "liquidation_threshold > asset liquidation_threshold",
                asset=asset,
                threshold=liquidation_threshold,
                asset_threshold=config.get_liquidation_threshold(),
            )

"""Port of sparklend-testing `test/PoolACL.t.sol` (`PoolConfiguratorACLTests`): for each
PoolConfigurator function, the test contract and every admin without the function's role
are refused with the role error (and nothing changes), and each admin with the role gets
past the modifier (the call succeeds, or fails further on with the error upstream expects).

Not ported: `updateAToken` / `updateStableDebtToken` / `updateVariableDebtToken` (proxy
upgrades are not modelled). `initReserves` by an allowed admin fails after the modifier
with an empty EVM revert upstream (a non-token implementation); here with
`RESERVE_ALREADY_INITIALIZED` (the model has no implementations, and the asset is listed)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.protocols.sparklend.pool_configurator import InitReserveInput

from .configurator_market import Market, assert_rejected, sparklend_test_market, strategy

ROLES = ("nobody", "asset_listing_admin", "emergency_admin", "pool_admin", "risk_admin")


@dataclasses.dataclass(frozen=True)
class Case:
    name: str
    call: Callable[[Market, Any, Any], None]  # (market, borrow asset, sender)
    allowed: tuple[str, ...]  # in upstream's order
    error: ErrorCode
    after_modifier: ErrorCode | None = None  # what an allowed admin gets, if not success


POOL = ("pool_admin",)
RISK_OR_POOL = ("pool_admin", "risk_admin")
NOT_POOL = ErrorCode.CALLER_NOT_POOL_ADMIN
NOT_RISK = ErrorCode.CALLER_NOT_RISK_OR_POOL_ADMIN


def _init_input(m: Market, asset: Any) -> list[InitReserveInput]:
    return [
        InitReserveInput(
            underlying_asset=asset,
            underlying_asset_decimals=18,
            interest_rate_strategy=strategy(),
            treasury=m.treasury,
        )
    ]


CASES = [
    # --- only pool admin ---
    Case("dropReserve", lambda m, a, s: m.configurator.drop_reserve(a, sender=s), POOL, NOT_POOL),
    Case(
        "setReserveActive",
        lambda m, a, s: m.configurator.set_reserve_active(a, True, sender=s),
        POOL,
        NOT_POOL,
    ),
    Case(
        "updateBridgeProtocolFee",
        lambda m, a, s: m.configurator.update_bridge_protocol_fee(100, sender=s),
        POOL,
        NOT_POOL,
    ),
    Case(
        "updateFlashloanPremiumTotal",
        lambda m, a, s: m.configurator.update_flashloan_premium_total(100, sender=s),
        POOL,
        NOT_POOL,
    ),
    Case(
        "updateFlashloanPremiumToProtocol",
        lambda m, a, s: m.configurator.update_flashloan_premium_to_protocol(100, sender=s),
        POOL,
        NOT_POOL,
    ),
    # --- only emergency admin ---
    Case(
        "setPoolPause",
        lambda m, a, s: m.configurator.set_pool_pause(True, sender=s),
        ("emergency_admin",),
        ErrorCode.CALLER_NOT_EMERGENCY_ADMIN,
    ),
    # --- emergency admin or pool admin ---
    Case(
        "setReservePause",
        lambda m, a, s: m.configurator.set_reserve_pause(a, True, sender=s),
        ("emergency_admin", "pool_admin"),
        ErrorCode.CALLER_NOT_POOL_OR_EMERGENCY_ADMIN,
    ),
    # --- asset listing admin or pool admin ---
    Case(
        "initReserves",
        lambda m, a, s: m.configurator.init_reserves(_init_input(m, a), sender=s),
        ("asset_listing_admin", "pool_admin"),
        ErrorCode.CALLER_NOT_ASSET_LISTING_OR_POOL_ADMIN,
        ErrorCode.RESERVE_ALREADY_INITIALIZED,
    ),
    # --- risk admin or pool admin ---
    Case(
        "setReserveBorrowing",
        lambda m, a, s: m.configurator.set_reserve_borrowing(a, True, sender=s),
        RISK_OR_POOL,
        NOT_RISK,
    ),
    Case(
        "configureReserveAsCollateral",
        lambda m, a, s: m.configurator.configure_reserve_as_collateral(
            a, 50_00, 50_00, 101_00, sender=s
        ),
        RISK_OR_POOL,
        NOT_RISK,
    ),
    Case(
        "setReserveStableRateBorrowing",
        lambda m, a, s: m.configurator.set_reserve_stable_rate_borrowing(a, True, sender=s),
        RISK_OR_POOL,
        NOT_RISK,
        ErrorCode.BORROWING_NOT_ENABLED,
    ),
    Case(
        "setReserveFlashLoaning",
        lambda m, a, s: m.configurator.set_reserve_flash_loaning(a, True, sender=s),
        RISK_OR_POOL,
        NOT_RISK,
    ),
    Case(
        "setReserveFreeze",
        lambda m, a, s: m.configurator.set_reserve_freeze(a, True, sender=s),
        RISK_OR_POOL,
        NOT_RISK,
    ),
    Case(
        "setBorrowableInIsolation",
        lambda m, a, s: m.configurator.set_borrowable_in_isolation(a, True, sender=s),
        RISK_OR_POOL,
        NOT_RISK,
    ),
    Case(
        "setReserveFactor",
        lambda m, a, s: m.configurator.set_reserve_factor(a, 1_00, sender=s),
        RISK_OR_POOL,
        NOT_RISK,
    ),
    Case(
        "setDebtCeiling",
        lambda m, a, s: m.configurator.set_debt_ceiling(a, 500_000_00, sender=s),
        RISK_OR_POOL,
        NOT_RISK,
    ),
    Case(
        "setSiloedBorrowing",
        lambda m, a, s: m.configurator.set_siloed_borrowing(a, True, sender=s),
        RISK_OR_POOL,
        NOT_RISK,
    ),
    Case(
        "setBorrowCap",
        lambda m, a, s: m.configurator.set_borrow_cap(a, 500_000_00, sender=s),
        RISK_OR_POOL,
        NOT_RISK,
    ),
    Case(
        "setSupplyCap",
        lambda m, a, s: m.configurator.set_supply_cap(a, 500_000_00, sender=s),
        RISK_OR_POOL,
        NOT_RISK,
    ),
    Case(
        "setLiquidationProtocolFee",
        lambda m, a, s: m.configurator.set_liquidation_protocol_fee(a, 5_00, sender=s),
        RISK_OR_POOL,
        NOT_RISK,
    ),
    Case(
        "setEModeCategory",
        lambda m, a, s: m.configurator.set_emode_category(
            1, 50_00, 50_00, 100_01, None, "emode1", sender=s
        ),
        RISK_OR_POOL,
        NOT_RISK,
    ),
    Case(
        "setAssetEModeCategory",
        lambda m, a, s: m.configurator.set_asset_emode_category(a, 1, sender=s),
        RISK_OR_POOL,
        NOT_RISK,
        ErrorCode.INVALID_EMODE_CATEGORY_ASSIGNMENT,
    ),
    Case(
        "setUnbackedMintCap",
        lambda m, a, s: m.configurator.set_unbacked_mint_cap(a, 500_000_00, sender=s),
        RISK_OR_POOL,
        NOT_RISK,
    ),
    Case(
        "setReserveInterestRateStrategyAddress",
        lambda m, a, s: m.configurator.set_reserve_interest_rate_strategy_address(
            a, strategy(1, 1, 1, 1), sender=s
        ),
        RISK_OR_POOL,
        NOT_RISK,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_pool_configurator_acl(case: Case) -> None:
    m, _, brrw = sparklend_test_market()
    for role in ROLES:
        if role in case.allowed:
            continue
        assert_rejected(m, case.error, case.call, m, brrw, getattr(m, role))
    for role in case.allowed:
        sender = getattr(m, role)
        if case.after_modifier is None:
            case.call(m, brrw, sender)
        else:
            with pytest.raises(ProtocolError) as info:
                case.call(m, brrw, sender)
            assert info.value.code is case.after_modifier

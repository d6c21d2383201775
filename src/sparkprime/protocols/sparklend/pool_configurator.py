"""SparkLend's `PoolConfigurator` (Aave v3.0.2, `CONFIGURATOR_REVISION = 0x1`).

`IPoolConfigurator` in snake_case with the caller as `sender=`. Each call runs in the
contract's order: the arguments' ABI types (a uint8 above 255, a bool that is not a bool:
`INVALID_TYPE` / `VALUE_OUT_OF_RANGE`), then the role modifier, then the function's own
requires, then the Pool's `onlyPoolConfigurator` setter, which checks the asset
(`ZERO_ADDRESS_NOT_VALID`, `ASSET_NOT_LISTED`) and the configuration bitmap's bounds
(`INVALID_LTV`, `INVALID_SUPPLY_CAP`, ...). A call either completes or changes nothing: the
checks come before the writes, and the whole call is one action of the Pool's `Atomic`.

Roles (`Acl`):

| modifier | who (besides POOL_ADMIN) | error (CALLER_NOT_...) |
|---|---|---|
| onlyPoolAdmin | - | POOL_ADMIN |
| onlyEmergencyAdmin | EMERGENCY_ADMIN only | EMERGENCY_ADMIN |
| onlyEmergencyOrPoolAdmin | EMERGENCY_ADMIN | POOL_OR_EMERGENCY_ADMIN |
| onlyRiskOrPoolAdmins | RISK_ADMIN | RISK_OR_POOL_ADMIN |
| onlyAssetListingOrPoolAdmins | ASSET_LISTING_ADMIN | ASSET_LISTING_OR_POOL_ADMIN |

As in v3.0.2, `set_reserve_factor` only rewrites the bitmap: it does not accrue the reserve
first (Aave v3.1 added that), so the new factor also applies to interest accrued since the
reserve's last update. `update_bridge_protocol_fee` only stores the fee: the Pool models no
bridges (unbacked supply), which SparkLend never uses.
`updateAToken` / `updateStableDebtToken` / `updateVariableDebtToken` (proxy upgrades) are not
modelled. Events go to `events` (see `events.EventLog`).

Example:
    >>> from sparkprime.core.clock import Clock
    >>> from sparkprime.protocols.sparklend.acl import Acl
    >>> from sparkprime.protocols.sparklend.addresses import make_addr
    >>> from sparkprime.protocols.sparklend.oracle import SimplePriceOracle
    >>> acl = Acl(admin=make_addr("admin"))
    >>> acl.add_pool_admin(make_addr("admin"), sender=make_addr("admin"))
    >>> pool = Pool(address=make_addr("pool"), clock=Clock(1), oracle=SimplePriceOracle(),
    ...             acl=acl, configurator=make_addr("configurator"))
    >>> configurator = PoolConfigurator(pool)
    >>> configurator.update_flashloan_premium_total(0, sender=make_addr("admin"))
    >>> pool.FLASHLOAN_PREMIUM_TOTAL()
    0
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import PERCENTAGE_FACTOR, percent_mul
from sparkprime.core.ids import Address
from sparkprime.core.uint import check_uint
from sparkprime.protocols.atomic import Atomic
from sparkprime.protocols.sparklend import configurator_logic as logic
from sparkprime.protocols.sparklend.access_control import is_zero_address
from sparkprime.protocols.sparklend.acl import ASSET_LISTING_ADMIN, Acl
from sparkprime.protocols.sparklend.addresses import ZERO_ADDRESS
from sparkprime.protocols.sparklend.configuration import ReserveConfigurationMap
from sparkprime.protocols.sparklend.configurator_logic import InitReserveInput
from sparkprime.protocols.sparklend.events import EventLog
from sparkprime.protocols.sparklend.pool import Pool
from sparkprime.protocols.sparklend.rate_strategies import ReserveInterestRateStrategy
from sparkprime.protocols.sparklend.transaction import transact
from sparkprime.protocols.sparklend.types import EModeCategory

__all__ = ["CONFIGURATOR_REVISION", "InitReserveInput", "PoolConfigurator"]

CONFIGURATOR_REVISION: Final = 0x1


def _bool(value: object, field: str) -> bool:
    if type(value) is not bool:
        raise ProtocolError(
            ErrorCode.INVALID_TYPE, field=field, expected="bool", got=type(value).__name__
        )
    return value


def _uint(value: object, field: str, bits: int = 256) -> int:
    return check_uint(value, field=field, bits=bits)


class PoolConfigurator:
    """The Pool's configurator: listing, risk parameters, pauses, fees."""

    __slots__ = ("_acl", "_atomic", "_pool", "address", "events")

    def __init__(
        self, pool: Pool, acl: Acl | None = None, *, address: Address | None = None
    ) -> None:
        self._pool = pool
        self._acl = acl if acl is not None else pool.acl
        # The Pool's onlyPoolConfigurator setters accept this address only.
        self.address = address if address is not None else pool.state.configurator
        self._atomic: Atomic = pool.registry.atomic
        self.events = EventLog()

    @property
    def pool(self) -> Pool:
        """The Pool it configures."""
        return self._pool

    @property
    def acl(self) -> Acl:
        """`ADDRESSES_PROVIDER.getACLManager()`."""
        return self._acl

    @property
    def atomic(self) -> Atomic:
        """The undo log shared with the Pool (callers nest their actions in it)."""
        return self._atomic

    # --- modifiers ---

    def _only_pool_admin(self, sender: Address) -> None:
        if not self._acl.is_pool_admin(sender):
            raise ProtocolError(ErrorCode.CALLER_NOT_POOL_ADMIN, sender=sender)

    def _only_emergency_admin(self, sender: Address) -> None:
        if not self._acl.is_emergency_admin(sender):
            raise ProtocolError(ErrorCode.CALLER_NOT_EMERGENCY_ADMIN, sender=sender)

    def _only_emergency_or_pool_admin(self, sender: Address) -> None:
        acl = self._acl
        if not (acl.is_pool_admin(sender) or acl.is_emergency_admin(sender)):
            raise ProtocolError(ErrorCode.CALLER_NOT_POOL_OR_EMERGENCY_ADMIN, sender=sender)

    def _only_asset_listing_or_pool_admins(self, sender: Address) -> None:
        acl = self._acl
        if not (acl.has_role(ASSET_LISTING_ADMIN, sender) or acl.is_pool_admin(sender)):
            raise ProtocolError(ErrorCode.CALLER_NOT_ASSET_LISTING_OR_POOL_ADMIN, sender=sender)

    def _only_risk_or_pool_admins(self, sender: Address) -> None:
        acl = self._acl
        if not (acl.is_risk_admin(sender) or acl.is_pool_admin(sender)):
            raise ProtocolError(ErrorCode.CALLER_NOT_RISK_OR_POOL_ADMIN, sender=sender)

    # --- helpers ---

    def _run(self, fn: Callable[..., None], *args: Any) -> None:
        transact(self._atomic, fn, *args)

    def _emit(self, name: str, *args: Any) -> None:
        self.events.emit(self._atomic, name, *args)

    def _set(self, asset: Address, config: ReserveConfigurationMap) -> None:
        self._pool.set_configuration(asset, config, sender=self.address)

    def _update(
        self,
        asset: Address,
        change: Callable[[ReserveConfigurationMap], ReserveConfigurationMap],
        event: str,
        *args: Any,
    ) -> None:
        """getConfiguration -> change -> setConfiguration -> emit, as one action."""

        def run() -> None:
            self._set(asset, change(self._pool.get_configuration(asset)))
            self._emit(event, asset, *args)

        self._run(run)

    # --- listing ---

    def init_reserves(self, inputs: Sequence[InitReserveInput], *, sender: Address) -> None:
        """List each input's asset: tokens, rate strategy, decimals, active (asset listing or
        pool admin)."""
        self._only_asset_listing_or_pool_admins(sender)
        logic.validate_init_reserves(self._pool, inputs)

        def run() -> None:
            for item in inputs:
                logic.execute_init_reserve(
                    self._pool, item, configurator=self.address, events=self.events
                )

        self._run(run)

    def drop_reserve(self, asset: Address, *, sender: Address) -> None:
        """Unlist a reserve nobody supplies, borrows or owes the treasury (pool admin)."""
        self._only_pool_admin(sender)

        def run() -> None:
            self._pool.drop_reserve(asset, sender=self.address)
            self._emit("ReserveDropped", asset)

        self._run(run)

    # --- flags ---

    def set_reserve_borrowing(self, asset: Address, enabled: bool, *, sender: Address) -> None:
        """Enable or disable borrowing; disabling needs stable borrowing off first
        (`STABLE_BORROWING_ENABLED`) (risk or pool admin)."""
        enabled = _bool(enabled, "enabled")
        self._only_risk_or_pool_admins(sender)

        def change(config: ReserveConfigurationMap) -> ReserveConfigurationMap:
            if not enabled and config.get_stable_rate_borrowing_enabled():
                raise ProtocolError(ErrorCode.STABLE_BORROWING_ENABLED, asset=asset)
            return config.set_borrowing_enabled(enabled)

        self._update(asset, change, "ReserveBorrowing", enabled)

    def set_reserve_stable_rate_borrowing(
        self, asset: Address, enabled: bool, *, sender: Address
    ) -> None:
        """Enable or disable stable-rate borrowing; enabling needs borrowing on
        (`BORROWING_NOT_ENABLED`) (risk or pool admin)."""
        enabled = _bool(enabled, "enabled")
        self._only_risk_or_pool_admins(sender)

        def change(config: ReserveConfigurationMap) -> ReserveConfigurationMap:
            if enabled and not config.get_borrowing_enabled():
                raise ProtocolError(ErrorCode.BORROWING_NOT_ENABLED, asset=asset)
            return config.set_stable_rate_borrowing_enabled(enabled)

        self._update(asset, change, "ReserveStableRateBorrowing", enabled)

    def set_reserve_flash_loaning(self, asset: Address, enabled: bool, *, sender: Address) -> None:
        """Enable or disable flash loans of the asset (risk or pool admin)."""
        enabled = _bool(enabled, "enabled")
        self._only_risk_or_pool_admins(sender)
        self._update(
            asset, lambda c: c.set_flash_loan_enabled(enabled), "ReserveFlashLoaning", enabled
        )

    def set_reserve_active(self, asset: Address, active: bool, *, sender: Address) -> None:
        """Activate or deactivate the reserve; deactivating needs no suppliers (pool admin)."""
        active = _bool(active, "active")
        self._only_pool_admin(sender)
        if not active:
            logic.check_no_suppliers(self._pool, asset)
        self._update(asset, lambda c: c.set_active(active), "ReserveActive", active)

    def set_reserve_freeze(self, asset: Address, freeze: bool, *, sender: Address) -> None:
        """Freeze (no new supply or borrow) or unfreeze the reserve (risk or pool admin)."""
        freeze = _bool(freeze, "freeze")
        self._only_risk_or_pool_admins(sender)
        self._update(asset, lambda c: c.set_frozen(freeze), "ReserveFrozen", freeze)

    def set_borrowable_in_isolation(
        self, asset: Address, borrowable: bool, *, sender: Address
    ) -> None:
        """Allow or forbid borrowing the asset in isolation mode (risk or pool admin)."""
        borrowable = _bool(borrowable, "borrowable")
        self._only_risk_or_pool_admins(sender)
        self._update(
            asset,
            lambda c: c.set_borrowable_in_isolation(borrowable),
            "BorrowableInIsolationChanged",
            borrowable,
        )

    def set_reserve_pause(self, asset: Address, paused: bool, *, sender: Address) -> None:
        """Pause (every action stops) or unpause the reserve (emergency or pool admin)."""
        paused = _bool(paused, "paused")
        self._only_emergency_or_pool_admin(sender)
        self._update(asset, lambda c: c.set_paused(paused), "ReservePaused", paused)

    def set_pool_pause(self, paused: bool, *, sender: Address) -> None:
        """`setReservePause` on every listed reserve (emergency admin)."""
        paused = _bool(paused, "paused")
        self._only_emergency_admin(sender)

        def run() -> None:
            for asset in self._pool.get_reserves_list():
                if not is_zero_address(asset):
                    self.set_reserve_pause(asset, paused, sender=sender)

        self._run(run)

    # --- risk parameters ---

    def configure_reserve_as_collateral(
        self,
        asset: Address,
        ltv: int,
        liquidation_threshold: int,
        liquidation_bonus: int,
        *,
        sender: Address,
    ) -> None:
        """Set LTV, liquidation threshold and bonus (bps): ltv <= threshold; with a threshold,
        bonus > 100% and threshold x bonus <= 100%; threshold 0 (not collateral) needs bonus 0
        and no suppliers (risk or pool admin)."""
        ltv = _uint(ltv, "ltv")
        liquidation_threshold = _uint(liquidation_threshold, "liquidation_threshold")
        liquidation_bonus = _uint(liquidation_bonus, "liquidation_bonus")
        self._only_risk_or_pool_admins(sender)

        def invalid(rule: str) -> ProtocolError:
            return ProtocolError(
                ErrorCode.INVALID_RESERVE_PARAMS,
                rule=rule,
                ltv=ltv,
                threshold=liquidation_threshold,
                bonus=liquidation_bonus,
            )

        if ltv > liquidation_threshold:
            raise invalid("ltv <= liquidation_threshold")
        if liquidation_threshold != 0:
            if liquidation_bonus <= PERCENTAGE_FACTOR:
                raise invalid("liquidation_bonus > 100%")
            if percent_mul(liquidation_threshold, liquidation_bonus) > PERCENTAGE_FACTOR:
                raise invalid("liquidation_threshold x liquidation_bonus <= 100%")
        else:
            if liquidation_bonus != 0:
                raise invalid("liquidation_bonus == 0 when liquidation_threshold == 0")
            logic.check_no_suppliers(self._pool, asset)
        self._update(
            asset,
            lambda c: (
                c.set_ltv(ltv)
                .set_liquidation_threshold(liquidation_threshold)
                .set_liquidation_bonus(liquidation_bonus)
            ),
            "CollateralConfigurationChanged",
            ltv,
            liquidation_threshold,
            liquidation_bonus,
        )

    def set_reserve_factor(
        self, asset: Address, new_reserve_factor: int, *, sender: Address
    ) -> None:
        """Set the share of interest that goes to the treasury, <= 100% (risk or pool admin).
        v3.0.2 does not accrue the reserve first (see the module docstring)."""
        new_reserve_factor = _uint(new_reserve_factor, "new_reserve_factor")
        self._only_risk_or_pool_admins(sender)
        if new_reserve_factor > PERCENTAGE_FACTOR:
            raise ProtocolError(
                ErrorCode.INVALID_RESERVE_FACTOR, value=new_reserve_factor, max=PERCENTAGE_FACTOR
            )
        old = self._pool.get_configuration(asset).get_reserve_factor()
        self._update(
            asset,
            lambda c: c.set_reserve_factor(new_reserve_factor),
            "ReserveFactorChanged",
            old,
            new_reserve_factor,
        )

    def set_debt_ceiling(self, asset: Address, new_debt_ceiling: int, *, sender: Address) -> None:
        """Set the isolation-mode debt ceiling (2 decimals). Going from no ceiling to one
        needs no suppliers; setting 0 also resets the isolated debt (risk or pool admin)."""
        new_debt_ceiling = _uint(new_debt_ceiling, "new_debt_ceiling")
        self._only_risk_or_pool_admins(sender)
        old = self._pool.get_configuration(asset).get_debt_ceiling()
        if old == 0:
            logic.check_no_suppliers(self._pool, asset)

        def run() -> None:
            self._set(asset, self._pool.get_configuration(asset).set_debt_ceiling(new_debt_ceiling))
            if new_debt_ceiling == 0:
                self._pool.reset_isolation_mode_total_debt(asset, sender=self.address)
            self._emit("DebtCeilingChanged", asset, old, new_debt_ceiling)

        self._run(run)

    def set_siloed_borrowing(self, asset: Address, new_siloed: bool, *, sender: Address) -> None:
        """Make the asset siloed (needs no borrowers) or not (risk or pool admin)."""
        new_siloed = _bool(new_siloed, "new_siloed")
        self._only_risk_or_pool_admins(sender)
        if new_siloed:
            logic.check_no_borrowers(self._pool, asset)
        old = self._pool.get_configuration(asset).get_siloed_borrowing()
        self._update(
            asset,
            lambda c: c.set_siloed_borrowing(new_siloed),
            "SiloedBorrowingChanged",
            old,
            new_siloed,
        )

    def set_borrow_cap(self, asset: Address, new_borrow_cap: int, *, sender: Address) -> None:
        """Set the borrow cap in whole tokens, 0 = none (risk or pool admin)."""
        new_borrow_cap = _uint(new_borrow_cap, "new_borrow_cap")
        self._only_risk_or_pool_admins(sender)
        old = self._pool.get_configuration(asset).get_borrow_cap()
        self._update(
            asset,
            lambda c: c.set_borrow_cap(new_borrow_cap),
            "BorrowCapChanged",
            old,
            new_borrow_cap,
        )

    def set_supply_cap(self, asset: Address, new_supply_cap: int, *, sender: Address) -> None:
        """Set the supply cap in whole tokens, 0 = none (risk or pool admin)."""
        new_supply_cap = _uint(new_supply_cap, "new_supply_cap")
        self._only_risk_or_pool_admins(sender)
        old = self._pool.get_configuration(asset).get_supply_cap()
        self._update(
            asset,
            lambda c: c.set_supply_cap(new_supply_cap),
            "SupplyCapChanged",
            old,
            new_supply_cap,
        )

    def set_liquidation_protocol_fee(
        self, asset: Address, new_fee: int, *, sender: Address
    ) -> None:
        """Set the protocol's share of the liquidation bonus, <= 100% (risk or pool admin)."""
        new_fee = _uint(new_fee, "new_fee")
        self._only_risk_or_pool_admins(sender)
        if new_fee > PERCENTAGE_FACTOR:
            raise ProtocolError(
                ErrorCode.INVALID_LIQUIDATION_PROTOCOL_FEE, value=new_fee, max=PERCENTAGE_FACTOR
            )
        old = self._pool.get_configuration(asset).get_liquidation_protocol_fee()
        self._update(
            asset,
            lambda c: c.set_liquidation_protocol_fee(new_fee),
            "LiquidationProtocolFeeChanged",
            old,
            new_fee,
        )

    def set_unbacked_mint_cap(
        self, asset: Address, new_unbacked_mint_cap: int, *, sender: Address
    ) -> None:
        """Set the cap on unbacked (bridge) minting, whole tokens (risk or pool admin)."""
        new_unbacked_mint_cap = _uint(new_unbacked_mint_cap, "new_unbacked_mint_cap")
        self._only_risk_or_pool_admins(sender)
        old = self._pool.get_configuration(asset).get_unbacked_mint_cap()
        self._update(
            asset,
            lambda c: c.set_unbacked_mint_cap(new_unbacked_mint_cap),
            "UnbackedMintCapChanged",
            old,
            new_unbacked_mint_cap,
        )

    def set_reserve_interest_rate_strategy_address(
        self, asset: Address, rate_strategy: ReserveInterestRateStrategy, *, sender: Address
    ) -> None:
        """Replace the reserve's interest rate strategy; the new one prices the next action
        (risk or pool admin)."""
        self._only_risk_or_pool_admins(sender)
        # getReserveData of an unlisted asset is all zeros; the Pool's setter then reverts.
        listed = asset in self._pool.get_reserves_list()
        old = self._pool.get_reserve_data(asset).interest_rate_strategy if listed else None

        def run() -> None:
            self._pool.set_reserve_interest_rate_strategy_address(
                asset, rate_strategy, sender=self.address
            )
            self._emit("ReserveInterestRateStrategyChanged", asset, old, rate_strategy)

        self._run(run)

    # --- eMode ---

    def set_emode_category(  # noqa: PLR0917 - IPoolConfigurator.setEModeCategory's signature
        self,
        category_id: int,
        ltv: int,
        liquidation_threshold: int,
        liquidation_bonus: int,
        oracle: Address | None,
        label: str,
        *,
        sender: Address,
    ) -> None:
        """Create or update eMode category `category_id` (1..255) (risk or pool admin);
        `oracle` None or address(0) = each asset's own price."""
        category_id = _uint(category_id, "category_id", 8)
        ltv = _uint(ltv, "ltv", 16)
        liquidation_threshold = _uint(liquidation_threshold, "liquidation_threshold", 16)
        liquidation_bonus = _uint(liquidation_bonus, "liquidation_bonus", 16)
        if type(label) is not str:
            raise ProtocolError(
                ErrorCode.INVALID_TYPE, field="label", expected="string", got=type(label).__name__
            )
        self._only_risk_or_pool_admins(sender)
        logic.validate_emode_category(
            self._pool, category_id, ltv, liquidation_threshold, liquidation_bonus
        )
        price_source = None if is_zero_address(oracle) else oracle
        category = EModeCategory(
            ltv=ltv,
            liquidation_threshold=liquidation_threshold,
            liquidation_bonus=liquidation_bonus,
            price_source=price_source,
            label=label,
        )

        def run() -> None:
            self._pool.configure_emode_category(category_id, category, sender=self.address)
            self._emit(
                "EModeCategoryAdded",
                category_id,
                ltv,
                liquidation_threshold,
                liquidation_bonus,
                ZERO_ADDRESS if price_source is None else price_source,
                label,
            )

        self._run(run)

    def set_asset_emode_category(
        self, asset: Address, new_category_id: int, *, sender: Address
    ) -> None:
        """Put the asset in eMode category `new_category_id` (0 = none); the category's
        threshold must exceed the asset's (`INVALID_EMODE_CATEGORY_ASSIGNMENT`) (risk or
        pool admin)."""
        new_category_id = _uint(new_category_id, "new_category_id", 8)
        self._only_risk_or_pool_admins(sender)
        config = self._pool.get_configuration(asset)
        if new_category_id != 0:
            category = self._pool.get_emode_category_data(new_category_id)
            if category.liquidation_threshold <= config.get_liquidation_threshold():
                raise ProtocolError(
                    ErrorCode.INVALID_EMODE_CATEGORY_ASSIGNMENT,
                    asset=asset,
                    category_id=new_category_id,
                    category_threshold=category.liquidation_threshold,
                    asset_threshold=config.get_liquidation_threshold(),
                )
        old = config.get_emode_category()
        self._update(
            asset,
            lambda c: c.set_emode_category(new_category_id),
            "EModeAssetCategoryChanged",
            old,
            new_category_id,
        )

    # --- protocol fees ---

    def update_bridge_protocol_fee(self, new_bridge_protocol_fee: int, *, sender: Address) -> None:
        """Set the protocol's share of bridge (unbacked) backing fees, <= 100% (pool admin).
        SparkLend has no bridges: the value is stored and read back, nothing uses it."""
        new_bridge_protocol_fee = _uint(new_bridge_protocol_fee, "new_bridge_protocol_fee")
        self._only_pool_admin(sender)
        if new_bridge_protocol_fee > PERCENTAGE_FACTOR:
            raise ProtocolError(
                ErrorCode.BRIDGE_PROTOCOL_FEE_INVALID,
                value=new_bridge_protocol_fee,
                max=PERCENTAGE_FACTOR,
            )
        old = self._pool.BRIDGE_PROTOCOL_FEE()

        def run() -> None:
            self._pool.update_bridge_protocol_fee(new_bridge_protocol_fee, sender=self.address)
            self._emit("BridgeProtocolFeeUpdated", old, new_bridge_protocol_fee)

        self._run(run)

    def update_flashloan_premium_total(
        self, new_flashloan_premium_total: int, *, sender: Address
    ) -> None:
        """Set the flash-loan premium, bps <= 100% (pool admin)."""
        new_total = _uint(new_flashloan_premium_total, "new_flashloan_premium_total", 128)
        self._only_pool_admin(sender)
        if new_total > PERCENTAGE_FACTOR:
            raise ProtocolError(
                ErrorCode.FLASHLOAN_PREMIUM_INVALID, value=new_total, max=PERCENTAGE_FACTOR
            )
        pool = self._pool
        old = pool.FLASHLOAN_PREMIUM_TOTAL()

        def run() -> None:
            pool.update_flashloan_premiums(
                new_total, pool.FLASHLOAN_PREMIUM_TO_PROTOCOL(), sender=self.address
            )
            self._emit("FlashloanPremiumTotalUpdated", old, new_total)

        self._run(run)

    def update_flashloan_premium_to_protocol(
        self, new_flashloan_premium_to_protocol: int, *, sender: Address
    ) -> None:
        """Set the protocol's share of the flash-loan premium, bps <= 100% (pool admin)."""
        new_to_protocol = _uint(
            new_flashloan_premium_to_protocol, "new_flashloan_premium_to_protocol", 128
        )
        self._only_pool_admin(sender)
        if new_to_protocol > PERCENTAGE_FACTOR:
            raise ProtocolError(
                ErrorCode.FLASHLOAN_PREMIUM_INVALID, value=new_to_protocol, max=PERCENTAGE_FACTOR
            )
        pool = self._pool
        old = pool.FLASHLOAN_PREMIUM_TO_PROTOCOL()

        def run() -> None:
            pool.update_flashloan_premiums(
                pool.FLASHLOAN_PREMIUM_TOTAL(), new_to_protocol, sender=self.address
            )
            self._emit("FlashloanPremiumToProtocolUpdated", old, new_to_protocol)

        self._run(run)

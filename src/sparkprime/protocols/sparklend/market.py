"""A whole SparkLend market as one deterministic state machine for the journal.

`SparkLendMarket` holds a `Pool`, its `PoolConfigurator`, a settable price oracle, the named
live rates its rate-target strategies follow, each reserve's strategy as data, and optionally
the guards: named ratio feeds (`feeds`, "stETH/ETH" -> `PriceFeed`), a `KillSwitchOracle`
reading them and a `CapAutomator`. Every
change is a command from `market_commands` applied through `apply` (the `StateMachine`
protocol of `sparkprime.ledger`), so a `Ledger` journals it, replays it and snapshots it.
Each command maps to one contract call; the call is all-or-nothing (the Pool's undo log), so
a refused command leaves the market as it was.

The guards are deployed by commands (`DeployKillSwitch`, `DeployCapAutomator`) at fixed
addresses; neither gets a role by itself: governance grants RISK_ADMIN with `GrantRole`, as
on chain. Commands name feeds; the kill switch keys its oracles by the feed's address
(`feed_address(name)`). The cap automator's `block.number` is a `BlockClock` on the market
clock with 12-second blocks: block 1 at the deploy command's timestamp, one more every 12 s
(so two commands in the same 12 s share a block). Snapshots carry the feeds and the guards'
state, and the keys are present only once there is something to carry, so a market without
guards snapshots (and hashes) as before.

Example:
    >>> from sparkprime.ledger import Ledger, MemoryJournalStore
    >>> from sparkprime.protocols.sparklend.addresses import make_addr
    >>> admin = make_addr("admin")
    >>> market = SparkLendMarket.create(start_ts_s=1, admin=admin)
    >>> ledger = Ledger.create(MemoryJournalStore(), market)
    >>> ledger.machine.pool.get_reserves_count()
    0
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Final, Self

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.ledger.command import canonical_json, from_plain, to_plain
from sparkprime.oracle.feed import PriceFeed
from sparkprime.protocols.erc20 import Erc20
from sparkprime.protocols.sparklend import market_commands as mc
from sparkprime.protocols.sparklend.acl import POOL_ADMIN, RISK_ADMIN, Acl
from sparkprime.protocols.sparklend.addresses import make_addr
from sparkprime.protocols.sparklend.cap_automator import (
    BlockClock,
    CapAutomator,
    CapAutomatorVersion,
)
from sparkprime.protocols.sparklend.configurator_logic import InitReserveInput
from sparkprime.protocols.sparklend.kill_switch import KillSwitchOracle
from sparkprime.protocols.sparklend.market_rates import RateInputs, StrategySpec
from sparkprime.protocols.sparklend.oracle import SimplePriceOracle
from sparkprime.protocols.sparklend.pool import Pool
from sparkprime.protocols.sparklend.pool_configurator import PoolConfigurator
from sparkprime.protocols.sparklend.rounding import RoundingMode
from sparkprime.protocols.sparklend.transaction import transact

__all__ = [
    "BLOCK_TIME_S",
    "CAP_AUTOMATOR_ADDRESS",
    "KILL_SWITCH_ADDRESS",
    "MARKET_SNAPSHOT_VERSION",
    "SparkLendMarket",
    "feed_address",
]

MARKET_SNAPSHOT_VERSION: Final = 1
POOL_ADDRESS: Final = make_addr("sparklend.pool")
CONFIGURATOR_ADDRESS: Final = make_addr("sparklend.pool-configurator")
KILL_SWITCH_ADDRESS: Final = make_addr("sparklend.kill-switch-oracle")
CAP_AUTOMATOR_ADDRESS: Final = make_addr("sparklend.cap-automator")
BLOCK_TIME_S: Final = 12  # the cap automator's blocks
_FIRST_BLOCK: Final = 1  # block.number at the DeployCapAutomator command
_FLAG_SETTERS: Final = {
    "active": "set_reserve_active",
    "freeze": "set_reserve_freeze",
    "pause": "set_reserve_pause",
    "flash_loaning": "set_reserve_flash_loaning",
    "borrowable_in_isolation": "set_borrowable_in_isolation",
    "siloed_borrowing": "set_siloed_borrowing",
}


def feed_address(name: str) -> Address:
    """The address of the market's feed `name` (what the kill switch registers)."""
    return make_addr(f"sparklend.feed:{name}")


def _block_clock(clock: Clock, anchor_ts_s: int) -> BlockClock:
    """Block `_FIRST_BLOCK` at `anchor_ts_s`, one more every `BLOCK_TIME_S` of `clock`."""
    blocks = BlockClock(Clock(anchor_ts_s), block_time_s=BLOCK_TIME_S, start_block=_FIRST_BLOCK)
    blocks.clock = clock  # anchored at the deploy time, read from the market clock
    return blocks


class SparkLendMarket:
    """A Pool, its configurator, prices and live rates, driven by commands."""

    NAME: ClassVar[str] = "sparklend.market/1"
    COMMAND_TYPES: ClassVar[tuple[type, ...]] = mc.MARKET_COMMANDS

    __slots__ = (
        "_block_anchor_ts_s",
        "_feeds_by_address",
        "_handlers",
        "cap_automator",
        "configurator",
        "feeds",
        "kill_switch",
        "oracle",
        "pool",
        "rate_inputs",
        "strategy_specs",
    )

    def __init__(
        self,
        *,
        pool: Pool,
        configurator: PoolConfigurator,
        oracle: SimplePriceOracle,
        rate_inputs: RateInputs,
        strategy_specs: Mapping[Address, StrategySpec],
    ) -> None:
        self.pool = pool
        self.configurator = configurator
        self.oracle = oracle
        self.rate_inputs = rate_inputs
        self.strategy_specs: dict[Address, StrategySpec] = dict(strategy_specs)
        self.feeds: dict[str, PriceFeed] = {}
        # What the kill switch reads: the same feeds by address (kept in step with `feeds`).
        self._feeds_by_address: dict[Address, PriceFeed] = {}
        self.kill_switch: KillSwitchOracle | None = None
        self.cap_automator: CapAutomator | None = None
        self._block_anchor_ts_s = 0  # the cap automator's deploy time (block 1)
        self._handlers: dict[type, Callable[[Any], Any]] = self._handler_table()

    @classmethod
    def create(
        cls,
        *,
        start_ts_s: int,
        admin: Address,
        rounding_mode: RoundingMode = RoundingMode.HALF_UP_V1,
    ) -> SparkLendMarket:
        """An empty market whose `admin` holds the pool-admin and risk-admin roles."""
        acl = Acl(admin=admin)
        acl.grant_role(POOL_ADMIN, admin, sender=admin)
        acl.grant_role(RISK_ADMIN, admin, sender=admin)
        oracle = SimplePriceOracle()
        pool = Pool(
            address=POOL_ADDRESS,
            clock=Clock(start_ts_s),
            oracle=oracle,
            acl=acl,
            configurator=CONFIGURATOR_ADDRESS,
            rounding_mode=rounding_mode,
        )
        configurator = PoolConfigurator(pool, acl)
        return cls(
            pool=pool,
            configurator=configurator,
            oracle=oracle,
            rate_inputs=RateInputs(),
            strategy_specs={},
        )

    @property
    def clock(self) -> Clock:
        """The market's clock (block.timestamp); the journal warps it to each command."""
        return self.pool.clock

    def apply(self, command: Any) -> Any:
        """Run one command; a refusal raises ProtocolError and changes nothing."""
        handler = self._handlers.get(type(command))
        if handler is None:
            raise ProtocolError(ErrorCode.UNKNOWN_COMMAND_KIND, kind=type(command).__name__)
        # One command, one action of the Pool's undo log: a refusal part-way undoes it all.
        return transact(self.pool.registry.atomic, handler, command)

    # --- handlers: one contract call each -------------------------------------------------

    def _handler_table(self) -> dict[type, Callable[[Any], Any]]:
        pool, cfg = self.pool, self.configurator
        return {
            mc.Supply: lambda c: pool.supply(c.asset, c.amount, c.on_behalf_of, 0, sender=c.sender),
            mc.Withdraw: lambda c: pool.withdraw(c.asset, c.amount, c.to, sender=c.sender),
            mc.Borrow: lambda c: pool.borrow(
                c.asset, c.amount, c.interest_rate_mode, 0, c.on_behalf_of, sender=c.sender
            ),
            mc.Repay: lambda c: pool.repay(
                c.asset, c.amount, c.interest_rate_mode, c.on_behalf_of, sender=c.sender
            ),
            mc.RepayWithATokens: lambda c: pool.repay_with_a_tokens(
                c.asset, c.amount, c.interest_rate_mode, sender=c.sender
            ),
            mc.SetUserUseReserveAsCollateral: lambda c: pool.set_user_use_reserve_as_collateral(
                c.asset, c.use_as_collateral, sender=c.sender
            ),
            mc.SetUserEMode: lambda c: pool.set_user_emode(c.category_id, sender=c.sender),
            mc.LiquidationCall: self._liquidation_call,
            mc.ApproveDelegation: lambda c: pool.variable_debt_token(c.asset).approve_delegation(
                c.delegatee, c.amount, sender=c.sender
            ),
            mc.TransferAToken: lambda c: pool.a_token(c.asset).transfer(
                c.to, c.amount, sender=c.sender
            ),
            mc.MintToTreasury: lambda c: pool.mint_to_treasury(list(c.assets)),
            mc.DeployToken: self._deploy_token,
            mc.Deal: lambda c: pool.registry.get(c.asset).mint(c.to, c.amount),
            mc.ApproveUnderlying: lambda c: pool.registry.get(c.asset).approve(
                c.spender, c.amount, sender=c.sender
            ),
            mc.SetAssetPrice: lambda c: self.oracle.set_asset_price(c.asset, c.price_usd_e8),
            mc.DefineRateInput: lambda c: self.rate_inputs.define(c.spec, c.value),
            mc.SetRateInput: lambda c: self.rate_inputs.set_value(c.name, c.value),
            mc.GrantRole: lambda c: pool.acl.grant_role(c.role, c.account, sender=c.sender),
            mc.InitReserve: self._init_reserve,
            mc.ConfigureReserveAsCollateral: lambda c: cfg.configure_reserve_as_collateral(
                c.asset, c.ltv, c.liquidation_threshold, c.liquidation_bonus, sender=c.sender
            ),
            mc.SetReserveBorrowing: lambda c: cfg.set_reserve_borrowing(
                c.asset, c.enabled, sender=c.sender
            ),
            mc.SetReserveFlag: self._set_reserve_flag,
            mc.SetReserveFactor: lambda c: cfg.set_reserve_factor(
                c.asset, c.reserve_factor_bps, sender=c.sender
            ),
            mc.SetSupplyCap: lambda c: cfg.set_supply_cap(
                c.asset, c.supply_cap_tokens, sender=c.sender
            ),
            mc.SetBorrowCap: lambda c: cfg.set_borrow_cap(
                c.asset, c.borrow_cap_tokens, sender=c.sender
            ),
            mc.SetLiquidationProtocolFee: lambda c: cfg.set_liquidation_protocol_fee(
                c.asset, c.fee_bps, sender=c.sender
            ),
            mc.SetFlashloanPremiums: self._set_flashloan_premiums,
            mc.SetDebtCeiling: lambda c: cfg.set_debt_ceiling(
                c.asset, c.debt_ceiling_usd_e2, sender=c.sender
            ),
            mc.SetEModeCategory: lambda c: cfg.set_emode_category(
                c.category_id,
                c.ltv,
                c.liquidation_threshold,
                c.liquidation_bonus,
                c.price_source,
                c.label,
                sender=c.sender,
            ),
            mc.SetAssetEModeCategory: lambda c: cfg.set_asset_emode_category(
                c.asset, c.category_id, sender=c.sender
            ),
            mc.DefineFeed: self._define_feed,
            mc.PushFeedAnswer: lambda c: dataclasses.asdict(
                self._feed(c.name).update(c.answer, ts_s=self.clock.now)
            ),
            mc.DeployKillSwitch: self._deploy_kill_switch,
            mc.KillSwitchSetOracle: lambda c: self._require_kill_switch().set_oracle(
                self._feed_addr(c.feed), c.threshold, sender=c.sender
            ),
            mc.KillSwitchDisableOracle: lambda c: self._require_kill_switch().disable_oracle(
                self._feed_addr(c.feed), sender=c.sender
            ),
            mc.KillSwitchTrigger: lambda c: self._require_kill_switch().trigger(
                self._feed_addr(c.feed), sender=c.sender
            ),
            mc.KillSwitchReset: lambda c: self._require_kill_switch().reset(sender=c.sender),
            mc.DeployCapAutomator: self._deploy_cap_automator,
            mc.CapAutomatorSetSupplyCapConfig: lambda c: (
                self._require_cap_automator().set_supply_cap_config(
                    c.asset, c.max, c.gap, c.increase_cooldown, sender=c.sender
                )
            ),
            mc.CapAutomatorSetBorrowCapConfig: lambda c: (
                self._require_cap_automator().set_borrow_cap_config(
                    c.asset, c.max, c.gap, c.increase_cooldown, sender=c.sender
                )
            ),
            mc.CapAutomatorExec: lambda c: list(
                self._require_cap_automator().exec(c.asset, sender=c.sender)
            ),
        }

    def _liquidation_call(self, cmd: mc.LiquidationCall) -> dict[str, Any]:
        result = self.pool.liquidation_call(
            cmd.collateral_asset,
            cmd.debt_asset,
            cmd.user,
            cmd.debt_to_cover,
            cmd.receive_a_token,
            sender=cmd.sender,
        )
        return dataclasses.asdict(result)

    def _deploy_token(self, cmd: mc.DeployToken) -> None:
        self.pool.registry.register(Erc20(cmd.address, cmd.symbol, cmd.decimals))

    def _init_reserve(self, cmd: mc.InitReserve) -> None:
        strategy = cmd.strategy.build(self.rate_inputs)  # validates before anything is listed
        token = self.pool.registry.get(cmd.asset)
        item = InitReserveInput(
            underlying_asset=cmd.asset,
            underlying_asset_decimals=token.decimals,
            interest_rate_strategy=strategy,
            treasury=cmd.treasury,
            symbol=token.symbol,
        )
        self.configurator.init_reserves([item], sender=cmd.sender)
        self.strategy_specs[cmd.asset] = cmd.strategy

    def _set_flashloan_premiums(self, cmd: mc.SetFlashloanPremiums) -> None:
        # Two configurator calls in one command: `apply` makes them one undo-log action.
        self.configurator.update_flashloan_premium_total(cmd.total_bps, sender=cmd.sender)
        self.configurator.update_flashloan_premium_to_protocol(
            cmd.to_protocol_bps, sender=cmd.sender
        )

    def _set_reserve_flag(self, cmd: mc.SetReserveFlag) -> None:
        setter = _FLAG_SETTERS.get(cmd.flag)
        if setter is None:
            raise ProtocolError(
                ErrorCode.INVALID_ID,
                field="flag",
                value=cmd.flag,
                reason=f"one of {', '.join(sorted(_FLAG_SETTERS))}",
            )
        getattr(self.configurator, setter)(cmd.asset, cmd.value, sender=cmd.sender)

    # --- feeds and guards -----------------------------------------------------------------

    def _define_feed(self, cmd: mc.DefineFeed) -> str:
        if cmd.name in self.feeds:
            raise ProtocolError(
                ErrorCode.INVALID_ID, field="name", value=cmd.name, reason="feed already defined"
            )
        feed = PriceFeed(description=cmd.description, decimals=cmd.decimals)
        self.feeds[cmd.name] = feed
        address = feed_address(cmd.name)
        self._feeds_by_address[address] = feed
        return address

    def _feed(self, name: str) -> PriceFeed:
        feed = self.feeds.get(name)
        if feed is None:
            raise ProtocolError(
                ErrorCode.INVALID_ID, field="feed", value=name, reason="no feed of that name"
            )
        return feed

    def _feed_addr(self, name: str) -> Address:
        self._feed(name)
        return feed_address(name)

    def _require_kill_switch(self) -> KillSwitchOracle:
        if self.kill_switch is None:
            raise ProtocolError(
                ErrorCode.INVALID_ID,
                field="kill_switch",
                value=KILL_SWITCH_ADDRESS,
                reason="not deployed",
            )
        return self.kill_switch

    def _require_cap_automator(self) -> CapAutomator:
        if self.cap_automator is None:
            raise ProtocolError(
                ErrorCode.INVALID_ID,
                field="cap_automator",
                value=CAP_AUTOMATOR_ADDRESS,
                reason="not deployed",
            )
        return self.cap_automator

    def _new_kill_switch(self, owner: Address) -> KillSwitchOracle:
        return KillSwitchOracle(
            pool=self.pool,
            configurator=self.configurator,
            feeds=self._feeds_by_address,
            owner=owner,
            address=KILL_SWITCH_ADDRESS,
        )

    def _deploy_kill_switch(self, cmd: mc.DeployKillSwitch) -> Address:
        if self.kill_switch is not None:
            raise ProtocolError(
                ErrorCode.INVALID_ID,
                field="kill_switch",
                value=KILL_SWITCH_ADDRESS,
                reason="already deployed",
            )
        self.kill_switch = self._new_kill_switch(cmd.owner)
        return KILL_SWITCH_ADDRESS

    def _new_cap_automator(self, owner: Address, version: CapAutomatorVersion) -> CapAutomator:
        return CapAutomator(
            pool=self.pool,
            configurator=self.configurator,
            clock=self.clock,
            block_number=_block_clock(self.clock, self._block_anchor_ts_s),
            address=CAP_AUTOMATOR_ADDRESS,
            version=version,
            owner=owner,
            admin=owner,
            updater=owner,
        )

    def _deploy_cap_automator(self, cmd: mc.DeployCapAutomator) -> Address:
        if self.cap_automator is not None:
            raise ProtocolError(
                ErrorCode.INVALID_ID,
                field="cap_automator",
                value=CAP_AUTOMATOR_ADDRESS,
                reason="already deployed",
            )
        previous = self._block_anchor_ts_s
        self._block_anchor_ts_s = self.clock.now
        try:
            self.cap_automator = self._new_cap_automator(cmd.owner, cmd.version)
        except ProtocolError:
            self._block_anchor_ts_s = previous
            raise
        return CAP_AUTOMATOR_ADDRESS

    # --- state ------------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """The whole market as JSON-able data (feeds and guards only once there are any)."""
        data: dict[str, Any] = {
            "version": MARKET_SNAPSHOT_VERSION,
            "pool": self.pool.snapshot(),
            "prices": dict(sorted(self.oracle.prices().items())),
            "rate_inputs": self.rate_inputs.snapshot(),
            "strategies": {a: to_plain(s) for a, s in sorted(self.strategy_specs.items())},
        }
        if self.feeds:
            data["feeds"] = {name: f.snapshot() for name, f in sorted(self.feeds.items())}
        if self.kill_switch is not None:
            data["kill_switch"] = self.kill_switch.snapshot()
        if self.cap_automator is not None:
            data["cap_automator"] = {
                "block_anchor_ts_s": self._block_anchor_ts_s,
                "state": self.cap_automator.snapshot(),
            }
        return data

    def state_hash(self) -> str:
        """sha256 of the canonical JSON of `snapshot()`."""
        return hashlib.sha256(canonical_json(self.snapshot()).encode()).hexdigest()

    @classmethod
    def restore(cls, data: Mapping[str, Any]) -> Self:
        """Rebuild a market from `snapshot()`."""
        if data.get("version") != MARKET_SNAPSHOT_VERSION:
            raise ProtocolError(
                ErrorCode.SNAPSHOT_CORRUPT,
                seq="?",
                reason=f"market version {data.get('version')!r}",
            )
        rate_inputs = RateInputs.restore(list(data["rate_inputs"]))
        specs = {Address(a): from_plain(StrategySpec, s) for a, s in data["strategies"].items()}
        oracle = SimplePriceOracle({Address(a): p for a, p in data["prices"].items()})
        strategies = {asset: spec.build(rate_inputs) for asset, spec in specs.items()}
        pool = Pool.restore(data["pool"], oracle=oracle, strategies=strategies)
        configurator = PoolConfigurator(pool, pool.acl)
        market = cls(
            pool=pool,
            configurator=configurator,
            oracle=oracle,
            rate_inputs=rate_inputs,
            strategy_specs=specs,
        )
        market._restore_guards(data)
        return market

    def _restore_guards(self, data: Mapping[str, Any]) -> None:
        for name, feed_data in data.get("feeds", {}).items():
            feed = PriceFeed.restore(feed_data)
            self.feeds[name] = feed
            self._feeds_by_address[feed_address(name)] = feed
        kill_switch = data.get("kill_switch")
        if kill_switch is not None:
            self.kill_switch = self._new_kill_switch(Address(str(kill_switch["owner"])))
            self.kill_switch.load(kill_switch)
        automator = data.get("cap_automator")
        if automator is not None:
            state = automator["state"]
            self._block_anchor_ts_s = int(automator["block_anchor_ts_s"])
            # Built with a placeholder owner/admin; `load` puts back the real ones.
            placeholder = Address(str(state["owner"] or CAP_AUTOMATOR_ADDRESS))
            self.cap_automator = self._new_cap_automator(
                placeholder, CapAutomatorVersion(state["version"])
            )
            self.cap_automator.load(state)

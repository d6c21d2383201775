"""Port of marsfoundation/sparklend-kill-switch `test/KillSwitchOracle.t.sol` (the final
version: `BorrowDisabled`, re-runnable trigger) and `test/KillSwitchOracleIntegration.t.sol`,
against the real Pool and PoolConfigurator.

Upstream's unit tests use a MockPool whose `__addReserve` stores a raw configuration; here
each reserve is listed through the configurator and its flags written the same raw way
(`Pool.setConfiguration` as the configurator). The MockOracle is a `PriceFeed`. The
integration test's mainnet fork is replaced by a market with the same shape (borrowable
assets, a collateral-only asset, a frozen one) and the fork's feed answers."""

from __future__ import annotations

from typing import Any

import pytest

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.oracle.feed import PriceFeed
from sparkprime.protocols.sparklend.addresses import ZERO_ADDRESS, make_addr
from sparkprime.protocols.sparklend.errors import revert_string
from sparkprime.protocols.sparklend.events import Event
from sparkprime.protocols.sparklend.kill_switch import (
    INVALID_PRICE,
    INVALID_THRESHOLD,
    NOT_TRIGGERED,
    ORACLE_DOES_NOT_EXIST,
    PRICE_ABOVE_THRESHOLD,
    KillSwitchOracle,
)

from .configurator_market import Market, ReserveParams, assert_rejected


class Env:
    """`KillSwitchOracleTestBase`: the switch, owned by `owner`, with three 1e8 oracles."""

    def __init__(self) -> None:
        self.m = Market()
        self.owner = make_addr("owner")
        self.random_address = make_addr("randomAddress")
        self.feeds: dict[Address, PriceFeed] = {}
        self.oracle1, self.oracle2, self.oracle3 = (
            self.new_oracle(f"oracle{i}") for i in (1, 2, 3)
        )
        self.ks = KillSwitchOracle(
            pool=self.m.pool,
            configurator=self.m.configurator,
            feeds=self.feeds,
            owner=self.m.deployer,
            address=make_addr("killSwitchOracle"),
        )
        self.ks.transfer_ownership(self.owner, sender=self.m.deployer)
        self.m.acl.add_risk_admin(self.ks.address, sender=self.m.deployer)

    def new_oracle(self, label: str, answer: int = 10**8) -> Address:
        address = make_addr(label)
        self.feeds[address] = PriceFeed(description=label, decimals=8)
        self.set_answer(address, answer)
        return address

    def set_answer(self, oracle: Address, answer: int) -> None:
        self.feeds[oracle].update(answer, ts_s=self.m.clock.now)

    def init_reserve(
        self, symbol: str, *, active: bool, frozen: bool, paused: bool, borrowing: bool
    ) -> Address:
        asset = self.m.list_reserve(symbol)
        self.set_flags(asset, active=active, frozen=frozen, paused=paused, borrowing=borrowing)
        return asset

    def set_flags(
        self, asset: Address, *, active: bool, frozen: bool, paused: bool, borrowing: bool
    ) -> None:
        config = (
            self.m.config(asset)
            .set_active(active)
            .set_frozen(frozen)
            .set_paused(paused)
            .set_borrowing_enabled(borrowing)
        )
        self.m.pool.set_configuration(asset, config, sender=self.m.configurator.address)

    def flags(self, asset: Address) -> tuple[bool, bool, bool, bool]:
        c = self.m.config(asset)
        return c.get_active(), c.get_frozen(), c.get_paused(), c.get_borrowing_enabled()

    def rejected(self, code: ErrorCode, fn: Any, *args: Any, **kwargs: Any) -> ProtocolError:
        return assert_rejected(self.m, code, fn, *args, extra=self.ks.snapshot, **kwargs)


@pytest.fixture
def env() -> Env:
    return Env()


# --- constructor and ownership ---


def test_constructor(env: Env) -> None:
    assert env.ks.pool is env.m.pool
    assert env.ks.pool_configurator is env.m.configurator
    assert env.ks.triggered is False
    assert env.ks.num_oracles() == 0


def test_owner(env: Env) -> None:
    ks = KillSwitchOracle(
        pool=env.m.pool,
        configurator=env.m.configurator,
        feeds=env.feeds,
        owner=env.m.deployer,
        address=make_addr("another"),
    )
    assert ks.owner == env.m.deployer
    ks.transfer_ownership(env.owner, sender=env.m.deployer)
    assert ks.owner == env.owner
    assert ks.events.last()[0] == Event("OwnershipTransferred", (env.m.deployer, env.owner))


def test_transfer_ownership_not_owner(env: Env) -> None:
    err = env.rejected(
        ErrorCode.MISSING_ROLE,
        env.ks.transfer_ownership,
        env.random_address,
        sender=env.random_address,
    )
    assert err.context["role"] == "owner"
    assert err.context["reason"] == f"OwnableUnauthorizedAccount({env.random_address})"


# --- configure oracles ---


def test_set_oracle_only_owner(env: Env) -> None:
    env.rejected(
        ErrorCode.MISSING_ROLE,
        env.ks.set_oracle,
        env.oracle1,
        99_000_000,
        sender=env.random_address,
    )


def test_set_oracle_threshold_zero(env: Env) -> None:
    err = env.rejected(
        ErrorCode.KILL_SWITCH_INVALID_THRESHOLD, env.ks.set_oracle, env.oracle1, 0, sender=env.owner
    )
    assert revert_string(err.code) == INVALID_THRESHOLD


def test_set_oracle_threshold_same(env: Env) -> None:
    env.ks.set_oracle(env.oracle1, 99_000_000, sender=env.owner)
    err = env.rejected(
        ErrorCode.KILL_SWITCH_INVALID_THRESHOLD,
        env.ks.set_oracle,
        env.oracle1,
        99_000_000,
        sender=env.owner,
    )
    assert revert_string(err.code) == INVALID_THRESHOLD


def test_set_oracle(env: Env) -> None:
    assert env.ks.num_oracles() == 0
    assert env.ks.oracle_thresholds(env.oracle1) == 0
    env.ks.set_oracle(env.oracle1, 99_000_000, sender=env.owner)
    assert env.ks.events.last()[0] == Event("SetOracle", (env.oracle1, 99_000_000))
    assert env.ks.num_oracles() == 1
    assert env.ks.oracle_at(0) == env.oracle1
    assert env.ks.oracle_thresholds(env.oracle1) == 99_000_000


def test_set_oracle_twice(env: Env) -> None:
    env.ks.set_oracle(env.oracle1, 99_000_000, sender=env.owner)
    assert (env.ks.num_oracles(), env.ks.oracle_at(0)) == (1, env.oracle1)
    assert env.ks.oracle_thresholds(env.oracle1) == 99_000_000
    # Should only update the threshold
    env.ks.set_oracle(env.oracle1, 98_000_000, sender=env.owner)
    assert (env.ks.num_oracles(), env.ks.oracle_at(0)) == (1, env.oracle1)
    assert env.ks.oracle_thresholds(env.oracle1) == 98_000_000


def test_disable_oracle_only_owner(env: Env) -> None:
    env.rejected(
        ErrorCode.MISSING_ROLE, env.ks.disable_oracle, env.oracle1, sender=env.random_address
    )


def test_disable_oracle_not_set(env: Env) -> None:
    err = env.rejected(
        ErrorCode.KILL_SWITCH_ORACLE_DOES_NOT_EXIST,
        env.ks.disable_oracle,
        env.oracle1,
        sender=env.owner,
    )
    assert revert_string(err.code) == ORACLE_DOES_NOT_EXIST


def test_disable_oracle(env: Env) -> None:
    env.ks.set_oracle(env.oracle1, 99_000_000, sender=env.owner)
    assert (env.ks.num_oracles(), env.ks.oracle_at(0)) == (1, env.oracle1)
    env.ks.disable_oracle(env.oracle1, sender=env.owner)
    assert env.ks.events.last()[0] == Event("DisableOracle", (env.oracle1,))
    assert env.ks.num_oracles() == 0
    assert env.ks.oracle_thresholds(env.oracle1) == 0


def test_oracles(env: Env) -> None:
    ks, o1, o2, o3 = env.ks, env.oracle1, env.oracle2, env.oracle3
    assert ks.oracles() == []
    assert ks.num_oracles() == 0
    assert not any(ks.has_oracle(o) for o in (o1, o2, o3))

    ks.set_oracle(o1, 10**8, sender=env.owner)
    ks.set_oracle(o2, 10**8, sender=env.owner)
    assert ks.oracles() == [o1, o2]
    assert (ks.num_oracles(), ks.oracle_at(0), ks.oracle_at(1)) == (2, o1, o2)
    assert [ks.has_oracle(o) for o in (o1, o2, o3)] == [True, True, False]

    ks.disable_oracle(o1, sender=env.owner)
    assert ks.oracles() == [o2]
    assert (ks.num_oracles(), ks.oracle_at(0)) == (1, o2)
    assert [ks.has_oracle(o) for o in (o1, o2, o3)] == [False, True, False]

    ks.set_oracle(o3, 10**8, sender=env.owner)
    assert ks.oracles() == [o2, o3]
    assert (ks.num_oracles(), ks.oracle_at(0), ks.oracle_at(1)) == (2, o2, o3)
    assert [ks.has_oracle(o) for o in (o1, o2, o3)] == [False, True, True]
    with pytest.raises(ProtocolError, match="VALUE_OUT_OF_RANGE"):
        ks.oracle_at(2)


def test_disabling_the_first_of_three_moves_the_last_into_its_slot(env: Env) -> None:
    ks = env.ks
    for oracle in (env.oracle1, env.oracle2, env.oracle3):
        ks.set_oracle(oracle, 10**8, sender=env.owner)
    ks.disable_oracle(env.oracle1, sender=env.owner)
    assert ks.oracles() == [env.oracle3, env.oracle2]  # EnumerableSet's swap-and-pop


# --- reset ---


def test_reset_only_owner(env: Env) -> None:
    env.rejected(ErrorCode.MISSING_ROLE, env.ks.reset, sender=env.random_address)


def test_reset_not_triggered(env: Env) -> None:
    err = env.rejected(ErrorCode.KILL_SWITCH_NOT_TRIGGERED, env.ks.reset, sender=env.owner)
    assert revert_string(err.code) == NOT_TRIGGERED


def test_reset(env: Env) -> None:
    env.ks.set_oracle(env.oracle1, 10**8, sender=env.owner)
    env.ks.trigger(env.oracle1)
    assert env.ks.triggered is True
    env.ks.reset(sender=env.owner)
    assert env.ks.events.last()[0] == Event("Reset")
    assert env.ks.triggered is False


# --- trigger ---


def test_trigger_does_not_exist(env: Env) -> None:
    err = env.rejected(ErrorCode.KILL_SWITCH_ORACLE_DOES_NOT_EXIST, env.ks.trigger, env.oracle1)
    assert revert_string(err.code) == ORACLE_DOES_NOT_EXIST


def test_trigger_invalid_price_boundary(env: Env) -> None:
    env.ks.set_oracle(env.oracle1, 10**8, sender=env.owner)
    for answer in (-1, 0):
        env.set_answer(env.oracle1, answer)
        err = env.rejected(ErrorCode.KILL_SWITCH_INVALID_PRICE, env.ks.trigger, env.oracle1)
        assert revert_string(err.code) == INVALID_PRICE
    env.set_answer(env.oracle1, 1)
    env.ks.trigger(env.oracle1)
    assert env.ks.triggered is True


def test_trigger_price_above_threshold_boundary(env: Env) -> None:
    env.ks.set_oracle(env.oracle1, 10**8 - 1, sender=env.owner)
    err = env.rejected(ErrorCode.KILL_SWITCH_PRICE_ABOVE_THRESHOLD, env.ks.trigger, env.oracle1)
    assert revert_string(err.code) == PRICE_ABOVE_THRESHOLD
    env.ks.set_oracle(env.oracle1, 10**8, sender=env.owner)
    env.ks.trigger(env.oracle1)
    assert env.ks.triggered is True


def test_trigger(env: Env) -> None:
    reserves = {
        # Asset with borrow enabled (Ex. ETH, wstETH, DAI)
        "asset1": {"active": True, "frozen": False, "paused": False, "borrowing": True},
        # Collateral-only asset (Ex. sDAI)
        "asset2": {"active": True, "frozen": False, "paused": False, "borrowing": False},
        # Frozen asset (Ex. GNO)
        "asset3": {"active": True, "frozen": True, "paused": False, "borrowing": True},
        # Paused asset
        "asset4": {"active": True, "frozen": False, "paused": True, "borrowing": True},
        # Inactive asset
        "asset5": {"active": False, "frozen": False, "paused": False, "borrowing": False},
    }
    assets = {name: env.init_reserve(name, **flags) for name, flags in reserves.items()}
    assert len(env.m.pool.get_reserves_list()) == 5

    env.ks.set_oracle(env.oracle1, 99_000_000, sender=env.owner)
    env.set_answer(env.oracle1, 98_000_000)
    env.ks.events.clear()
    disabled = env.ks.trigger(env.oracle1, sender=env.random_address)  # permissionless
    assert list(env.ks.events) == [
        Event("Trigger", (env.oracle1, 99_000_000, 98_000_000)),
        Event("BorrowDisabled", (assets["asset1"],)),
    ]
    assert disabled == [assets["asset1"]]

    # Only update what has changed
    reserves["asset1"]["borrowing"] = False
    for name, flags in reserves.items():
        assert env.flags(assets[name]) == tuple(flags.values())

    # A reserve re-enabled after the trigger (perhaps a pending spell)
    env.set_flags(assets["asset5"], active=True, frozen=False, paused=False, borrowing=True)

    # Should be able to disable borrowing on this one too
    env.ks.events.clear()
    env.ks.trigger(ZERO_ADDRESS, sender=env.random_address)  # second trigger: any address
    assert list(env.ks.events) == [Event("BorrowDisabled", (assets["asset5"],))]

    reserves["asset5"]["active"] = True
    for name, flags in reserves.items():
        assert env.flags(assets[name]) == tuple(flags.values())


# --- beyond upstream: atomicity, roles, state ---


def test_a_trigger_that_fails_on_one_reserve_changes_nothing(env: Env) -> None:
    """setReserveBorrowing(false) reverts on a reserve with stable borrowing on: the whole
    trigger reverts, `triggered` included."""
    first = env.init_reserve("FIRST", active=True, frozen=False, paused=False, borrowing=True)
    second = env.init_reserve("SECOND", active=True, frozen=False, paused=False, borrowing=True)
    env.m.configurator.set_reserve_stable_rate_borrowing(second, True, sender=env.m.pool_admin)
    env.ks.set_oracle(env.oracle1, 10**8, sender=env.owner)
    env.rejected(ErrorCode.STABLE_BORROWING_ENABLED, env.ks.trigger, env.oracle1)
    assert env.ks.triggered is False
    assert env.flags(first)[3] is True
    assert [e.name for e in env.ks.events] == ["OwnershipTransferred", "SetOracle"]


def test_a_trigger_without_the_risk_admin_role_changes_nothing(env: Env) -> None:
    env.init_reserve("ASSET", active=True, frozen=False, paused=False, borrowing=True)
    env.m.acl.revoke_role("RISK_ADMIN", env.ks.address, sender=env.m.deployer)
    env.ks.set_oracle(env.oracle1, 10**8, sender=env.owner)
    env.rejected(ErrorCode.CALLER_NOT_RISK_OR_POOL_ADMIN, env.ks.trigger, env.oracle1)
    assert env.ks.triggered is False


def test_a_registered_oracle_without_a_feed(env: Env) -> None:
    ghost = make_addr("ghost")
    env.ks.set_oracle(ghost, 10**8, sender=env.owner)
    env.rejected(ErrorCode.PRICE_UNAVAILABLE, env.ks.trigger, ghost)


def test_snapshot_and_load(env: Env) -> None:
    env.ks.set_oracle(env.oracle1, 10**8, sender=env.owner)
    env.ks.set_oracle(env.oracle2, 95_000_000, sender=env.owner)
    env.ks.trigger(env.oracle1)
    data = env.ks.snapshot()
    assert data == {
        "owner": env.owner,
        "triggered": True,
        "oracles": [[env.oracle1, 10**8], [env.oracle2, 95_000_000]],
    }
    fresh = KillSwitchOracle(
        pool=env.m.pool,
        configurator=env.m.configurator,
        feeds=env.feeds,
        owner=env.m.deployer,
        address=env.ks.address,
    )
    fresh.load(data)
    assert fresh.snapshot() == data
    assert fresh.oracles() == [env.oracle1, env.oracle2]
    with pytest.raises(ProtocolError, match="MALFORMED_PAYLOAD"):
        fresh.load({"owner": env.owner, "triggered": 1, "oracles": []})


# --- KillSwitchOracleIntegration.t.sol ---


def test_integration_trigger_disables_borrowing_on_a_live_market() -> None:
    env = Env()
    m = env.m
    lend = ReserveParams(ltv=7000, liquidation_threshold=7500, liquidation_bonus=10500)
    borrowable = ReserveParams(borrowing=True)
    both = ReserveParams(
        ltv=7000, liquidation_threshold=7500, liquidation_bonus=10500, borrowing=True
    )
    a = {
        "DAI": m.list_reserve("DAI", params=borrowable),
        "SDAI": m.list_reserve("SDAI", params=lend),
        "USDC": m.list_reserve("USDC", decimals=6, params=borrowable),
        "WETH": m.list_reserve("WETH", price=2_000 * 10**8, params=both),
        "WSTETH": m.list_reserve("WSTETH", price=2_300 * 10**8, params=both),
        "WBTC": m.list_reserve("WBTC", decimals=8, price=50_000 * 10**8, params=both),
        "GNO": m.list_reserve("GNO", price=200 * 10**8, params=lend),
        "RETH": m.list_reserve("RETH", price=2_200 * 10**8, params=both),
        "USDT": m.list_reserve("USDT", decimals=6, params=borrowable),
    }
    m.configurator.set_reserve_freeze(a["GNO"], True, sender=m.pool_admin)
    wbtc_oracle = env.new_oracle("WBTC/BTC", 99_968_767)
    steth_oracle = make_addr("stETH/ETH")
    env.feeds[steth_oracle] = PriceFeed(description="stETH/ETH", decimals=18)
    env.feeds[steth_oracle].update(999_599_998_787_617_000, ts_s=m.clock.now)
    env.ks.set_oracle(wbtc_oracle, 95_000_000, sender=env.owner)
    # Should be lower in production, but the test wants to trigger the kill switch
    env.ks.set_oracle(steth_oracle, 999_900_000_000_000_000, sender=env.owner)

    # A DAI borrower against WETH collateral
    borrower, lender = m.users[0], m.users[1]
    m.supply(lender, a["DAI"], 1_000_000 * 10**18)
    m.supply(borrower, a["WETH"], 100 * 10**18)
    m.borrow(borrower, a["DAI"], 40_000 * 10**18)

    err = env.rejected(ErrorCode.KILL_SWITCH_PRICE_ABOVE_THRESHOLD, env.ks.trigger, wbtc_oracle)
    assert revert_string(err.code) == PRICE_ABOVE_THRESHOLD
    enabled = {name: m.config(asset).get_borrowing_enabled() for name, asset in a.items()}
    assert enabled == {
        "DAI": True,
        "SDAI": False,
        "USDC": True,
        "WETH": True,
        "WSTETH": True,
        "WBTC": True,
        "GNO": False,
        "RETH": True,
        "USDT": True,
    }

    env.ks.events.clear()
    env.ks.trigger(steth_oracle, sender=env.random_address)
    expected = ["DAI", "USDC", "WETH", "WSTETH", "WBTC", "RETH", "USDT"]
    assert list(env.ks.events) == [
        Event("Trigger", (steth_oracle, 999_900_000_000_000_000, 999_599_998_787_617_000)),
        *(Event("BorrowDisabled", (a[name],)) for name in expected),
    ]
    assert not any(m.config(asset).get_borrowing_enabled() for asset in a.values())

    # The pool still works: the borrower can repay...
    debt = m.pool.variable_debt_token(a["DAI"])
    balance = debt.balance_of(borrower)
    m.repay(borrower, a["DAI"], 10**18)
    assert debt.balance_of(borrower) == balance - 10**18
    # ...but borrowing reverts on every asset
    for name in expected:
        with pytest.raises(ProtocolError, match="BORROWING_NOT_ENABLED"):
            m.borrow(borrower, a[name], 1)

"""The kill switch, the cap automator and their feeds, journaled with the SparkLend market."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.ledger import Ledger, MemoryJournalStore, SqlJournalStore
from sparkprime.protocols.sparklend import market_commands as mc
from sparkprime.protocols.sparklend.acl import RISK_ADMIN
from sparkprime.protocols.sparklend.cap_automator import CapAutomatorVersion
from sparkprime.protocols.sparklend.market import (
    CAP_AUTOMATOR_ADDRESS,
    KILL_SWITCH_ADDRESS,
    SparkLendMarket,
    feed_address,
)
from tests.protocols.sparklend.test_market import (
    ADMIN,
    DAI,
    START_TS_S,
    USDC,
    USERS,
    WETH,
    _market_ledger,
)

STETH_ETH = "stETH/ETH"


def _deploy_guards(ledger: Ledger[SparkLendMarket]) -> None:
    ledger.submit(mc.DeployKillSwitch(owner=ADMIN))
    ledger.submit(mc.DeployCapAutomator(owner=ADMIN, version=CapAutomatorVersion.V1_1))
    # The deploy commands grant nothing: governance gives both guards RISK_ADMIN.
    for guard in (KILL_SWITCH_ADDRESS, CAP_AUTOMATOR_ADDRESS):
        ledger.submit(mc.GrantRole(role=RISK_ADMIN, account=guard, sender=ADMIN))
    ledger.submit(mc.DefineFeed(name=STETH_ETH, description="stETH / ETH", decimals=18))


def _refused(ledger: Ledger[SparkLendMarket], cmd: Any, code: ErrorCode, **kw: Any) -> None:
    before = ledger.state_hash()
    with pytest.raises(ProtocolError) as info:
        ledger.submit(cmd, **kw)
    assert info.value.code is code, info.value
    assert ledger.state_hash() == before


def _borrowing(market: SparkLendMarket, asset: Any) -> bool:
    return market.pool.get_configuration(asset).get_borrowing_enabled()


def test_guards_run_through_the_journal_and_replay(tmp_path: Path):
    path = tmp_path / "guards.db"
    ledger = _market_ledger(SqlJournalStore.sqlite(str(path)))
    market = ledger.machine
    _deploy_guards(ledger)
    assert market.kill_switch is not None
    assert market.cap_automator is not None
    kill_switch, automator = market.kill_switch, market.cap_automator
    carol = USERS[2]
    ts_s = START_TS_S + 60

    # --- kill switch -------------------------------------------------------------------------
    ledger.submit(mc.SetReserveFlag(asset=DAI, flag="freeze", value=True, sender=ADMIN))
    _refused(
        ledger,
        mc.KillSwitchSetOracle(feed=STETH_ETH, threshold=95 * 10**16, sender=carol),
        ErrorCode.MISSING_ROLE,
    )
    _refused(
        ledger,
        mc.KillSwitchSetOracle(feed="rETH/ETH", threshold=95 * 10**16, sender=ADMIN),
        ErrorCode.INVALID_ID,
    )
    ledger.submit(mc.KillSwitchSetOracle(feed=STETH_ETH, threshold=95 * 10**16, sender=ADMIN))
    assert kill_switch.oracles() == [feed_address(STETH_ETH)]
    assert kill_switch.oracle_thresholds(feed_address(STETH_ETH)) == 95 * 10**16

    ledger.submit(mc.PushFeedAnswer(name=STETH_ETH, answer=96 * 10**16), ts_s=ts_s)
    assert market.feeds[STETH_ETH].latest_timestamp() == ts_s
    _refused(
        ledger,
        mc.KillSwitchTrigger(feed=STETH_ETH, sender=carol),
        ErrorCode.KILL_SWITCH_PRICE_ABOVE_THRESHOLD,
    )
    assert not kill_switch.triggered
    assert all(_borrowing(market, a) for a in (USDC, WETH, DAI))

    ts_s += 60
    ledger.submit(mc.PushFeedAnswer(name=STETH_ETH, answer=94 * 10**16), ts_s=ts_s)
    receipt = ledger.submit(mc.KillSwitchTrigger(feed=STETH_ETH, sender=carol))
    assert sorted(receipt.result) == sorted([USDC, WETH])
    assert kill_switch.triggered
    assert not _borrowing(market, USDC)
    assert not _borrowing(market, WETH)
    assert _borrowing(market, DAI)  # frozen: the kill switch leaves it alone
    ledger.snapshot()  # a snapshot with feeds and guards in it; the rest replays on top

    # --- cap automator -----------------------------------------------------------------------
    ledger.submit(
        mc.CapAutomatorSetSupplyCapConfig(
            asset=WETH, max=1_000, gap=50, increase_cooldown=3_600, sender=ADMIN
        )
    )
    alice = USERS[0]
    ledger.submit(mc.Supply(asset=WETH, amount=200 * 10**18, on_behalf_of=alice, sender=alice))
    _refused(ledger, mc.CapAutomatorExec(asset=WETH, sender=carol), ErrorCode.MISSING_ROLE)
    assert ledger.submit(mc.CapAutomatorExec(asset=WETH, sender=ADMIN)).result == [250, 0]
    assert market.pool.get_configuration(WETH).get_supply_cap() == 250
    assert automator.supply_cap_configs(WETH).last_increase_time == ts_s

    ledger.submit(mc.Supply(asset=WETH, amount=30 * 10**18, on_behalf_of=alice, sender=alice))
    # Same block: unchanged; a later block inside the cooldown: an increase still waits.
    assert ledger.submit(mc.CapAutomatorExec(asset=WETH, sender=ADMIN)).result == [250, 0]
    ts_s += 13
    assert ledger.submit(mc.CapAutomatorExec(asset=WETH, sender=ADMIN), ts_s=ts_s).result == [
        250,
        0,
    ]
    ts_s += 3_600
    assert ledger.submit(mc.CapAutomatorExec(asset=WETH, sender=ADMIN), ts_s=ts_s).result == [
        280,
        0,
    ]
    # A decrease never waits (next block).
    ledger.submit(mc.Withdraw(asset=WETH, amount=100 * 10**18, to=alice, sender=alice))
    ts_s += 12
    assert ledger.submit(mc.CapAutomatorExec(asset=WETH, sender=ADMIN), ts_s=ts_s).result == [
        180,
        0,
    ]
    assert market.pool.get_configuration(WETH).get_supply_cap() == 180

    # --- replay ------------------------------------------------------------------------------
    expected = ledger.state_hash()
    head = ledger.head_seq
    ledger.close()
    from_snapshot = Ledger.open(SqlJournalStore.sqlite(str(path)), SparkLendMarket)
    from_genesis = Ledger.open(
        SqlJournalStore.sqlite(str(path)), SparkLendMarket, use_snapshots=False
    )
    assert from_snapshot.head_seq == from_genesis.head_seq == head
    assert from_snapshot.state_hash() == from_genesis.state_hash() == expected
    for reopened in (from_snapshot, from_genesis):
        machine = reopened.machine
        assert machine.kill_switch is not None
        assert machine.kill_switch.triggered
        assert machine.cap_automator is not None
        assert machine.cap_automator.supply_cap_configs(WETH).max == 1_000
        assert machine.pool.get_configuration(WETH).get_supply_cap() == 180
    from_snapshot.close()
    from_genesis.close()


def test_a_restored_market_keeps_the_guards_wired_and_its_block_numbers():
    ledger = _market_ledger(MemoryJournalStore())
    _deploy_guards(ledger)
    ledger.submit(
        mc.CapAutomatorSetSupplyCapConfig(
            asset=USDC, max=10**6, gap=1_000, increase_cooldown=0, sender=ADMIN
        ),
        ts_s=START_TS_S + 7,  # block numbers count from the deploy, not from this command
    )
    market = ledger.machine
    back = SparkLendMarket.restore(market.snapshot())
    assert back.state_hash() == market.state_hash()
    assert back.cap_automator is not None
    assert market.cap_automator is not None
    assert back.cap_automator.block_number == market.cap_automator.block_number
    for machine in (market, back):
        machine.clock.warp(START_TS_S + 25)
        assert machine.cap_automator is not None
        assert machine.cap_automator.block_number == 3  # block 1 at the deploy, 12 s blocks
        machine.apply(mc.CapAutomatorExec(asset=USDC, sender=ADMIN))
        # The restored kill switch reads the restored feeds.
        machine.apply(mc.KillSwitchSetOracle(feed=STETH_ETH, threshold=95 * 10**16, sender=ADMIN))
        machine.apply(mc.PushFeedAnswer(name=STETH_ETH, answer=1))
        assert machine.apply(mc.KillSwitchTrigger(feed=STETH_ETH, sender=ADMIN)) == [
            USDC,
            WETH,
            DAI,
        ]
    assert back.state_hash() == market.state_hash()
    with pytest.raises(ProtocolError) as info:
        back.apply(mc.DeployKillSwitch(owner=ADMIN))
    assert info.value.code is ErrorCode.INVALID_ID

"""`prime.report_margin_values` (a CEX's reported margin value) and the `liquidated` status.

The margin figures are `prime.engine_margin.margin_of`'s on the same state (never
hard-coded); refusals are checked with `refused` (hash, head and rejection log unchanged).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.ledger import Ledger, SqlJournalStore, canonical_json
from sparkprime.prime import engine_commands as ec
from sparkprime.prime import queries
from sparkprime.prime.book import LoanKind, PositionKind
from sparkprime.prime.engine import PrimeBook
from sparkprime.prime.engine_margin import margin_of
from sparkprime.prime.liquidation import TRADE_ACTIONS
from sparkprime.prime.status import MarginStatus
from tests.prime.test_engine_support import (
    DAY,
    T0,
    USDC,
    WAD,
    book_commands,
    genesis,
    position,
    prices,
    refused,
    setup_commands,
    submit_all,
)


def _mv(value_usd: int, pid: str = "okx-mv", venue: str = "okx-1") -> ec.UpsertPosition:
    cmd: ec.UpsertPosition = position(
        pid, venue, PositionKind.MARGIN_VALUE, "USDT", 0, margin_value_usd_wad=value_usd * WAD
    )
    return cmd


def _report(*entries: tuple[str, str, int]) -> ec.ReportMarginValues:
    return ec.ReportMarginValues(
        reports=tuple(
            ec.MarginValueEntry(account_id=a, venue_id=v, margin_value_usd_wad=m)
            for a, v, m in entries
        )
    )


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger[PrimeBook]:
    """The engine tests' basis book, its OKX sub-account reporting a $1M margin value."""
    led = Ledger.create(
        SqlJournalStore.sqlite(str(tmp_path / "prime.db")), genesis(), paranoid=True
    )
    submit_all(led, setup_commands(), T0)
    submit_all(led, book_commands(), T0)
    led.submit(_mv(1_000_000), ts_s=T0)
    return led


def test_report_replaces_the_margin_value_and_moves_rf(
    ledger: Ledger[PrimeBook], tmp_path: Path
) -> None:
    state = ledger.machine.state
    rf0 = margin_of(state, "acct", T0).rf_wad
    t1 = T0 + 30
    out = ledger.submit(_report(("acct", "okx-1", 3_000_000 * WAD)), ts_s=t1)
    assert out.result == 1
    state = ledger.machine.state
    assert state.positions["okx-mv"].margin_value_usd_wad == 3_000_000 * WAD
    m = margin_of(state, "acct", t1)
    assert m.rf_wad > rf0  # $2M more value at OKX
    assert queries.account_margin(ledger.machine, "acct")["value_usd_wad"] == m.value_usd_wad
    # A venue can be underwater: a negative adjEq is taken as reported.
    ledger.submit(_report(("acct", "okx-1", -250_000 * WAD)), ts_s=t1)
    state = ledger.machine.state
    assert state.positions["okx-mv"].margin_value_usd_wad == -250_000 * WAD
    assert margin_of(state, "acct", t1).rf_wad < rf0
    # The journal and a snapshot rebuild the same state.
    live = ledger.state_hash()
    store = SqlJournalStore.sqlite(str(tmp_path / "prime.db"))
    assert Ledger.open(store, PrimeBook, use_snapshots=False).state_hash() == live
    snap = json.loads(canonical_json(ledger.machine.snapshot()))
    assert PrimeBook.restore(snap).state_hash() == live


def test_report_needs_no_borrower_checks(ledger: Ledger[PrimeBook]) -> None:
    """A report is a venue's fact: accepted in REDUCE_ONLY, where a borrower's upsert that
    lowers RF is refused."""
    ledger.submit(_report(("acct", "okx-1", 0)), ts_s=T0)
    t1 = T0 + 3_600
    ledger.submit(prices(ETH=1_800, WETH=1_800), ts_s=t1)
    ledger.submit(ec.Remargin(), ts_s=t1)
    t2 = t1 + DAY
    assert ledger.submit(ec.Remargin(), ts_s=t2).result["acct"]["status"] == "reduce_only"
    ledger.submit(_report(("acct", "okx-1", 500_000 * WAD)), ts_s=t2)
    err = refused(ledger, _mv(0), ts_s=t2)  # the borrower may not lower RF
    assert err.code is ErrorCode.PRIME_ENGINE_REDUCE_ONLY
    ledger.submit(_report(("acct", "okx-1", 0)), ts_s=t2)  # the venue may
    assert ledger.machine.state.positions["okx-mv"].margin_value_usd_wad == 0


def test_bad_reports_are_refused_whole(ledger: Ledger[PrimeBook]) -> None:
    good = ("acct", "okx-1", 7 * WAD)
    cases = [
        (_report(good, ("nobody", "okx-1", WAD)), ErrorCode.PRIME_ENGINE_UNKNOWN_ID),
        (_report(good, ("acct", "kraken-1", WAD)), ErrorCode.PRIME_ENGINE_UNKNOWN_ID),
        # Binance holds spot only: not a futures account
        (_report(good, ("acct", "binance-1", WAD)), ErrorCode.PRIME_ENGINE_NOT_A_MARGIN_ACCOUNT),
        (_report(good, good), ErrorCode.PRIME_ENGINE_INVALID_COMMAND),
    ]
    for cmd, code in cases:
        err = refused(ledger, cmd, ts_s=T0)
        assert err.code is code
        assert ledger.machine.state.positions["okx-mv"].margin_value_usd_wad == 1_000_000 * WAD
    err = refused(ledger, _report(("acct", "binance-1", WAD)), ts_s=T0)
    assert err.context["count"] == 0
    # Two MARGIN_VALUE positions at one venue: which one the report replaces is ambiguous.
    ledger.submit(_mv(5, pid="okx-mv-2"), ts_s=T0)
    err = refused(ledger, _report(good), ts_s=T0)
    assert err.code is ErrorCode.PRIME_ENGINE_NOT_A_MARGIN_ACCOUNT
    assert err.context["count"] == 2
    # The value must be an int (a bool or float is refused when the command is built).
    bads: tuple[Any, ...] = (True, 1.5, "1")
    for bad in bads:
        with pytest.raises(ProtocolError) as info:
            ec.MarginValueEntry(account_id="acct", venue_id="okx-1", margin_value_usd_wad=bad)
        assert info.value.code is ErrorCode.INVALID_TYPE


def _liquidate(ledger: Ledger[PrimeBook]) -> int:
    """Crash ETH through RF 1 and execute the full plan at its expected prices; the time."""
    t = T0 + 3_600
    ledger.submit(_report(("acct", "okx-1", 0)), ts_s=t)
    ledger.submit(prices(ETH=700, WETH=700), ts_s=t)
    assert ledger.submit(ec.Remargin(), ts_s=t).result["acct"]["status"] == "liquidation"
    plan = ledger.machine.state.plans["acct"]
    fills = tuple(
        ec.Fill(index=s.index, price_usd_e8=s.expected_price_usd_e8)
        for s in plan.steps
        if s.action in TRADE_ACTIONS
    )
    assert queries.account_status(ledger.machine.state, "acct", t) == "liquidation"
    ledger.submit(ec.ExecuteLiquidation(account_id="acct", fills=fills), ts_s=t)
    return t


def test_full_liquidation_reads_liquidated(ledger: Ledger[PrimeBook], tmp_path: Path) -> None:
    t = _liquidate(ledger)
    state = ledger.machine.state
    # The ladder itself reads HEALTHY (nothing is owed); the book says liquidated.
    assert state.statuses["acct"].status is MarginStatus.HEALTHY
    assert state.liquidated == {"acct": t}
    view = queries.account_margin(ledger.machine, "acct")
    assert (view["status"], view["liquidated_ts_s"]) == ("liquidated", t)
    assert queries.statuses(state, t) == {"acct": queries.LIQUIDATED}
    # Still liquidated after a re-margin; the journal rebuilds it.
    ledger.submit(ec.Remargin(), ts_s=t + 60)
    assert queries.account_status(ledger.machine.state, "acct", t + 60) == "liquidated"
    store = SqlJournalStore.sqlite(str(tmp_path / "prime.db"))
    assert Ledger.open(store, PrimeBook, use_snapshots=False).state_hash() == ledger.state_hash()
    # A new loan reopens the account: back on the ladder.
    ledger.submit(prices(ETH=4_000, WETH=4_000), ts_s=t + 120)
    ledger.submit(position("eth2", "onchain", PositionKind.SPOT, "WETH", 100 * WAD), ts_s=t + 120)
    ledger.submit(
        ec.OriginateLoan(
            loan_id="L2",
            account_id="acct",
            principal=10_000 * USDC,
            rate_bps=500,
            kind=LoanKind.EVERGREEN,
            cash_position_id="cash2",
            venue_id="onchain",
        ),
        ts_s=t + 120,
    )
    assert ledger.machine.state.liquidated == {}
    assert queries.account_margin(ledger.machine, "acct")["status"] == "healthy"


def test_restore_refuses_an_old_snapshot_version(ledger: Ledger[PrimeBook]) -> None:
    snap = json.loads(canonical_json(ledger.machine.snapshot()))
    assert snap["state"]["liquidated"] == {}
    old = {**snap, "version": 1}
    with pytest.raises(ProtocolError) as info:
        PrimeBook.restore(old)
    assert info.value.code is ErrorCode.SNAPSHOT_CORRUPT

"""Audit regressions: each test pins one rule a review found broken (see the commit naming it).

Engine rule (`prime.engine` module docstring, `prime.engine_book`): a pending liquidation plan
owns the account's positions until `prime.execute_liquidation` runs it, and executing a plan
must never count cash the account no longer holds (the plan's cash-collection steps carry
fixed amounts, not fills).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from sparkprime.core.errors import ErrorCode
from sparkprime.ledger import Ledger, SqlJournalStore
from sparkprime.presets.atlas_policy import ARKIS_POOL_ID, atlas_policy
from sparkprime.prime import engine_commands as ec
from sparkprime.prime.book import PositionKind
from sparkprime.prime.emergency import Actor, EmergencyAction, EmergencyKind
from sparkprime.prime.engine import PrimeBook
from sparkprime.prime.engine_margin import effective_policy
from sparkprime.prime.engine_state import BookState
from sparkprime.prime.liquidation import TRADE_ACTIONS, LiquidationPlan
from sparkprime.prime.policy import AssetGroup, Policy
from tests.prime.test_engine_support import (
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

T1 = T0 + 3_600


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger[PrimeBook]:
    led = Ledger.create(
        SqlJournalStore.sqlite(str(tmp_path / "prime.db")), genesis(), paranoid=True
    )
    submit_all(led, setup_commands(), T0)
    submit_all(led, book_commands(), T0)
    return led


def _fills(plan: LiquidationPlan) -> tuple[ec.Fill, ...]:
    return tuple(
        ec.Fill(index=s.index, price_usd_e8=s.expected_price_usd_e8)
        for s in plan.steps
        if s.action in TRADE_ACTIONS
    )


def _liquidating(ledger: Ledger[PrimeBook], extra: Any) -> LiquidationPlan:
    """Add `extra` (a position), crash ETH so RF < 1, remargin: the pending full plan."""
    ledger.submit(extra, ts_s=T0)
    ledger.submit(prices(ETH=200, WETH=200), ts_s=T1)
    assert ledger.submit(ec.Remargin(), ts_s=T1).result["acct"]["status"] == "liquidation"
    return ledger.machine.state.plans["acct"]


def test_repay_from_cash_refused_while_a_plan_owns_the_account(
    ledger: Ledger[PrimeBook],
) -> None:
    plan = _liquidating(ledger, position("cash", "onchain", PositionKind.SPOT, "USDC", 10**12))
    collect = [s for s in plan.steps if s.position_id == "cash"]
    assert [s.proceeds for s in collect] == [10**12]  # the plan collects the whole $1M
    # Spending that cash on a repayment would let the plan collect it a second time.
    spend = ec.Repay(loan_id="L1", amount=900_000 * USDC, from_position_id="cash")
    assert refused(ledger, spend, ts_s=T1).code is ErrorCode.PRIME_ENGINE_REDUCE_ONLY
    # Money from outside the book is still welcome: the plan settles against the loans as
    # they are when it runs.
    ledger.submit(ec.Repay(loan_id="L1", amount=900_000 * USDC), ts_s=T1)
    out = ledger.submit(ec.ExecuteLiquidation(account_id="acct", fills=_fills(plan)), ts_s=T1)
    assert out.result["repaid"] + out.result["fee"] + out.result["residual"] == (
        plan.expected_proceeds
    )


def test_margin_value_report_drops_a_stale_plan(ledger: Ledger[PrimeBook]) -> None:
    mv = position(
        "mv", "okx-1", PositionKind.MARGIN_VALUE, "USDC", 0, margin_value_usd_wad=10**6 * WAD
    )
    plan = _liquidating(ledger, mv)
    assert [s.proceeds for s in plan.steps if s.position_id == "mv"] == [10**12]
    report = ec.MarginValueEntry(account_id="acct", venue_id="okx-1", margin_value_usd_wad=0)
    ledger.submit(ec.ReportMarginValues(reports=(report,)), ts_s=T1)
    # The plan would still collect the $1M the venue no longer reports: it is dropped ...
    assert "acct" not in ledger.machine.state.plans
    stale = ec.ExecuteLiquidation(account_id="acct", fills=_fills(plan))
    assert refused(ledger, stale, ts_s=T1).code is ErrorCode.PRIME_ENGINE_UNKNOWN_ID
    # ... and the next re-margin plans from the reported value.
    ledger.submit(ec.Remargin(), ts_s=T1)
    fresh = ledger.machine.state.plans["acct"]
    assert [s.proceeds for s in fresh.steps if s.position_id == "mv"] == [0]
    okx = dict(plan.venue_cash)["okx-1"]
    assert dict(fresh.venue_cash)["okx-1"] == okx - 10**12
    # That venue's cash (the $1M less the future's close-out slippage) no longer reaches
    # settlement: the fresh plan expects exactly that much less and owes that much more.
    assert fresh.expected_proceeds == plan.expected_proceeds - okx
    assert fresh.bad_debt > plan.bad_debt


def test_unchanged_margin_value_report_keeps_the_plan(ledger: Ledger[PrimeBook]) -> None:
    mv = position(
        "mv", "okx-1", PositionKind.MARGIN_VALUE, "USDC", 0, margin_value_usd_wad=10**6 * WAD
    )
    plan = _liquidating(ledger, mv)
    same = ec.MarginValueEntry(account_id="acct", venue_id="okx-1", margin_value_usd_wad=10**24)
    ledger.submit(ec.ReportMarginValues(reports=(same,)), ts_s=T1)
    assert ledger.machine.state.plans["acct"] == plan


# --- emergencies under a later policy ------------------------------------------------------


def _btc(policy: Policy) -> AssetGroup:
    return next(g for g in policy.groups if g.name == "BTC")


def _with_btc(policy: Policy, *, haircut_long_bps: int) -> Policy:
    groups = tuple(
        replace(g, haircut_long_bps=haircut_long_bps) if g.name == "BTC" else g
        for g in policy.groups
    )
    return replace(policy, groups=groups)


def test_emergency_raise_survives_a_policy_that_meets_only_part_of_it() -> None:
    """P7/2/5/5: an emergency raises haircuts; a later policy that raises the long haircut
    above the emergency's must not undo the emergency's higher short haircut."""
    base = atlas_policy()
    raise_both = EmergencyAction(
        kind=EmergencyKind.RAISE_HAIRCUT, declared_by=Actor.SPARK, effective_ts_s=T0,
        reason="BTC squeeze", group_id=_btc(base).group_id, haircut_long_bps=3_000,
        haircut_short_bps=3_000,
    )  # fmt: skip
    later = _with_btc(base, haircut_long_bps=3_500)  # short stays at the table's 2_000
    state = BookState(policy=later, emergencies=(raise_both,))
    btc = _btc(effective_policy(state))
    assert (btc.haircut_long_bps, btc.haircut_short_bps) == (3_500, 3_000)


def test_emergency_margin_requirement_survives_a_higher_liquidation_rf() -> None:
    base = atlas_policy()
    pool = base.pool(ARKIS_POOL_ID)
    raise_mc = EmergencyAction(
        kind=EmergencyKind.RAISE_MARGIN_REQUIREMENT, declared_by=Actor.ARKIS,
        effective_ts_s=T0, reason="venue risk", pool_id=ARKIS_POOL_ID,
        margin_call_rf_bps=13_000, liquidation_rf_bps=10_200,
    )  # fmt: skip
    later = replace(base, pools=(replace(pool, liquidation_rf_bps=10_300),))
    got = effective_policy(BookState(policy=later, emergencies=(raise_mc,))).pool(ARKIS_POOL_ID)
    assert (got.liquidation_rf_bps, got.margin_call_rf_bps) == (10_300, 13_000)


def test_emergency_fully_met_by_the_policy_changes_nothing() -> None:
    base = atlas_policy()
    raise_long = EmergencyAction(
        kind=EmergencyKind.RAISE_HAIRCUT, declared_by=Actor.SPARK, effective_ts_s=T0,
        reason="BTC squeeze", group_id=_btc(base).group_id, haircut_long_bps=3_000,
    )  # fmt: skip
    later = _with_btc(base, haircut_long_bps=3_500)
    assert effective_policy(BookState(policy=later, emergencies=(raise_long,))) == later

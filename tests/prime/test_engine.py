"""PrimeBook on a SQLite journal: the whole life of a levered basis book, replay, refusals.

The margin, ladder, limit and liquidation figures are the landed modules' (called on the same
inputs here, never hard-coded): the engine must journal exactly what they say.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sparkprime.core.errors import ErrorCode
from sparkprime.ledger import Ledger, SqlJournalStore, canonical_json
from sparkprime.presets.atlas_policy import atlas_policy, atlas_policy_history
from sparkprime.prime import engine_commands as ec
from sparkprime.prime import queries
from sparkprime.prime.addons import MarketDepth, unwind_cost_usd_wad
from sparkprime.prime.book import KycStatus, Loan, LoanKind, PositionKind
from sparkprime.prime.engine import PrimeBook
from sparkprime.prime.engine_margin import account_loans, margin_of
from sparkprime.prime.engine_records import CriticalActionKind, CriticalActionSpec, PolicySpec
from sparkprime.prime.engine_state import NoticeKind
from sparkprime.prime.liquidation import TRADE_ACTIONS
from sparkprime.prime.status import BPS_TO_WAD, MarginStatus
from tests.prime.test_engine_support import (
    DAY,
    E8,
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

WETH_DEPTH = MarketDepth(
    symbol="WETH",
    depth_1pct_usd_wad=20_000_000 * WAD,
    depth_2pct_usd_wad=60_000_000 * WAD,
    adv_usd_wad=400_000_000 * WAD,
)
ADDON = unwind_cost_usd_wad(10_000_000 * WAD, WETH_DEPTH)  # the $10M WETH long's add-on


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger[PrimeBook]:
    led = Ledger.create(
        SqlJournalStore.sqlite(str(tmp_path / "prime.db")), genesis(), paranoid=True
    )
    submit_all(led, setup_commands(), T0)
    submit_all(led, book_commands(), T0)
    return led


def _kinds(led: Ledger[PrimeBook]) -> list[NoticeKind]:
    return [n.kind for n in led.machine.state.notices]


def test_book_after_setup(ledger: Ledger[PrimeBook]) -> None:
    state = ledger.machine.state
    assert sorted(state.positions) == ["btc-fut", "btc-spot", "eth"]
    assert state.loans["L1"].principal == 12_000_000 * USDC
    view = queries.account_margin(ledger.machine, "acct")
    # BTC spot and the short future net to zero; WETH (ETH group, 20%) is the only charge.
    eth = next(g for g in view["by_group"] if g["name"] == "ETH")
    assert eth["charge_usd_wad"] == 10_000_000 * WAD * 2_000 // 10_000
    assert view["rf_wad"] == margin_of(state, "acct", T0).rf_wad
    # STPV = $18M less the liquidity add-on of dumping $10M of WETH into $20M of 1% depth.
    assert view["stpv_usd_wad"] == 18_000_000 * WAD - ADDON
    assert view["rf_wad"] == (18_000_000 * WAD - ADDON) * WAD // (12_000_000 * WAD)
    assert view["status"] == "healthy"
    report = {r["name"]: r for r in queries.limits_report(ledger.machine)}
    assert report["total_funding"]["value_usd_wad"] == 12_000_000 * WAD
    assert report["venue:Binance"]["value_usd_wad"] == 10_000_000 * WAD
    assert all(r["ok"] for r in report.values())


def test_life_of_the_book_to_bad_debt(ledger: Ledger[PrimeBook], tmp_path: Path) -> None:
    t1 = T0 + 3_600
    ledger.submit(prices(ETH=1_800, WETH=1_800), ts_s=t1)
    out = ledger.submit(ec.Remargin(), ts_s=t1).result["acct"]
    state = ledger.machine.state
    assert out["rf_wad"] == margin_of(state, "acct", t1).rf_wad
    pool = state.policy.pool("arkis_usdc")
    assert (
        pool.reduce_only_rf_bps * BPS_TO_WAD < out["rf_wad"] <= pool.margin_call_rf_bps * BPS_TO_WAD
    )
    assert out["status"] == "margin_call"
    assert state.statuses["acct"].margin_call_ts_s == t1
    assert _kinds(ledger)[-1] is NoticeKind.MARGIN_CALL
    # Within the cure period: still a margin call; a draw that keeps RF low is refused.
    assert ledger.submit(ec.Remargin(), ts_s=t1 + DAY - 1).result["acct"]["status"] == "margin_call"
    err = refused(
        ledger,
        ec.Draw(loan_id="L1", amount=1_000 * USDC, cash_position_id="cash", venue_id="onchain"),
        ts_s=t1 + DAY - 1,
    )
    assert err.code is ErrorCode.PRIME_ENGINE_RF_TOO_LOW
    # The cure period lapses: reduce-only.
    t2 = t1 + DAY
    assert ledger.submit(ec.Remargin(), ts_s=t2).result["acct"]["status"] == "reduce_only"
    assert _kinds(ledger)[-1] is NoticeKind.REDUCE_ONLY
    err = refused(
        ledger,
        ec.Draw(loan_id="L1", amount=1 * USDC, cash_position_id="cash", venue_id="onchain"),
        ts_s=t2,
    )
    assert err.code is ErrorCode.PRIME_ENGINE_REDUCE_ONLY
    less_eth = position("eth", "onchain", PositionKind.SPOT, "WETH", 2_000 * WAD)
    err = refused(ledger, less_eth, ts_s=t2)  # taking collateral out lowers RF
    assert err.code is ErrorCode.PRIME_ENGINE_REDUCE_ONLY
    assert refused(ledger, ec.RemovePosition(position_id="eth"), ts_s=t2).code is (
        ErrorCode.PRIME_ENGINE_REDUCE_ONLY
    )
    # Adding collateral raises RF: allowed in reduce-only.
    ledger.submit(position("eth", "onchain", PositionKind.SPOT, "WETH", 2_600 * WAD), ts_s=t2)
    # Prices fall through RF 1: liquidation, a full plan from prime.liquidation_plan.
    t3 = t2 + DAY
    ledger.submit(prices(ETH=800, WETH=800), ts_s=t3)
    out = ledger.submit(ec.Remargin(), ts_s=t3).result["acct"]
    assert out["status"] == "liquidation"
    assert out["rf_wad"] < WAD
    state = ledger.machine.state
    plan = state.plans["acct"]
    assert _kinds(ledger)[-2:] == [NoticeKind.LIQUIDATION, NoticeKind.LIQUIDATION_PLAN]
    assert plan.bad_debt > 0
    assert plan.debt == sum(ln.principal + ln.accrued_interest for ln in queries_loans(ledger, t3))
    fills = tuple(
        ec.Fill(index=s.index, price_usd_e8=s.expected_price_usd_e8)
        for s in plan.steps
        if s.action in TRADE_ACTIONS
    )
    # A missing fill is the executor's refusal, and changes nothing.
    err = refused(ledger, ec.ExecuteLiquidation(account_id="acct", fills=fills[1:]), ts_s=t3)
    assert err.code is ErrorCode.PRIME_LIQUIDATION_BAD_FILL
    result = ledger.submit(ec.ExecuteLiquidation(account_id="acct", fills=fills), ts_s=t3).result
    # Filled at the plan's prices, at the plan's time: the plan's figures exactly.
    assert (result["repaid"], result["fee"], result["bad_debt"]) == (
        plan.repaid,
        plan.fee,
        plan.bad_debt,
    )
    state = ledger.machine.state
    assert state.bad_debt == plan.bad_debt
    assert state.fees == plan.fee
    assert not [p for p in state.positions.values() if p.account_id == "acct"]
    assert state.loans["L1"].principal == state.loans["L1"].accrued_interest == 0
    assert "acct" not in state.plans
    assert state.statuses["acct"].status is MarginStatus.HEALTHY
    assert _kinds(ledger)[-2:] == [NoticeKind.LIQUIDATION_EXECUTED, NoticeKind.BAD_DEBT]
    bad = queries.notices_since(ledger.machine, ledger.machine.state.notice_seq - 1)
    assert bad == [{**bad[0], "kind": "bad_debt", "amount": plan.bad_debt}]
    # Replay from the journal (SQLite) gives the same state; so does a snapshot.
    live = ledger.state_hash()
    store = SqlJournalStore.sqlite(str(tmp_path / "prime.db"))
    assert Ledger.open(store, PrimeBook, use_snapshots=False).state_hash() == live
    ledger.snapshot()
    assert (
        Ledger.open(SqlJournalStore.sqlite(str(tmp_path / "prime.db")), PrimeBook).state_hash()
        == live
    )
    snap = json.loads(canonical_json(ledger.machine.snapshot()))
    assert PrimeBook.restore(snap).state_hash() == live


def queries_loans(led: Ledger[PrimeBook], now: int) -> list[Loan]:
    return list(account_loans(led.machine.state, "acct", now))


# --- refusals: each a clear ProtocolError, nothing changed ----------------------------------


def test_unknown_asset_is_unapproved_with_a_warning(ledger: Ledger[PrimeBook]) -> None:
    before = queries.account_margin(ledger.machine, "acct")
    r = ledger.submit(position("pepe", "onchain", PositionKind.SPOT, "PEPE", 1_000 * WAD), ts_s=T0)
    assert r.result["warnings"]
    assert "PEPE" in r.result["warnings"][0]
    notice = ledger.machine.state.notices[-1]
    assert notice.kind is NoticeKind.WARNING
    assert "pepe" in notice.message
    after = queries.account_margin(ledger.machine, "acct")
    # $1,000 of value, all of it lost to the unapproved haircut: STPV unchanged.
    assert after["value_usd_wad"] == before["value_usd_wad"] + 1_000 * WAD
    assert after["stpv_usd_wad"] == before["stpv_usd_wad"]
    # A symbol the book cannot value at all (no decimals) is refused.
    err = refused(ledger, position("foo", "onchain", PositionKind.SPOT, "FOO", 1), ts_s=T0)
    assert err.code is ErrorCode.PRIME_UNKNOWN_ASSET


def test_bad_positions_are_refused(ledger: Ledger[PrimeBook]) -> None:
    err = refused(ledger, position("neg", "onchain", PositionKind.SPOT, "WETH", -1), ts_s=T0)
    assert err.code is ErrorCode.PRIME_INVALID_POSITION
    assert err.context["field"] == "qty"
    expired = position(
        "old",
        "okx-1",
        PositionKind.FUTURE,
        "BTC",
        -E8,
        entry_price_usd_e8=100_000 * E8,
        expiry_ts_s=T0,
    )
    assert refused(ledger, expired, ts_s=T0).code is ErrorCode.PRIME_POSITION_EXPIRED
    pt = position(
        "pt",
        "onchain",
        PositionKind.PENDLE_PT,
        "WETH",
        WAD,
        expiry_ts_s=T0 - 1,
        pt_amm_liquidity_usd_wad=10**6 * WAD,
    )
    assert refused(ledger, pt, ts_s=T0).code is ErrorCode.PRIME_POSITION_EXPIRED
    # Binance holds $10M; 950 BTC more ($95M) breaks its $100M limit.
    over = position("btc-more", "binance-1", PositionKind.SPOT, "BTC", 950 * E8)
    err = refused(ledger, over, ts_s=T0)
    assert err.code is ErrorCode.PRIME_LIMIT_VENUE_EXPOSURE
    assert err.context["limit"] == "venue:Binance"
    assert err.context["cap"] == 100_000_000 * WAD
    unknown_venue = position("x", "bybit-1", PositionKind.SPOT, "BTC", E8)
    assert refused(ledger, unknown_venue, ts_s=T0).code is ErrorCode.PRIME_ENGINE_UNKNOWN_ID
    assert refused(ledger, prices(BTC=0), ts_s=T0).code is ErrorCode.PRIME_ENGINE_INVALID_PRICE


def test_draws_that_break_a_limit_or_rf_are_refused(ledger: Ledger[PrimeBook]) -> None:
    def draw(amount: int) -> ec.Draw:
        return ec.Draw(
            loan_id="L1", amount=amount * USDC, cash_position_id="cash", venue_id="onchain"
        )

    err = refused(ledger, draw(40_000_000), ts_s=T0)  # 52M > the SLL instance's 50M
    assert err.code is ErrorCode.PRIME_LIMIT_TOTAL_FUNDING
    assert err.context["limit"] == "total_funding"
    # 30M more: funding 42M is fine, but RF (18M + 30M) / 42M = 1.143 <= 1.15.
    err = refused(ledger, draw(30_000_000), ts_s=T0)
    assert err.code is ErrorCode.PRIME_ENGINE_RF_TOO_LOW
    assert err.context["rf_wad"] == (48_000_000 * WAD - ADDON) * WAD // (42_000_000 * WAD)
    ledger.submit(draw(1_000_000), ts_s=T0)  # a small draw is fine
    assert ledger.machine.state.positions["cash"].qty == 1_000_000 * USDC


def test_sanctioned_borrower_is_refused(ledger: Ledger[PrimeBook]) -> None:
    ledger.submit(
        ec.OnboardBorrower(
            borrower_id="shady",
            name="S",
            entity="S Ltd",
            kyc=KycStatus.APPROVED,
            sanctioned=True,
            solvency_attested_ts_s=T0,
        ),
        ts_s=T0,
    )
    err = refused(
        ledger, ec.OpenAccount(account_id="s", borrower_id="shady", pool_id="arkis_usdc"), ts_s=T0
    )
    assert err.code is ErrorCode.PRIME_LOAN_BORROWER_SANCTIONED
    ledger.submit(ec.UpdateBorrower(borrower_id="fund", sanctioned=True), ts_s=T0)
    draw = ec.Draw(loan_id="L1", amount=USDC, cash_position_id="cash", venue_id="onchain")
    assert refused(ledger, draw, ts_s=T0).code is ErrorCode.PRIME_LOAN_BORROWER_SANCTIONED
    loan = ec.OriginateLoan(
        loan_id="L2",
        account_id="acct",
        principal=USDC,
        rate_bps=500,
        kind=LoanKind.DEMAND,
        cash_position_id="c2",
        venue_id="onchain",
    )
    assert refused(ledger, loan, ts_s=T0).code is ErrorCode.PRIME_LOAN_BORROWER_SANCTIONED


def test_rate_below_floor_and_insolvency_recall(ledger: Ledger[PrimeBook]) -> None:
    low = ec.OriginateLoan(
        loan_id="L2",
        account_id="acct",
        principal=USDC,
        rate_bps=479,
        kind=LoanKind.DEMAND,
        cash_position_id="c2",
        venue_id="onchain",
    )
    err = refused(ledger, low, ts_s=T0)  # floor max(450 + 30, 430) = 480
    assert err.code is ErrorCode.PRIME_LOAN_RATE_BELOW_FLOOR
    assert err.context["floor_bps"] == 480
    # SSR rises to 480: the 500 bps loan is now below the 510 floor -> adjust or recall.
    r = ledger.submit(ec.SetBenchmarks(ssr_bps=480, sofr_bps=430), ts_s=T0 + 10)
    assert r.result["recalled"] == ["L1"]
    renew = ec.RenewLoan(loan_id="L1", rate_bps=510)
    # A renewal needs a solvency attestation made for the new terms.
    assert refused(ledger, renew, ts_s=T0 + 20).code is ErrorCode.PRIME_LOAN_SOLVENCY_NOT_ATTESTED
    ledger.submit(
        ec.UpdateBorrower(borrower_id="fund", solvency_attested_ts_s=T0 + 15), ts_s=T0 + 20
    )
    ledger.submit(renew, ts_s=T0 + 20)
    assert not ledger.machine.state.recalls  # the renewal met the floor
    r = ledger.submit(
        ec.BorrowerEvent(borrower_id="fund", event=ec.BorrowerEventKind.INSOLVENCY), ts_s=T0 + 30
    )
    assert r.result["recalled"] == ["L1"]
    recall = ledger.machine.state.recalls[-1]
    assert recall.trigger.value == "insolvency"
    assert recall.liquidation_allowed
    draw = ec.Draw(loan_id="L1", amount=USDC, cash_position_id="cash", venue_id="onchain")
    assert refused(ledger, draw, ts_s=T0 + 40).code is ErrorCode.PRIME_LOAN_BORROWER_INSOLVENT


def test_critical_action_needs_two_entities(ledger: Ledger[PrimeBook]) -> None:
    action = CriticalActionSpec(
        kind=CriticalActionKind.CHANGE_QUORUM, min_signers=4, min_entities=2
    )
    ledger.submit(ec.ProposeCritical(proposal_id="q", action=action), ts_s=T0)
    for s in ("saf1", "saf2", "saf3"):
        ledger.submit(ec.ApproveCritical(proposal_id="q", signer=s), ts_s=T0)
    err = refused(ledger, ec.ExecuteCritical(proposal_id="q"), ts_s=T0)
    assert err.code is ErrorCode.PRIME_CRITICAL_SINGLE_ENTITY
    err = refused(ledger, ec.ApproveCritical(proposal_id="q", signer="mallory"), ts_s=T0)
    assert err.code is ErrorCode.PRIME_CRITICAL_UNKNOWN_SIGNER
    ledger.submit(ec.ApproveCritical(proposal_id="q", signer="phx1"), ts_s=T0)
    ledger.submit(ec.ExecuteCritical(proposal_id="q"), ts_s=T0)
    assert ledger.machine.state.controls is not None
    assert ledger.machine.state.controls.signers.min_signers == 4
    assert _kinds(ledger)[-1] is NoticeKind.CRITICAL_EXECUTED


def test_policy_versions_by_id_and_by_record(ledger: Ledger[PrimeBook]) -> None:
    old = atlas_policy_history().versions[0]
    err = refused(ledger, ec.SetPolicy(version="nope"), ts_s=T0)
    assert err.code is ErrorCode.PRIME_ENGINE_UNKNOWN_ID
    # PR #138 has every venue and pool this book uses: accepted. Its floor, max(SSR + 2%,
    # SOFR + 2.5%) = 680 bps, puts the 500 bps loan out of conformity: recall trigger 4.
    r = ledger.submit(ec.SetPolicy(version=old.version), ts_s=T0)
    assert ledger.machine.state.policy == old
    assert r.result == {"version": old.version, "recalled": ["L1"]}
    assert _kinds(ledger)[-2:] == [NoticeKind.POLICY_CHANGED, NoticeKind.RECALL]
    assert ledger.machine.state.recalls[-1].trigger.value == "parameter_change"
    spec = PolicySpec.of(atlas_policy())
    assert spec.to_policy() == atlas_policy()
    ledger.submit(ec.SetPolicy(policy=spec), ts_s=T0)
    assert ledger.machine.state.policy == atlas_policy()


def test_emergency_raises_haircut_and_blocks_draws(ledger: Ledger[PrimeBook]) -> None:
    from sparkprime.prime.emergency import Actor, EmergencyKind  # noqa: PLC0415
    from sparkprime.prime.engine_records import EmergencySpec  # noqa: PLC0415

    rf = queries.account_margin(ledger.machine, "acct")["rf_wad"]
    cut = EmergencySpec(
        kind=EmergencyKind.RAISE_HAIRCUT,
        declared_by=Actor.SPARK,
        reason="cut",
        group_id=2,
        haircut_long_bps=1_000,
    )
    assert refused(ledger, ec.EmergencyActionCmd(action=cut), ts_s=T0).code is (
        ErrorCode.PRIME_EMERGENCY_INVALID_ACTION
    )
    raise_ = EmergencySpec(
        kind=EmergencyKind.RAISE_HAIRCUT,
        declared_by=Actor.SPARK,
        reason="ETH stress",
        group_id=2,
        haircut_long_bps=3_000,
    )
    ledger.submit(ec.EmergencyActionCmd(action=raise_), ts_s=T0)
    # ETH charge 20% -> 30% of $10M: STPV 17M over 12M.
    after = queries.account_margin(ledger.machine, "acct")["rf_wad"]
    assert after == (17_000_000 * WAD - ADDON) * WAD // (12_000_000 * WAD) < rf
    block = EmergencySpec(
        kind=EmergencyKind.BLOCK_DRAWS, declared_by=Actor.ARKIS, reason="venue outage"
    )
    ledger.submit(ec.EmergencyActionCmd(action=block), ts_s=T0)
    draw = ec.Draw(loan_id="L1", amount=USDC, cash_position_id="cash", venue_id="onchain")
    assert refused(ledger, draw, ts_s=T0).code is ErrorCode.PRIME_LOAN_DRAWS_BLOCKED


def test_repay_from_cash_and_duplicates(ledger: Ledger[PrimeBook]) -> None:
    ledger.submit(
        ec.Draw(loan_id="L1", amount=1_000 * USDC, cash_position_id="cash", venue_id="onchain"),
        ts_s=T0 + DAY,
    )
    interest = ledger.machine.state.loans["L1"].accrued_interest
    assert interest == -(-(12_000_000 * USDC * 500 * DAY) // (10_000 * 365 * DAY))
    r = ledger.submit(
        ec.Repay(loan_id="L1", amount=1_000 * USDC, from_position_id="cash"), ts_s=T0 + DAY
    )
    # Interest first: the whole $1,000 pays interest; the cash position is used up.
    assert r.result == {
        "interest": 1_000 * USDC,
        "principal": 0,
        "debt": 12_001_000 * USDC + interest - 1_000 * USDC,
    }
    assert "cash" not in ledger.machine.state.positions
    too_much = ec.Repay(loan_id="L1", amount=10**9 * USDC)
    assert refused(ledger, too_much, ts_s=T0 + DAY).code is ErrorCode.PRIME_LOAN_REPAY_EXCEEDS_DEBT
    dup = ec.OpenAccount(account_id="acct", borrower_id="fund", pool_id="arkis_usdc")
    assert refused(ledger, dup, ts_s=T0 + DAY).code is ErrorCode.PRIME_ENGINE_DUPLICATE_ID

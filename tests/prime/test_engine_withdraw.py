"""`prime.withdraw` on a journaled PrimeBook: whitelist, origination steps, the withdrawal
haircut rule at its exact boundary, the ladder and pending plans, replay.

The boundary is `prime.whatif.max_withdraw_qty`'s (called on the book's own data, never
hard-coded): the engine must accept exactly that quantity and refuse one base unit more. The
book here has no market depths, so the engine's margin (which adds the liquidity add-on when
depths are set) and `max_withdraw_qty`'s read the same inputs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sparkprime.core.errors import ErrorCode
from sparkprime.ledger import Ledger, SqlJournalStore, canonical_json
from sparkprime.prime import engine_commands as ec
from sparkprime.prime.book import PositionKind
from sparkprime.prime.critical_actions import DestinationKind
from sparkprime.prime.engine import PrimeBook
from sparkprime.prime.engine_margin import (
    account_loans,
    account_positions,
    effective_policy,
    margin_of,
)
from sparkprime.prime.engine_records import CriticalActionKind, CriticalActionSpec, LegSpec
from sparkprime.prime.engine_state import NoticeKind
from sparkprime.prime.engine_withdraw import WITHDRAWABLE_KINDS
from sparkprime.prime.policy import BPS
from sparkprime.prime.whatif import max_withdraw_qty, withdraw_allowed
from tests.prime.test_engine_support import (
    DAY,
    SLL,
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

AGENT = "0x" + "ca" * 20
STRANGER = "0x" + "ee" * 20


def _ledger(path: Path, *, depths: bool = False) -> Ledger[PrimeBook]:
    led = Ledger.create(SqlJournalStore.sqlite(str(path)), genesis(), paranoid=True)
    setup = [c for c in setup_commands() if depths or not isinstance(c, ec.SetMarketDepth)]
    submit_all(led, setup, T0)
    submit_all(led, book_commands(), T0)
    return led


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger[PrimeBook]:
    return _ledger(tmp_path / "prime.db")


def _to_sll(qty: int, pid: str = "eth") -> ec.Withdraw:
    return ec.Withdraw(account_id="acct", position_id=pid, qty=qty, destination=SLL)


def _max_eth(led: Ledger[PrimeBook], now: int) -> int:
    state = led.machine.state
    policy = effective_policy(state)
    return max_withdraw_qty(
        account_positions(state, "acct"),
        account_loans(state, "acct", now),
        state.prices,
        policy,
        policy.pool(state.accounts["acct"].pool_id),
        position_id="eth",
        assets=state.assets,
        now_ts_s=now,
    )


def _whitelist_agent(led: Ledger[PrimeBook]) -> None:
    action = CriticalActionSpec(
        kind=CriticalActionKind.ADD_WHITELIST_ADDRESS,
        address=AGENT,
        destination=DestinationKind.COLLATERAL_AGENT,
        name="agent",
    )
    led.submit(ec.ProposeCritical(proposal_id="agent", action=action), ts_s=T0)
    for s in ("saf1", "saf2", "phx1"):
        led.submit(ec.ApproveCritical(proposal_id="agent", signer=s), ts_s=T0)
    led.submit(ec.ExecuteCritical(proposal_id="agent"), ts_s=T0)


def test_withdraw_list_is_spot_and_vault_shares() -> None:
    assert frozenset({PositionKind.SPOT, PositionKind.VAULT_SHARES}) == WITHDRAWABLE_KINDS


def test_withdrawal_to_the_sll(ledger: Ledger[PrimeBook]) -> None:
    out = ledger.submit(_to_sll(100 * WAD), ts_s=T0).result
    state = ledger.machine.state
    assert state.positions["eth"].qty == 2_400 * WAD
    assert out["left"] == 2_400 * WAD
    assert (out["destination"], out["destination_kind"]) == (SLL, "sll")
    after = margin_of(state, "acct", T0)
    assert (out["stpv_usd_wad"], out["borrowed_usd_wad"]) == (
        after.stpv_usd_wad,
        after.borrowed_usd_wad,
    )
    notice = state.notices[-1]
    assert notice.kind is NoticeKind.WITHDRAWAL
    assert (notice.account_id, notice.amount) == ("acct", 100 * WAD)


def test_haircut_rule_boundary(ledger: Ledger[PrimeBook]) -> None:
    most = _max_eth(ledger, T0)
    held = ledger.machine.state.positions["eth"].qty
    assert 0 < most < held  # the rule binds inside the position
    err = refused(ledger, _to_sll(most + 1), ts_s=T0)
    assert err.code is ErrorCode.PRIME_ENGINE_WITHDRAW_HAIRCUT
    pool = effective_policy(ledger.machine.state).pool("arkis_usdc")
    ctx = err.context
    assert ctx["stpv_usd_wad"] * (BPS - pool.withdrawal_haircut_bps) <= (
        ctx["borrowed_usd_wad"] * BPS
    )
    ledger.submit(_to_sll(most), ts_s=T0)
    state = ledger.machine.state
    assert state.positions["eth"].qty == held - most
    assert withdraw_allowed(margin_of(state, "acct", T0), pool)
    # Nothing more can go: one base unit is refused.
    assert refused(ledger, _to_sll(1), ts_s=T0).code is ErrorCode.PRIME_ENGINE_WITHDRAW_HAIRCUT


def test_boundary_moves_with_accrued_interest(ledger: Ledger[PrimeBook]) -> None:
    # The rule reads the debt at the command's time: interest accrued since makes it tighter.
    later = T0 + 30 * DAY
    most_now, most_later = _max_eth(ledger, T0), _max_eth(ledger, later)
    assert most_later < most_now
    err = refused(ledger, _to_sll(most_later + 1), ts_s=later)
    assert err.code is ErrorCode.PRIME_ENGINE_WITHDRAW_HAIRCUT
    ledger.submit(_to_sll(most_later), ts_s=later)


def test_debt_free_account_withdraws_everything(ledger: Ledger[PrimeBook]) -> None:
    ledger.submit(ec.Repay(loan_id="L1", amount=12_000_000 * USDC), ts_s=T0)
    assert margin_of(ledger.machine.state, "acct", T0).borrowed_usd_wad == 0
    ledger.submit(_to_sll(2_500 * WAD), ts_s=T0)
    assert "eth" not in ledger.machine.state.positions


def test_collateral_agent_only_after_origination_steps(ledger: Ledger[PrimeBook]) -> None:
    to_agent = ec.Withdraw(account_id="acct", position_id="eth", qty=WAD, destination=AGENT)
    # Not yet whitelisted.
    assert refused(ledger, to_agent, ts_s=T0).code is ErrorCode.PRIME_CRITICAL_NOT_WHITELISTED
    _whitelist_agent(ledger)
    err = refused(ledger, to_agent, ts_s=T0)  # no loan named
    assert err.code is ErrorCode.PRIME_CRITICAL_ORIGINATION_INCOMPLETE
    for_l1 = ec.Withdraw(
        account_id="acct", position_id="eth", qty=WAD, destination=AGENT, loan_id="L1"
    )
    err = refused(ledger, for_l1, ts_s=T0)
    assert err.code is ErrorCode.PRIME_CRITICAL_ORIGINATION_INCOMPLETE
    assert "MLA" in err.context["missing"]
    assert "configuration" in err.context["missing"]
    ledger.submit(ec.RecordOriginationSteps(loan_id="L1", mla_executed=True), ts_s=T0)
    err = refused(ledger, for_l1, ts_s=T0)
    assert err.code is ErrorCode.PRIME_CRITICAL_ORIGINATION_INCOMPLETE
    assert "MLA" not in err.context["missing"]
    ledger.submit(ec.RecordOriginationSteps(loan_id="L1", config_file_sent=True), ts_s=T0)
    steps = ledger.machine.state.origination["L1"]
    assert steps.mla_executed
    assert steps.config_file_sent
    out = ledger.submit(for_l1, ts_s=T0).result
    assert out["destination_kind"] == "collateral_agent"
    assert ledger.machine.state.positions["eth"].qty == 2_499 * WAD
    assert ledger.machine.state.notices[-1].loan_id == "L1"


def test_origination_steps_refusals(ledger: Ledger[PrimeBook]) -> None:
    err = refused(ledger, ec.RecordOriginationSteps(loan_id="nope", mla_executed=True), ts_s=T0)
    assert err.code is ErrorCode.PRIME_ENGINE_UNKNOWN_ID
    err = refused(ledger, ec.RecordOriginationSteps(loan_id="L1"), ts_s=T0)
    assert err.code is ErrorCode.PRIME_ENGINE_INVALID_COMMAND


def test_non_whitelisted_destination_refused(ledger: Ledger[PrimeBook]) -> None:
    cmd = ec.Withdraw(account_id="acct", position_id="eth", qty=WAD, destination=STRANGER)
    assert refused(ledger, cmd, ts_s=T0).code is ErrorCode.PRIME_CRITICAL_NOT_WHITELISTED


def test_position_refusals(ledger: Ledger[PrimeBook]) -> None:
    err = refused(ledger, _to_sll(1, pid="btc-fut"), ts_s=T0)
    assert err.code is ErrorCode.PRIME_ENGINE_NOT_WITHDRAWABLE
    assert err.context["kind"] == "future"
    err = refused(ledger, _to_sll(2_500 * WAD + 1), ts_s=T0)
    assert err.code is ErrorCode.PRIME_ENGINE_WITHDRAW_EXCEEDS_HELD
    assert refused(ledger, _to_sll(0), ts_s=T0).code is ErrorCode.PRIME_ENGINE_INVALID_COMMAND
    assert refused(ledger, _to_sll(1, pid="nope"), ts_s=T0).code is (
        ErrorCode.PRIME_ENGINE_UNKNOWN_ID
    )
    ghost = ec.Withdraw(account_id="ghost", position_id="eth", qty=1, destination=SLL)
    assert refused(ledger, ghost, ts_s=T0).code is ErrorCode.PRIME_ENGINE_UNKNOWN_ID
    ledger.submit(ec.OpenAccount(account_id="other", borrower_id="fund", pool_id="arkis_usdc"))
    theirs = ec.Withdraw(account_id="other", position_id="eth", qty=1, destination=SLL)
    assert refused(ledger, theirs, ts_s=T0).code is ErrorCode.PRIME_ENGINE_INVALID_COMMAND
    not_theirs = ec.Withdraw(
        account_id="other", position_id="eth", qty=1, destination=SLL, loan_id="L1"
    )
    assert refused(ledger, not_theirs, ts_s=T0).code is ErrorCode.PRIME_ENGINE_INVALID_COMMAND


def test_vault_shares_withdrawal(ledger: Ledger[PrimeBook]) -> None:
    rate = 11 * WAD // 10  # 1.1 USDC base units per share base unit
    vault = position(
        "sp", "onchain", PositionKind.VAULT_SHARES, "spUSDC", 1_000_000 * USDC,
        share_rate_wad=rate, legs=(LegSpec(symbol="USDC", qty=0),),
    )  # fmt: skip
    ledger.submit(vault, ts_s=T0)
    before = margin_of(ledger.machine.state, "acct", T0).stpv_usd_wad
    ledger.submit(_to_sll(400_000 * USDC, pid="sp"), ts_s=T0)
    state = ledger.machine.state
    assert state.positions["sp"].qty == 600_000 * USDC
    assert margin_of(state, "acct", T0).stpv_usd_wad < before
    ledger.submit(_to_sll(600_000 * USDC, pid="sp"), ts_s=T0)
    assert "sp" not in ledger.machine.state.positions


def test_reduce_only_account_refused(ledger: Ledger[PrimeBook]) -> None:
    t1 = T0 + 3_600
    ledger.submit(prices(ETH=1_800, WETH=1_800), ts_s=t1)
    assert ledger.submit(ec.Remargin(), ts_s=t1).result["acct"]["status"] == "margin_call"
    t2 = t1 + DAY
    assert ledger.submit(ec.Remargin(), ts_s=t2).result["acct"]["status"] == "reduce_only"
    # Even the SLL and a tiny amount: a reduce-only account withdraws nothing.
    err = refused(ledger, _to_sll(1, pid="btc-spot"), ts_s=t2)
    assert err.code is ErrorCode.PRIME_ENGINE_REDUCE_ONLY
    assert err.context["status"] == "reduce_only"


def test_pending_plan_refused(tmp_path: Path) -> None:
    led = _ledger(tmp_path / "plan.db", depths=True)
    t1 = T0 + 3_600
    led.submit(prices(ETH=800, WETH=800), ts_s=t1)
    assert led.submit(ec.Remargin(), ts_s=t1).result["acct"]["status"] == "liquidation"
    assert "acct" in led.machine.state.plans
    err = refused(led, _to_sll(1), ts_s=t1)
    assert err.code is ErrorCode.PRIME_ENGINE_REDUCE_ONLY
    assert "liquidation plan is pending" in err.context["reason"]


def test_journal_replay_and_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "replay.db"
    led = _ledger(path)
    _whitelist_agent(led)
    led.submit(
        ec.RecordOriginationSteps(loan_id="L1", mla_executed=True, config_file_sent=True),
        ts_s=T0,
    )
    led.submit(_to_sll(10 * WAD), ts_s=T0 + 60)
    led.submit(
        ec.Withdraw(
            account_id="acct", position_id="eth", qty=5 * WAD, destination=AGENT, loan_id="L1"
        ),
        ts_s=T0 + 120,
    )
    refused(led, _to_sll(_max_eth(led, T0 + 180) + 1), ts_s=T0 + 180)
    live = led.state_hash()
    assert led.machine.state.positions["eth"].qty == 2_485 * WAD
    replayed = Ledger.open(SqlJournalStore.sqlite(str(path)), PrimeBook, use_snapshots=False)
    assert replayed.state_hash() == live
    snap = json.loads(canonical_json(led.machine.snapshot()))
    assert PrimeBook.restore(snap).state_hash() == live
    assert PrimeBook.restore(snap).state.origination == led.machine.state.origination

"""Recall and acceleration (Atlas A.6.1.1.1.3.7 P7/2/5/1..5, P7/2/1; A.6.1.1.1.3.8 P8/2/5/2;
spark-prime.md §1.1, §1.6, §1.11): each of the five triggers one by one, the emergency
actions, and cross-default.

No upstream test suite exists; each test restates one Atlas sentence. The unapproved-products
thresholds (10 % of STPV, 3 checks) are this model's documented parameters.
"""

from __future__ import annotations

import dataclasses
import doctest
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.presets.atlas_policy import ARKIS_POOL_ID, atlas_policy
from sparkprime.prime import emergency, recalls
from sparkprime.prime.book import Account, Loan, LoanKind, Position, PositionKind
from sparkprime.prime.emergency import (
    Actor,
    EmergencyAction,
    EmergencyKind,
    apply_emergency_policy,
    check_emergency,
    draw_block_reason,
    emergency_notices,
    new_loan_block_reason,
)
from sparkprime.prime.exposure import Exposure
from sparkprime.prime.loans import draw
from sparkprime.prime.policy import AssetGroup, RateFloorRule
from sparkprime.prime.recalls import (
    RecallAction,
    RecallNotice,
    RecallTrigger,
    UnapprovedObservation,
    UnapprovedRule,
    cross_default_notices,
    insolvency_notices,
    observe_unapproved,
    parameter_change_notices,
    rate_shortfall_notices,
    unapproved_notices,
)
from tests.prime.loans_support import (
    DAY,
    OLD_FLOOR,
    SAEP15,
    SAEP15_DATE,
    borrower,
    loan,
    policy,
    ts,
)

FUZZ = max(1, int(os.environ.get("SPARKPRIME_FUZZ", "1")))
NOW = ts(2026, 8, 1)
M = 10**24  # $1M in wad
ACCOUNTS = {
    "a1": Account(account_id="a1", borrower_id="fund", pool_id=ARKIS_POOL_ID),
    "a2": Account(account_id="a2", borrower_id="fund", pool_id=ARKIS_POOL_ID),
    "b1": Account(account_id="b1", borrower_id="other", pool_id=ARKIS_POOL_ID),
}
DEMAND = loan("D", account_id="a1", start=NOW - 10 * DAY)
FIXED = loan("F", account_id="a2", kind=LoanKind.FIXED, start=NOW - 10 * DAY, term_s=30 * DAY)
EVERGREEN = loan("E", account_id="a1", kind=LoanKind.EVERGREEN, start=NOW - DAY)
CLOSED = loan("C", account_id="a1", principal=0, start=NOW - DAY)
OTHER = loan("O", account_id="b1", start=NOW - DAY)
LOANS = (DEMAND, FIXED, EVERGREEN, CLOSED, OTHER)
TERM_END = NOW + 20 * DAY  # FIXED's


def _by_loan(notices: tuple[RecallNotice, ...]) -> dict[str, RecallNotice]:
    return {n.loan_id: n for n in notices}


@pytest.mark.parametrize("module", [recalls, emergency])
def test_doctests(module: object) -> None:
    assert doctest.testmod(module).failed == 0  # type: ignore[arg-type]


# --- 1. insolvency or administration ------------------------------------------------------


@pytest.mark.parametrize("state", [{"insolvent": True}, {"in_administration": True}])
def test_insolvency_accelerates_every_loan_of_the_borrower(state: dict[str, bool]) -> None:
    notices = _by_loan(insolvency_notices(borrower(**state), LOANS, ACCOUNTS, now_ts_s=NOW))
    # All open loans of "fund", across both accounts; the fixed one too, before its term end.
    assert set(notices) == {"D", "F", "E"}
    for n in notices.values():
        assert n.trigger is RecallTrigger.INSOLVENCY
        assert n.action is RecallAction.ACCELERATE
        assert n.effective_ts_s == NOW
        assert n.liquidation_allowed
        assert n.borrower_id == "fund"


def test_solvent_borrower_gets_no_insolvency_notice() -> None:
    assert insolvency_notices(borrower(), LOANS, ACCOUNTS, now_ts_s=NOW) == ()


def test_unknown_account_is_an_input_error() -> None:
    stray = loan("S", account_id="nowhere")
    with pytest.raises(ProtocolError) as exc:
        insolvency_notices(borrower(insolvent=True), [stray], ACCOUNTS, now_ts_s=NOW)
    assert exc.value.code is ErrorCode.PRIME_RECALL_INVALID_INPUT


# --- 2. unapproved products ---------------------------------------------------------------


def _obs(unapproved: int, stpv: int = 100 * M, t: int = NOW) -> UnapprovedObservation:
    return UnapprovedObservation(ts_s=t, unapproved_usd_wad=unapproved, stpv_usd_wad=stpv)


def test_unapproved_longs_and_shorts_are_summed_not_offset() -> None:
    exps = [
        Exposure(position_id="p", symbol="FOO", group_id=None, notional_usd_wad=n,
                 value_usd_wad=n, approved=approved)
        for n, approved in ((5 * M, False), (-5 * M, False), (7 * M, True))
    ]  # fmt: skip
    obs = observe_unapproved(exps, stpv_usd_wad=90 * M, ts_s=NOW)
    assert obs == UnapprovedObservation(ts_s=NOW, unapproved_usd_wad=10 * M, stpv_usd_wad=90 * M)


@pytest.mark.parametrize(
    ("unapproved", "stpv", "recalled"),
    [
        (10 * M, 100 * M, False),  # exactly 10 %: penalised in margin only
        (10 * M + 1, 100 * M, True),  # just above 10 %: serious
        (9 * M, 100 * M, False),
        (1, 0, True),  # any unapproved use with no stress-tested value left
        (1, -5 * M, True),
        (0, -5 * M, False),  # nothing unapproved: not this trigger
    ],
)
def test_serious_unapproved_use(unapproved: int, stpv: int, recalled: bool) -> None:
    notices = unapproved_notices(ACCOUNTS["a2"], LOANS, [_obs(unapproved, stpv)], now_ts_s=NOW)
    if not recalled:
        assert notices == ()
        return
    (n,) = notices
    assert (n.loan_id, n.trigger, n.action) == (
        "F", RecallTrigger.UNAPPROVED_PRODUCTS, RecallAction.RECALL,
    )  # fmt: skip
    assert n.effective_ts_s == TERM_END  # a fixed loan: at the earliest permitted date
    assert n.liquidation_allowed  # "may lead to the positions being liquidated"
    assert "serious" in n.reason


@pytest.mark.parametrize(
    ("history", "recalled"),
    [
        ([1, 1, 1], True),  # three checks in a row
        ([0, 1, 1, 1], True),
        ([1, 1], False),  # only two
        ([1, 0, 1], False),  # not consecutive
        ([1, 1, 1, 0], False),  # cleared at the last check
    ],
)
def test_repeated_unapproved_use(history: list[int], recalled: bool) -> None:
    obs = [_obs(u * M, t=NOW - 30 * (len(history) - i)) for i, u in enumerate(history)]
    notices = _by_loan(unapproved_notices(ACCOUNTS["a1"], LOANS, obs, now_ts_s=NOW))
    if not recalled:
        assert notices == {}
        return
    assert set(notices) == {"D", "E"}  # the account's open loans (C is closed)
    assert all(n.effective_ts_s == NOW for n in notices.values())  # demand/evergreen: now
    assert all("repeated" in n.reason for n in notices.values())


def test_unapproved_rule_is_a_parameter() -> None:
    strict = UnapprovedRule(serious_share_bps=500, repeat_checks=2)
    assert unapproved_notices(ACCOUNTS["a1"], LOANS, [_obs(6 * M)], now_ts_s=NOW, rule=strict)
    assert unapproved_notices(ACCOUNTS["a1"], LOANS, [_obs(M), _obs(M)], now_ts_s=NOW, rule=strict)
    with pytest.raises(ProtocolError) as exc:
        UnapprovedRule(repeat_checks=0)
    assert exc.value.code is ErrorCode.PRIME_RECALL_INVALID_INPUT


@settings(max_examples=200 * FUZZ, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 20 * M), st.integers(-M, 200 * M)), max_size=6))
def test_unapproved_notice_iff_serious_or_repeated(history: list[tuple[int, int]]) -> None:
    obs = [_obs(u, s) for u, s in history]
    notices = unapproved_notices(ACCOUNTS["a1"], LOANS, obs, now_ts_s=NOW)
    serious = (
        bool(obs)
        and obs[-1].unapproved_usd_wad > 0
        and (obs[-1].stpv_usd_wad <= 0 or obs[-1].unapproved_usd_wad * 10 > obs[-1].stpv_usd_wad)
    )
    repeated = len(obs) >= 3 and all(o.unapproved_usd_wad > 0 for o in obs[-3:])
    assert bool(notices) == (serious or repeated)


# --- 3. borrow-rate shortfall -------------------------------------------------------------


def test_rate_shortfall_when_benchmarks_rise() -> None:
    at_floor = loan("E", account_id="a1", kind=LoanKind.EVERGREEN, rate_bps=480, start=NOW)
    # SSR 4.5 %: floor max(4.5 + 0.3, 4.0) = 4.8 % -> at the floor, no notice.
    assert (
        rate_shortfall_notices(
            [at_floor], ACCOUNTS, policy=SAEP15, now_ts_s=NOW, ssr_bps=450, sofr_bps=400
        )
        == ()
    )
    # SSR rises to 4.6 %: floor 4.9 % > 4.8 %: adjust or recall, now (evergreen).
    (n,) = rate_shortfall_notices(
        [at_floor], ACCOUNTS, policy=SAEP15, now_ts_s=NOW, ssr_bps=460, sofr_bps=400
    )
    assert (n.trigger, n.action, n.min_rate_bps, n.effective_ts_s) == (
        RecallTrigger.RATE_SHORTFALL, RecallAction.ADJUST_RATE_OR_RECALL, 490, NOW,
    )  # fmt: skip


def test_rate_shortfall_on_a_fixed_loan_waits_for_term_end() -> None:
    fixed = dataclasses.replace(FIXED, rate_bps=480)
    (n,) = rate_shortfall_notices(
        [fixed], ACCOUNTS, policy=SAEP15, now_ts_s=NOW, ssr_bps=460, sofr_bps=400
    )
    assert n.effective_ts_s == TERM_END


def test_rate_shortfall_of_a_variable_rate() -> None:
    # A profit-share loan booked at 600 bps whose realised rate fell to 450 bps.
    profit_share = loan("P", account_id="a1", rate_bps=600, start=NOW)
    args = {"policy": SAEP15, "now_ts_s": NOW, "ssr_bps": 450, "sofr_bps": 400}
    assert rate_shortfall_notices([profit_share], ACCOUNTS, **args) == ()  # type: ignore[arg-type]
    (n,) = rate_shortfall_notices(
        [profit_share],
        ACCOUNTS,
        current_rates_bps={"P": 450},
        **args,  # type: ignore[arg-type]
    )
    assert n.min_rate_bps == 480
    assert "450 bps" in n.reason


# --- 4. non-emergency parameter change ----------------------------------------------------

XRP = AssetGroup(group_id=1, name="XRP", haircut_long_bps=2000, haircut_short_bps=2000,
                 pegged=False, members=("XRP",))  # fmt: skip


def test_shorter_max_term_recalls_at_the_agreed_term_end() -> None:
    new = policy("shorter-terms", loan_max_fixed_term_s=14 * DAY)
    notices = _by_loan(parameter_change_notices(
        LOANS, ACCOUNTS, old_policy=SAEP15, new_policy=new, now_ts_s=NOW,
        ssr_bps=450, sofr_bps=400,
    ))  # fmt: skip
    assert set(notices) == {"F"}  # only the 30-day fixed loan stops conforming
    n = notices["F"]
    assert (n.trigger, n.action, n.effective_ts_s) == (
        RecallTrigger.PARAMETER_CHANGE, RecallAction.RECALL, TERM_END,
    )  # fmt: skip
    assert "fixed term 2592000 s > 1209600 s" in n.reason


def test_higher_floor_recalls_open_ended_loans_now() -> None:
    higher = RateFloorRule(effective_from=SAEP15_DATE, ssr_spread_bps=100, sofr_spread_bps=0)
    new = policy("higher-floor", rate_floors=(OLD_FLOOR, higher))
    # DEMAND/EVERGREEN/OTHER at 500 bps: SAEP-15 floor 480 (conform), new floor 550 (not).
    notices = _by_loan(parameter_change_notices(
        LOANS, ACCOUNTS, old_policy=SAEP15, new_policy=new, now_ts_s=NOW,
        ssr_bps=450, sofr_bps=400,
    ))  # fmt: skip
    assert set(notices) == {"D", "F", "E", "O"}
    assert notices["D"].effective_ts_s == NOW
    assert notices["F"].effective_ts_s == TERM_END
    assert notices["O"].borrower_id == "other"


def test_delisted_asset_recalls_the_holders_loans() -> None:
    old = policy("with-xrp", groups=(XRP,))
    new = policy("without-xrp")
    xrp = Position(position_id="x", account_id="a1", venue_id="onchain",
                   kind=PositionKind.SPOT, symbol="XRP", qty=1)  # fmt: skip
    foo = Position(position_id="f", account_id="a2", venue_id="onchain",
                   kind=PositionKind.SPOT, symbol="FOO", qty=1)  # fmt: skip
    notices = _by_loan(parameter_change_notices(
        LOANS, ACCOUNTS, old_policy=old, new_policy=new, now_ts_s=NOW, ssr_bps=450,
        sofr_bps=400, positions=(xrp, foo),
    ))  # fmt: skip
    # a1 held XRP (approved before, not now); a2's FOO was never approved: not this trigger.
    assert set(notices) == {"D", "E"}
    assert "XRP is not approved" in notices["D"].reason


def test_no_change_no_notice() -> None:
    assert parameter_change_notices(
        LOANS, ACCOUNTS, old_policy=SAEP15, new_policy=SAEP15, now_ts_s=NOW,
        ssr_bps=450, sofr_bps=400,
    ) == ()  # fmt: skip


# --- 5. emergency -------------------------------------------------------------------------

ATLAS = atlas_policy()


def _em(kind: EmergencyKind, **kw: object) -> EmergencyAction:
    base = EmergencyAction(
        kind=kind, declared_by=Actor.ARKIS, effective_ts_s=NOW, reason="exchange hack"
    )
    return dataclasses.replace(base, **kw)  # type: ignore[arg-type]


def test_emergency_blocks_draws_and_new_loans() -> None:
    block = _em(EmergencyKind.BLOCK_DRAWS, pool_id=ARKIS_POOL_ID)
    reason = draw_block_reason(DEMAND, pool_id=ARKIS_POOL_ID, now_ts_s=NOW, actions=[block])
    assert reason == "emergency by arkis: exchange hack"
    with pytest.raises(ProtocolError) as exc:
        draw(DEMAND, 1, now_ts_s=NOW, blocked_reason=reason)
    assert exc.value.code is ErrorCode.PRIME_LOAN_DRAWS_BLOCKED
    # Not yet in force, or another pool: no block.
    assert (
        draw_block_reason(DEMAND, pool_id=ARKIS_POOL_ID, now_ts_s=NOW - 1, actions=[block]) is None
    )
    assert draw_block_reason(DEMAND, pool_id="other", now_ts_s=NOW, actions=[block]) is None
    everywhere = _em(EmergencyKind.BLOCK_NEW_LOANS)
    assert new_loan_block_reason([everywhere], pool_id="other", now_ts_s=NOW) is not None
    assert new_loan_block_reason([block], pool_id=ARKIS_POOL_ID, now_ts_s=NOW) is None


def test_recalled_loan_takes_no_draws_but_a_rate_adjustment_does_not_block() -> None:
    recall = RecallNotice(loan_id="D", borrower_id="fund", trigger=RecallTrigger.PARAMETER_CHANGE,
                          action=RecallAction.RECALL, effective_ts_s=NOW, reason="r")  # fmt: skip
    adjust = dataclasses.replace(recall, action=RecallAction.ADJUST_RATE_OR_RECALL)
    assert draw_block_reason(DEMAND, pool_id="p", now_ts_s=NOW, notices=[recall]) is not None
    assert draw_block_reason(DEMAND, pool_id="p", now_ts_s=NOW, notices=[adjust]) is None
    assert draw_block_reason(EVERGREEN, pool_id="p", now_ts_s=NOW, notices=[recall]) is None


def test_emergency_raises_haircuts_and_margin_requirements() -> None:
    actions = [
        _em(EmergencyKind.RAISE_HAIRCUT, group_id=2, haircut_long_bps=3_000),
        _em(
            EmergencyKind.RAISE_MARGIN_REQUIREMENT,
            pool_id=ARKIS_POOL_ID,
            margin_call_rf_bps=13_000,
            liquidation_rf_bps=11_000,
        ),
    ]
    raised = apply_emergency_policy(ATLAS, actions)
    eth = raised.group_of("wstETH")
    assert eth is not None
    assert (eth.haircut_long_bps, eth.haircut_short_bps) == (3_000, 2_000)
    pool = raised.pool(ARKIS_POOL_ID)
    # The liquidation RF 1.10 lifts reduce-only (1.05 before) to 1.10.
    assert (pool.margin_call_rf_bps, pool.reduce_only_rf_bps, pool.liquidation_rf_bps) == (
        13_000, 11_000, 11_000,
    )  # fmt: skip
    assert ATLAS.pool(ARKIS_POOL_ID).margin_call_rf_bps == 11_500  # the input is untouched


@pytest.mark.parametrize(
    "action",
    [
        _em(EmergencyKind.RAISE_HAIRCUT, group_id=2, haircut_long_bps=1_000),  # a cut
        _em(EmergencyKind.RAISE_HAIRCUT, group_id=2, haircut_long_bps=10_001),
        _em(EmergencyKind.RAISE_HAIRCUT, group_id=99, haircut_long_bps=3_000),
        _em(EmergencyKind.RAISE_HAIRCUT, group_id=2),  # no new haircut
        _em(EmergencyKind.RAISE_HAIRCUT, group_id=14, haircut_short_bps=500),  # USDC is pegged
        _em(
            EmergencyKind.RAISE_MARGIN_REQUIREMENT, pool_id=ARKIS_POOL_ID, margin_call_rf_bps=11_000
        ),
        _em(EmergencyKind.RAISE_MARGIN_REQUIREMENT, pool_id=ARKIS_POOL_ID),
        _em(EmergencyKind.DEMAND_REPAYMENT),
        _em(EmergencyKind.LIQUIDATE_POSITION),
    ],
)
def test_invalid_emergency_actions_refused(action: EmergencyAction) -> None:
    with pytest.raises(ProtocolError) as exc:
        check_emergency([action], policy=ATLAS)
    assert exc.value.code is ErrorCode.PRIME_EMERGENCY_INVALID_ACTION


def test_emergency_on_an_unknown_pool_refused() -> None:
    with pytest.raises(ProtocolError) as exc:
        check_emergency([_em(EmergencyKind.BLOCK_DRAWS, pool_id="nope")], policy=ATLAS)
    assert exc.value.code is ErrorCode.PRIME_UNKNOWN_POOL


def test_emergency_demands_immediate_repayment_even_of_a_fixed_loan() -> None:
    actions = [
        _em(EmergencyKind.DEMAND_REPAYMENT, loan_id="F"),
        _em(EmergencyKind.LIQUIDATE_POSITION, position_id="risky"),
    ]
    check_emergency(actions, policy=ATLAS)
    (n,) = emergency_notices(actions, LOANS, ACCOUNTS)
    assert (n.loan_id, n.trigger, n.action, n.effective_ts_s) == (
        "F", RecallTrigger.EMERGENCY, RecallAction.ACCELERATE, NOW,
    )  # fmt: skip
    assert NOW < TERM_END  # before the agreed term end
    assert n.liquidation_allowed
    with pytest.raises(ProtocolError):
        emergency_notices([_em(EmergencyKind.DEMAND_REPAYMENT, loan_id="nope")], LOANS, ACCOUNTS)


# --- cross-default ------------------------------------------------------------------------


def test_cross_default_accelerates_the_borrowers_other_loans() -> None:
    notices = _by_loan(cross_default_notices("D", LOANS, ACCOUNTS, now_ts_s=NOW))
    assert set(notices) == {"F", "E"}  # same borrower, other account too; not "O", not closed
    for n in notices.values():
        assert (n.trigger, n.action, n.effective_ts_s) == (
            RecallTrigger.CROSS_DEFAULT, RecallAction.ACCELERATE, NOW,
        )  # fmt: skip
        assert "'D'" in n.reason
    assert cross_default_notices("O", LOANS, ACCOUNTS, now_ts_s=NOW) == ()
    with pytest.raises(ProtocolError) as exc:
        cross_default_notices("missing", LOANS, ACCOUNTS, now_ts_s=NOW)
    assert exc.value.code is ErrorCode.PRIME_RECALL_INVALID_INPUT


def test_checks_change_nothing() -> None:
    snapshot = (LOANS, dict(ACCOUNTS))
    insolvency_notices(borrower(insolvent=True), LOANS, ACCOUNTS, now_ts_s=NOW)
    cross_default_notices("D", LOANS, ACCOUNTS, now_ts_s=NOW)
    assert (LOANS, dict(ACCOUNTS)) == snapshot
    assert all(isinstance(ln, Loan) for ln in LOANS)

"""Spark Prime loans (Atlas A.6.1.1.1.3.7 P7/2/1, P7/2/4; spark-prime.md §1.1, §1.5, §1.10).

No upstream test suite exists (the rules are Atlas text and term sheets). The accrual cases
are worked out by hand in the comments (simple interest per second, actual/365, rounded up:
ceil(P * r_bps * t / (1e4 * 31_536_000))); the floor-history cases replay the two Atlas rules
with their dates; every borrower gate and term rule has its own refusal.
"""

from __future__ import annotations

import doctest
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.prime import loans
from sparkprime.prime.book import KycStatus, Loan, LoanKind
from sparkprime.prime.loans import (
    SECONDS_PER_YEAR,
    RepaySplit,
    Stage,
    accrue,
    check_borrower,
    debt_at,
    draw,
    earliest_recall_ts_s,
    interest_for,
    is_due,
    originate,
    repay,
    rollover,
)
from tests.prime.loans_support import DAY, PR138, SAEP15, account, borrower, history, loan, ts

FUZZ = max(1, int(os.environ.get("SPARKPRIME_FUZZ", "1")))
USDC = 10**6  # base units per USDC
FEB = ts(2026, 2, 1)
AUG = ts(2026, 8, 1)


def test_doctests() -> None:
    assert doctest.testmod(loans).failed == 0


# --- accrual: numbers by hand -------------------------------------------------------------


def test_seconds_per_year_is_actual_365() -> None:
    assert SECONDS_PER_YEAR == 31_536_000


def test_one_day_on_a_million_at_5pct() -> None:
    # 1e12 * 500 * 86_400 = 4.32e19; / (1e4 * 31_536_000 = 3.1536e11) = 136_986_301.37
    # -> rounded up: 136_986_302 base units = 136.986302 USDC.
    after = accrue(loan(), now_ts_s=DAY)
    assert after.accrued_interest == 136_986_302
    assert after.last_accrual_ts_s == DAY
    assert after.principal == 10**12


def test_one_year_is_exactly_the_rate() -> None:
    # 1e12 * 500 * 31_536_000 / (1e4 * 31_536_000) = 5e10 exactly: 50,000 USDC, no rounding.
    assert accrue(loan(), now_ts_s=SECONDS_PER_YEAR).accrued_interest == 50_000 * USDC


def test_dust_rounds_up_against_the_borrower() -> None:
    # 100 USDC at 1 bp for 1 s: 1e8 * 1 * 1 / 3.1536e11 = 0.000317 -> 1 base unit.
    assert interest_for(100 * USDC, 1, 1) == 1
    assert accrue(loan(principal=100 * USDC, rate_bps=1), now_ts_s=1).accrued_interest == 1


def test_accrual_steps_round_up_each_time() -> None:
    # Two one-day steps: 2 * 136_986_302 = 273_972_604. One two-day step:
    # 1e12 * 500 * 172_800 / 3.1536e11 = 273_972_602.74 -> 273_972_603. One unit per step.
    stepped = accrue(accrue(loan(), now_ts_s=DAY), now_ts_s=2 * DAY)
    assert stepped.accrued_interest == 273_972_604
    assert accrue(loan(), now_ts_s=2 * DAY).accrued_interest == 273_972_603
    # debt_at reads without persisting: the record keeps its accrual time.
    one = accrue(loan(), now_ts_s=DAY)
    assert debt_at(one, now_ts_s=2 * DAY) == 10**12 + 273_972_604
    assert one.last_accrual_ts_s == DAY


def test_interest_does_not_compound() -> None:
    # Accrued interest of 50,000 USDC earns nothing: the next year adds 50,000 USDC again.
    year = accrue(loan(), now_ts_s=SECONDS_PER_YEAR)
    assert accrue(year, now_ts_s=2 * SECONDS_PER_YEAR).accrued_interest == 100_000 * USDC


def test_accrual_cannot_go_back_in_time() -> None:
    one = accrue(loan(), now_ts_s=DAY)
    with pytest.raises(ProtocolError) as exc:
        accrue(one, now_ts_s=DAY - 1)
    assert exc.value.code is ErrorCode.CLOCK_WENT_BACKWARDS


# --- draws and repayments -----------------------------------------------------------------


def test_repay_pays_interest_first() -> None:
    # After a day: interest 136_986_302. Repaying 200 USDC = 200_000_000: interest
    # 136_986_302, principal 200_000_000 - 136_986_302 = 63_013_698;
    # principal left 1e12 - 63_013_698 = 999_936_986_302.
    after, split = repay(loan(), 200 * USDC, now_ts_s=DAY)
    assert split == RepaySplit(interest=136_986_302, principal=63_013_698)
    assert after.accrued_interest == 0
    assert after.principal == 999_936_986_302


def test_repay_less_than_interest_leaves_principal() -> None:
    after, split = repay(loan(), 100 * USDC, now_ts_s=DAY)
    assert split == RepaySplit(interest=100 * USDC, principal=0)
    assert after.accrued_interest == 36_986_302  # 136_986_302 - 100_000_000
    assert after.principal == 10**12


def test_repay_in_full_and_not_more() -> None:
    debt = debt_at(loan(), now_ts_s=DAY)
    assert debt == 1_000_136_986_302
    with pytest.raises(ProtocolError) as exc:
        repay(loan(), debt + 1, now_ts_s=DAY)
    assert exc.value.code is ErrorCode.PRIME_LOAN_REPAY_EXCEEDS_DEBT
    assert exc.value.context["debt"] == debt
    closed, _ = repay(loan(), debt, now_ts_s=DAY)
    assert (closed.principal, closed.accrued_interest) == (0, 0)


def test_draw_accrues_first_then_adds_principal() -> None:
    # A day at 1e12 (136_986_302 interest), then 5e11 more: the next day accrues on 1.5e12:
    # 1.5e12 * 500 * 86_400 / 3.1536e11 = 205_479_452.05 -> 205_479_453.
    drawn = draw(loan(), 500_000 * USDC, now_ts_s=DAY)
    assert drawn.principal == 1_500_000 * USDC
    assert drawn.accrued_interest == 136_986_302
    assert accrue(drawn, now_ts_s=2 * DAY).accrued_interest == 136_986_302 + 205_479_453


@pytest.mark.parametrize("amount", [0, -1])
def test_bad_amounts_refused(amount: int) -> None:
    for call in (
        lambda: draw(loan(), amount, now_ts_s=DAY),
        lambda: repay(loan(), amount, now_ts_s=DAY),
    ):
        with pytest.raises(ProtocolError) as exc:
            call()
        assert exc.value.code is ErrorCode.PRIME_LOAN_INVALID_AMOUNT


def test_draw_blocked_by_emergency_or_recall() -> None:
    with pytest.raises(ProtocolError) as exc:
        draw(loan(), USDC, now_ts_s=DAY, blocked_reason="emergency: draws blocked")
    assert exc.value.code is ErrorCode.PRIME_LOAN_DRAWS_BLOCKED
    assert "emergency" in exc.value.message


def test_fixed_term_draws_stop_at_term_end() -> None:
    fixed = loan(kind=LoanKind.FIXED, term_s=30 * DAY)
    assert draw(fixed, USDC, now_ts_s=30 * DAY - 1).principal == 10**12 + USDC
    with pytest.raises(ProtocolError) as exc:
        draw(fixed, USDC, now_ts_s=30 * DAY)
    assert exc.value.code is ErrorCode.PRIME_LOAN_TERM_ENDED


# --- durations ----------------------------------------------------------------------------


def test_due_and_earliest_recall_by_kind() -> None:
    fixed = loan(kind=LoanKind.FIXED, term_s=30 * DAY)
    assert not is_due(fixed, now_ts_s=30 * DAY - 1)
    assert is_due(fixed, now_ts_s=30 * DAY)
    assert earliest_recall_ts_s(fixed, now_ts_s=DAY) == 30 * DAY  # respects the term
    assert earliest_recall_ts_s(fixed, now_ts_s=40 * DAY) == 40 * DAY
    for kind in (LoanKind.EVERGREEN, LoanKind.DEMAND):
        open_ended = loan(kind=kind)
        assert not is_due(open_ended, now_ts_s=10 * SECONDS_PER_YEAR)  # runs until recalled
        assert earliest_recall_ts_s(open_ended, now_ts_s=DAY) == DAY  # callable now


def _originate(**kw: object) -> Loan:
    args: dict[str, object] = {
        "loan_id": "L1",
        "account": account(),
        "borrower": borrower(),
        "principal": 10**12,
        "rate_bps": 700,
        "kind": LoanKind.EVERGREEN,
        "now_ts_s": AUG,
        "policy": history(),
        "ssr_bps": 450,
        "sofr_bps": 400,
    }
    args.update(kw)
    return originate(**args)  # type: ignore[arg-type]


def test_originate_evergreen_and_fixed() -> None:
    ever = _originate()
    assert (ever.kind, ever.term_end_ts_s, ever.originated_ts_s) == (
        LoanKind.EVERGREEN, None, AUG,
    )  # fmt: skip
    fixed = _originate(kind=LoanKind.FIXED, term_s=30 * DAY)
    assert fixed.term_end_ts_s == AUG + 30 * DAY


@pytest.mark.parametrize(
    ("kind", "term_s"),
    [
        (LoanKind.FIXED, 30 * DAY + 1),  # over 1 month (Atlas: fixed term up to 1 month)
        (LoanKind.FIXED, 0),
        (LoanKind.FIXED, None),
        (LoanKind.EVERGREEN, DAY),  # evergreen/demand loans have no fixed term
        (LoanKind.DEMAND, DAY),
    ],
)
def test_term_rules(kind: LoanKind, term_s: int | None) -> None:
    with pytest.raises(ProtocolError) as exc:
        _originate(kind=kind, term_s=term_s)
    assert exc.value.code is ErrorCode.PRIME_LOAN_INVALID_TERM


def test_account_must_belong_to_borrower() -> None:
    with pytest.raises(ProtocolError) as exc:
        _originate(account=account(borrower_id="someone-else"))
    assert exc.value.code is ErrorCode.PRIME_LOAN_INVALID_TERM


# --- borrower gates -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"kyc": KycStatus.PENDING}, ErrorCode.PRIME_LOAN_KYC_NOT_APPROVED),
        ({"kyc": KycStatus.REJECTED}, ErrorCode.PRIME_LOAN_KYC_NOT_APPROVED),
        ({"kyc": KycStatus.EXPIRED}, ErrorCode.PRIME_LOAN_KYC_NOT_APPROVED),
        ({"sanctioned": True}, ErrorCode.PRIME_LOAN_BORROWER_SANCTIONED),
        ({"insolvent": True}, ErrorCode.PRIME_LOAN_BORROWER_INSOLVENT),
        ({"in_administration": True}, ErrorCode.PRIME_LOAN_BORROWER_INSOLVENT),
        ({"solvency_attested_ts_s": None}, ErrorCode.PRIME_LOAN_SOLVENCY_NOT_ATTESTED),
        ({"solvency_attested_ts_s": AUG + 1}, ErrorCode.PRIME_LOAN_SOLVENCY_NOT_ATTESTED),
    ],
)
def test_origination_gates(changes: dict[str, object], code: ErrorCode) -> None:
    with pytest.raises(ProtocolError) as exc:
        _originate(borrower=borrower(**changes))
    assert exc.value.code is code
    assert exc.value.context["stage"] is Stage.ORIGINATION


def test_renewal_needs_a_fresh_solvency_attestation() -> None:
    fixed = _originate(kind=LoanKind.FIXED, term_s=30 * DAY)
    end = AUG + 30 * DAY
    stale = borrower(solvency_attested_ts_s=AUG - 1)  # before the terms being renewed began
    with pytest.raises(ProtocolError) as exc:
        rollover(fixed, borrower=stale, now_ts_s=end, policy=history(), ssr_bps=450, sofr_bps=400)
    assert exc.value.code is ErrorCode.PRIME_LOAN_SOLVENCY_NOT_ATTESTED
    assert exc.value.context["stage"] is Stage.RENEWAL
    fresh = borrower(solvency_attested_ts_s=end)
    renewed = rollover(
        fixed, borrower=fresh, now_ts_s=end, policy=history(), ssr_bps=450, sofr_bps=400
    )
    assert renewed.term_end_ts_s == end + 30 * DAY  # the same term again


def test_renewal_refused_for_insolvent_borrower() -> None:
    fixed = _originate(kind=LoanKind.FIXED, term_s=30 * DAY)
    end = AUG + 30 * DAY
    with pytest.raises(ProtocolError) as exc:
        rollover(
            fixed, borrower=borrower(insolvent=True, solvency_attested_ts_s=end),
            now_ts_s=end, policy=history(), ssr_bps=450, sofr_bps=400,
        )  # fmt: skip
    assert exc.value.code is ErrorCode.PRIME_LOAN_BORROWER_INSOLVENT


def test_check_borrower_passes_a_good_borrower() -> None:
    check_borrower(borrower(), stage=Stage.ORIGINATION, now_ts_s=0)


# --- the floor and its history ------------------------------------------------------------


def test_feb_2026_loan_at_ssr_plus_2_1_passes_old_rule_then_new_rule_at_renewal() -> None:
    # Feb 2026, SSR 4.5 %, SOFR 4.0 %: old floor max(4.5 + 2, 4.0 + 2.5) = 6.5 % = 650 bps.
    # A rate of SSR + 2.1 % = 660 bps passes; 649 fails.
    feb = _originate(now_ts_s=FEB, rate_bps=660, kind=LoanKind.FIXED, term_s=28 * DAY)
    with pytest.raises(ProtocolError) as exc:
        _originate(now_ts_s=FEB, rate_bps=649)
    assert exc.value.code is ErrorCode.PRIME_LOAN_RATE_BELOW_FLOOR
    assert exc.value.context["floor_bps"] == 650
    # Renewal on 2026-08-01 (after SAEP-15): the floor is max(4.5 + 0.3, 4.0) = 4.8 %, and the
    # loan may renew at SSR + 0.5 % = 500 bps, which the old rule would have refused.
    later = feb.term_end_ts_s or 0
    renew_at = max(later, AUG)
    fresh = borrower(solvency_attested_ts_s=renew_at)
    renewed = rollover(
        feb, borrower=fresh, now_ts_s=renew_at, policy=history(), ssr_bps=450, sofr_bps=400,
        rate_bps=500,
    )  # fmt: skip
    assert renewed.rate_bps == 500
    with pytest.raises(ProtocolError) as exc2:
        rollover(
            feb, borrower=fresh, now_ts_s=renew_at, policy=history(), ssr_bps=450,
            sofr_bps=400, rate_bps=479,
        )  # fmt: skip
    assert exc2.value.context["floor_bps"] == 480
    assert exc2.value.context["stage"] is Stage.RENEWAL
    with pytest.raises(ProtocolError) as exc3:
        _originate(now_ts_s=FEB, rate_bps=500)  # the same 500 bps in February: refused
    assert exc3.value.context["floor_bps"] == 650


def test_floor_history_with_a_single_policy_and_with_the_history() -> None:
    # The SAEP-15 policy carries both dated rules; PR #138's only the old one.
    for source in (history(), SAEP15):
        with pytest.raises(ProtocolError) as exc:
            _originate(now_ts_s=FEB, rate_bps=600, policy=source)
        assert exc.value.context["floor_bps"] == 650
    assert _originate(now_ts_s=AUG, rate_bps=480, policy=SAEP15).rate_bps == 480
    # PR #138 on its own keeps the old rule in August too.
    with pytest.raises(ProtocolError) as exc2:
        _originate(now_ts_s=AUG, rate_bps=480, policy=PR138)
    assert exc2.value.context["floor_bps"] == 650


def test_sofr_side_of_the_floor() -> None:
    # SOFR 5.0 % > SSR 4.5 % + 0.3 %: the floor is SOFR itself, 500 bps.
    with pytest.raises(ProtocolError) as exc:
        _originate(rate_bps=499, ssr_bps=450, sofr_bps=500)
    assert exc.value.context["floor_bps"] == 500
    assert _originate(rate_bps=500, ssr_bps=450, sofr_bps=500).rate_bps == 500


def test_renewal_refused_when_benchmarks_rose() -> None:
    fixed = _originate(rate_bps=500, kind=LoanKind.FIXED, term_s=30 * DAY)
    end = AUG + 30 * DAY
    with pytest.raises(ProtocolError) as exc:
        rollover(
            fixed, borrower=borrower(solvency_attested_ts_s=end), now_ts_s=end,
            policy=history(), ssr_bps=600, sofr_bps=400,
        )  # fmt: skip
    assert exc.value.code is ErrorCode.PRIME_LOAN_RATE_BELOW_FLOOR
    assert exc.value.context["floor_bps"] == 630


def test_fixed_rollover_only_at_term_end() -> None:
    fixed = _originate(kind=LoanKind.FIXED, term_s=30 * DAY)
    with pytest.raises(ProtocolError) as exc:
        rollover(
            fixed, borrower=borrower(solvency_attested_ts_s=AUG), now_ts_s=AUG + 30 * DAY - 1,
            policy=history(), ssr_bps=450, sofr_bps=400,
        )  # fmt: skip
    assert exc.value.code is ErrorCode.PRIME_LOAN_NOT_AT_TERM_END


def test_rollover_carries_interest_and_can_change_terms() -> None:
    # 30 days at 700 bps on 1e12: 1e12 * 700 * 2_592_000 / 3.1536e11 = 5_753_424_657.5
    # -> 5_753_424_658 carried over; the renewal switches to an evergreen loan.
    fixed = _originate(kind=LoanKind.FIXED, term_s=30 * DAY)
    end = AUG + 30 * DAY
    renewed = rollover(
        fixed, borrower=borrower(solvency_attested_ts_s=end), now_ts_s=end, policy=history(),
        ssr_bps=450, sofr_bps=400, kind=LoanKind.EVERGREEN,
    )  # fmt: skip
    assert renewed.accrued_interest == 5_753_424_658
    assert renewed.principal == 10**12
    assert (renewed.kind, renewed.term_end_ts_s, renewed.originated_ts_s) == (
        LoanKind.EVERGREEN, None, end,
    )  # fmt: skip


def test_fixed_rollover_term_limited_by_policy() -> None:
    fixed = _originate(kind=LoanKind.FIXED, term_s=30 * DAY)
    end = AUG + 30 * DAY
    with pytest.raises(ProtocolError) as exc:
        rollover(
            fixed, borrower=borrower(solvency_attested_ts_s=end), now_ts_s=end,
            policy=history(), ssr_bps=450, sofr_bps=400, term_s=31 * DAY,
        )  # fmt: skip
    assert exc.value.code is ErrorCode.PRIME_LOAN_INVALID_TERM


# --- properties ---------------------------------------------------------------------------

_principal = st.integers(min_value=0, max_value=10**18)
_rate = st.integers(min_value=0, max_value=10_000)
_t = st.integers(min_value=0, max_value=10 * SECONDS_PER_YEAR)


@settings(max_examples=200 * FUZZ, deadline=None)
@given(_principal, _rate, _rate, _t, _t)
def test_accrual_monotone_in_time_and_rate(p: int, r1: int, r2: int, t1: int, t2: int) -> None:
    lo_r, hi_r = sorted((r1, r2))
    lo_t, hi_t = sorted((t1, t2))
    assert interest_for(p, lo_r, lo_t) <= interest_for(p, hi_r, lo_t)
    assert interest_for(p, lo_r, lo_t) <= interest_for(p, lo_r, hi_t)
    # Rounded up, never by more than one unit: exact * D <= I * D < exact * D + D.
    i = interest_for(p, hi_r, hi_t)
    exact_num = p * hi_r * hi_t
    d = 10_000 * SECONDS_PER_YEAR
    assert exact_num <= i * d < exact_num + d


@settings(max_examples=200 * FUZZ, deadline=None)
@given(_principal, _rate, st.lists(_t, min_size=1, max_size=5))
def test_stepped_accrual_never_below_one_step(p: int, r: int, steps: list[int]) -> None:
    times = sorted(steps)
    stepped = loan(principal=p, rate_bps=r)
    for t in times:
        stepped = accrue(stepped, now_ts_s=t)
    once = accrue(loan(principal=p, rate_bps=r), now_ts_s=times[-1])
    nonzero_steps = len({t for t in times if t > 0})
    assert once.accrued_interest <= stepped.accrued_interest
    assert stepped.accrued_interest <= once.accrued_interest + nonzero_steps


@settings(max_examples=200 * FUZZ, deadline=None)
@given(_principal, _rate, _t, st.integers(min_value=-10, max_value=2 * 10**18))
def test_repay_never_negative_and_conserves(p: int, r: int, t: int, amount: int) -> None:
    before = loan(principal=p, rate_bps=r)
    snapshot = before
    debt = debt_at(before, now_ts_s=t)
    if 0 < amount <= debt:
        after, split = repay(before, amount, now_ts_s=t)
        assert after.principal >= 0
        assert after.accrued_interest >= 0
        assert split.interest + split.principal == amount
        assert after.principal + after.accrued_interest == debt - amount
        # Interest first: principal is touched only once the interest is paid off.
        assert split.principal == 0 or after.accrued_interest == 0
    else:
        with pytest.raises(ProtocolError):
            repay(before, amount, now_ts_s=t)
    assert before == snapshot


@settings(max_examples=100 * FUZZ, deadline=None)
@given(_rate, st.integers(min_value=-100, max_value=2_000), st.integers(0, 2_000))
def test_refused_origination_changes_nothing(rate: int, ssr: int, sofr: int) -> None:
    b, a, h = borrower(), account(), history()
    snapshot = (b, a, h)
    floor = max(ssr + 30, sofr)
    if rate >= floor:
        made = _originate(rate_bps=rate, ssr_bps=ssr, sofr_bps=sofr, borrower=b, account=a)
        assert made.rate_bps == rate
    else:
        with pytest.raises(ProtocolError) as exc:
            _originate(rate_bps=rate, ssr_bps=ssr, sofr_bps=sofr, borrower=b, account=a)
        assert exc.value.context["floor_bps"] == floor
    assert (b, a, h) == snapshot

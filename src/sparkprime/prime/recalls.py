"""Recall and acceleration: the five Atlas triggers, the emergency actions and cross-default.

Atlas A.6.1.1.1.3.7 P7/2/5/1..5 and P7/2/1 (sky-ecosystem/next-gen-atlas snapshot `4101dc75`;
spark-prime.md §1.1, §1.6), and the cross-default rule of the sibling Offchain Collateralized
Lending policy (A.6.1.1.1.3.8 P8/2/5/2, §1.11), applied to Spark Prime loans in general:

1. **insolvency or administration**: every loan of the borrower is due at once
   (ACCELERATE), and collateral may be liquidated if it is not repaid promptly;
2. **unapproved products**: penalised in margin (+-100 %, `prime.margin`); repeated or
   serious use leads to recall and liquidation of the positions. The Atlas sets no number, so
   the threshold is a documented parameter (`UnapprovedRule`): *serious* = unapproved
   notional (longs plus shorts, never offset) above `serious_share_bps` (default 10 %) of the
   account's stress-tested value (or any when that value is <= 0); *repeated* = seen in each
   of the last `repeat_checks` (default 3) margin checks;
3. **borrow-rate shortfall**: the rate is below the floor now in force (the benchmarks rose,
   or a variable rate fell): recall or adjust the rate at the earliest opportunity, i.e. the
   next permitted date (now for demand and evergreen loans, the term end for fixed ones);
4. **non-emergency parameter change**: a loan that conformed to the old policy but not to the
   new one is recalled at the earliest opportunity while respecting the agreed duration;
5. **emergency** ("immediate and severe risk of capital impairment"): Spark and Arkis may at
   once block new loans or draws, raise haircuts or margin requirements, demand immediate
   repayment, or liquidate high-risk positions: `prime.emergency` (`EmergencyAction` records
   the engine applies; a demanded repayment becomes a notice here);
6. **cross-default**: a default or liquidation on one loan lets Spark accelerate the
   borrower's other loans.

Every check is a pure function over the book's records returning `RecallNotice`s (what Spark
may do, and from when); it changes nothing.

Example:
    >>> from sparkprime.prime.book import Account, Loan, LoanKind
    >>> accounts = {"a1": Account(account_id="a1", borrower_id="fund", pool_id="usdc")}
    >>> loans = [Loan(loan_id=f"L{i}", account_id="a1", principal=10**6, rate_bps=500,
    ...               kind=LoanKind.DEMAND, originated_ts_s=0, term_end_ts_s=None,
    ...               accrued_interest=0, last_accrual_ts_s=0) for i in (1, 2)]
    >>> [n.loan_id for n in cross_default_notices("L1", loans, accounts, now_ts_s=5)]
    ['L2']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.prime.book import Account, Borrower, Loan, LoanKind, Position
from sparkprime.prime.exposure import Exposure
from sparkprime.prime.loans import date_of, earliest_recall_ts_s
from sparkprime.prime.policy import BPS, Policy

__all__ = [
    "RecallAction",
    "RecallNotice",
    "RecallTrigger",
    "UnapprovedObservation",
    "UnapprovedRule",
    "cross_default_notices",
    "insolvency_notices",
    "observe_unapproved",
    "parameter_change_notices",
    "rate_shortfall_notices",
    "recall_notice",
    "unapproved_notices",
]


class RecallTrigger(StrEnum):
    INSOLVENCY = "insolvency"  # P7/2/5/1
    UNAPPROVED_PRODUCTS = "unapproved_products"  # P7/2/5/2
    RATE_SHORTFALL = "rate_shortfall"  # P7/2/5/3
    PARAMETER_CHANGE = "parameter_change"  # P7/2/5/4
    EMERGENCY = "emergency"  # P7/2/5/5
    CROSS_DEFAULT = "cross_default"  # P8/2/5/2


class RecallAction(StrEnum):
    ACCELERATE = "accelerate"  # everything owed is due at effective_ts_s (now)
    RECALL = "recall"  # repay in full by effective_ts_s
    ADJUST_RATE_OR_RECALL = "adjust_rate_or_recall"  # re-rate to >= min_rate_bps, or recall


@dataclass(frozen=True, slots=True, kw_only=True)
class RecallNotice:
    """What Spark may do with one loan, from when, and why."""

    loan_id: str
    borrower_id: str
    trigger: RecallTrigger
    action: RecallAction
    effective_ts_s: int
    reason: str
    liquidation_allowed: bool = False
    min_rate_bps: int | None = None  # ADJUST_RATE_OR_RECALL: the floor to meet


def _borrower_of(loan: Loan, accounts: Mapping[str, Account]) -> str:
    account = accounts.get(loan.account_id)
    if account is None:
        raise ProtocolError(
            ErrorCode.PRIME_RECALL_INVALID_INPUT,
            field="accounts",
            reason=f"loan {loan.loan_id!r}: account {loan.account_id!r} is unknown",
        )
    return account.borrower_id


def recall_notice(
    loan: Loan,
    accounts: Mapping[str, Account],
    *,
    trigger: RecallTrigger,
    action: RecallAction,
    effective_ts_s: int,
    reason: str,
    liquidation_allowed: bool = False,
    min_rate_bps: int | None = None,
) -> RecallNotice:
    """A notice for `loan`, its borrower found through `accounts`."""
    return RecallNotice(
        loan_id=loan.loan_id,
        borrower_id=_borrower_of(loan, accounts),
        trigger=trigger,
        action=action,
        effective_ts_s=effective_ts_s,
        reason=reason,
        liquidation_allowed=liquidation_allowed,
        min_rate_bps=min_rate_bps,
    )


def _open(loans: Iterable[Loan]) -> list[Loan]:
    return [ln for ln in loans if ln.principal or ln.accrued_interest]


# --- 1. insolvency or administration ------------------------------------------------------


def insolvency_notices(
    borrower: Borrower, loans: Iterable[Loan], accounts: Mapping[str, Account], *, now_ts_s: int
) -> tuple[RecallNotice, ...]:
    """Every open loan of an insolvent borrower (or one in administration): due now,
    liquidation allowed."""
    if not (borrower.insolvent or borrower.in_administration):
        return ()
    state = "insolvent" if borrower.insolvent else "in administration"
    return tuple(
        recall_notice(
            ln,
            accounts,
            trigger=RecallTrigger.INSOLVENCY,
            action=RecallAction.ACCELERATE,
            effective_ts_s=now_ts_s,
            liquidation_allowed=True,
            reason=f"borrower {borrower.borrower_id!r} is {state}: all debts due immediately",
        )
        for ln in _open(loans)
        if _borrower_of(ln, accounts) == borrower.borrower_id
    )


# --- 2. unapproved products ---------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class UnapprovedRule:
    """When unapproved use is *serious* or *repeated* (a documented choice: the Atlas gives
    no number)."""

    serious_share_bps: int = 1_000
    repeat_checks: int = 3

    def __post_init__(self) -> None:
        if not 0 < self.serious_share_bps <= BPS or self.repeat_checks < 1:
            raise ProtocolError(
                ErrorCode.PRIME_RECALL_INVALID_INPUT,
                field="UnapprovedRule",
                reason="serious_share_bps must be 1..10000 and repeat_checks >= 1",
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class UnapprovedObservation:
    """One margin check's unapproved notional (longs plus shorts) and stress-tested value."""

    ts_s: int
    unapproved_usd_wad: int
    stpv_usd_wad: int


def observe_unapproved(
    exposures: Iterable[Exposure], *, stpv_usd_wad: int, ts_s: int
) -> UnapprovedObservation:
    """Sum the sizes of an account's unapproved exposures (longs and shorts, never offset)."""
    total = sum(abs(e.notional_usd_wad) for e in exposures if not e.approved)
    return UnapprovedObservation(ts_s=ts_s, unapproved_usd_wad=total, stpv_usd_wad=stpv_usd_wad)


def unapproved_notices(
    account: Account,
    loans: Iterable[Loan],
    history: Sequence[UnapprovedObservation],
    *,
    now_ts_s: int,
    rule: UnapprovedRule | None = None,
) -> tuple[RecallNotice, ...]:
    """Recall the account's loans (liquidation of the positions allowed) when its unapproved
    use is serious in the latest check or repeated over the last `repeat_checks` checks."""
    rule = rule or UnapprovedRule()
    if not history:
        return ()
    last = history[-1]
    why = ""
    serious = last.unapproved_usd_wad > 0 and (
        last.stpv_usd_wad <= 0
        or last.unapproved_usd_wad * BPS > rule.serious_share_bps * last.stpv_usd_wad
    )
    tail = history[-rule.repeat_checks :]
    if serious:
        why = (
            f"serious: unapproved {last.unapproved_usd_wad} USD-wad is more than "
            f"{rule.serious_share_bps} bps of the stress-tested value {last.stpv_usd_wad}"
        )
    elif len(tail) == rule.repeat_checks and all(o.unapproved_usd_wad > 0 for o in tail):
        why = f"repeated: unapproved products in each of the last {rule.repeat_checks} checks"
    if not why:
        return ()
    accounts = {account.account_id: account}
    return tuple(
        recall_notice(
            ln,
            accounts,
            trigger=RecallTrigger.UNAPPROVED_PRODUCTS,
            action=RecallAction.RECALL,
            effective_ts_s=earliest_recall_ts_s(ln, now_ts_s=now_ts_s),
            liquidation_allowed=True,
            reason=why,
        )
        for ln in _open(loans)
        if ln.account_id == account.account_id
    )


# --- 3. borrow-rate shortfall -------------------------------------------------------------


def rate_shortfall_notices(
    loans: Iterable[Loan],
    accounts: Mapping[str, Account],
    *,
    policy: Policy,
    now_ts_s: int,
    ssr_bps: int,
    sofr_bps: int,
    current_rates_bps: Mapping[str, int] | None = None,
) -> tuple[RecallNotice, ...]:
    """Loans whose rate (or, for a variable rate, `current_rates_bps[loan_id]`) is below the
    floor in force: adjust or recall at the next permitted date."""
    at = date_of(now_ts_s)
    floor = policy.rate_floor_bps(at=at, ssr_bps=ssr_bps, sofr_bps=sofr_bps)
    rates = current_rates_bps or {}
    out = []
    for ln in _open(loans):
        rate = rates.get(ln.loan_id, ln.rate_bps)
        if rate < floor:
            out.append(recall_notice(
                ln, accounts, trigger=RecallTrigger.RATE_SHORTFALL,
                action=RecallAction.ADJUST_RATE_OR_RECALL,
                effective_ts_s=earliest_recall_ts_s(ln, now_ts_s=now_ts_s), min_rate_bps=floor,
                reason=f"rate {rate} bps is below the floor {floor} bps on {at} "
                f"(SSR {ssr_bps}, SOFR {sofr_bps})",
            ))  # fmt: skip
    return tuple(out)


# --- 4. non-emergency parameter change ----------------------------------------------------


def _nonconformity(
    loan: Loan, positions: Sequence[Position], policy: Policy, *, floor_bps: int
) -> list[str]:
    issues = []
    if loan.kind is LoanKind.FIXED and loan.term_end_ts_s is not None:
        term = loan.term_end_ts_s - loan.originated_ts_s
        if term > policy.loan_max_fixed_term_s:
            issues.append(f"fixed term {term} s > {policy.loan_max_fixed_term_s} s")
    if loan.rate_bps < floor_bps:
        issues.append(f"rate {loan.rate_bps} bps < floor {floor_bps} bps")
    for p in positions:
        if p.account_id == loan.account_id and policy.group_of(p.symbol) is None:
            issues.append(f"position {p.position_id!r}: {p.symbol} is not approved")
    return issues


def parameter_change_notices(
    loans: Iterable[Loan],
    accounts: Mapping[str, Account],
    *,
    old_policy: Policy,
    new_policy: Policy,
    now_ts_s: int,
    ssr_bps: int,
    sofr_bps: int,
    positions: Sequence[Position] = (),
) -> tuple[RecallNotice, ...]:
    """Loans that conformed to `old_policy` and do not conform to `new_policy` (fixed term,
    rate floor, an account position in an asset no longer approved): recalled at the
    earliest date that respects the agreed duration."""
    at = date_of(now_ts_s)
    old_floor = old_policy.rate_floor_bps(at=at, ssr_bps=ssr_bps, sofr_bps=sofr_bps)
    new_floor = new_policy.rate_floor_bps(at=at, ssr_bps=ssr_bps, sofr_bps=sofr_bps)
    out = []
    for ln in _open(loans):
        before = _nonconformity(ln, positions, old_policy, floor_bps=old_floor)
        after = [i for i in _nonconformity(ln, positions, new_policy, floor_bps=new_floor)
                 if i not in before]  # fmt: skip
        if after:
            out.append(recall_notice(
                ln, accounts, trigger=RecallTrigger.PARAMETER_CHANGE, action=RecallAction.RECALL,
                effective_ts_s=earliest_recall_ts_s(ln, now_ts_s=now_ts_s),
                reason=f"policy {old_policy.version} -> {new_policy.version}: "
                + "; ".join(after),
            ))  # fmt: skip
    return tuple(out)


# --- cross-default ------------------------------------------------------------------------


def cross_default_notices(
    defaulted_loan_id: str,
    loans: Iterable[Loan],
    accounts: Mapping[str, Account],
    *,
    now_ts_s: int,
) -> tuple[RecallNotice, ...]:
    """A default or liquidation on `defaulted_loan_id`: the borrower's other open loans may be
    accelerated."""
    loans = tuple(loans)
    defaulted = next((ln for ln in loans if ln.loan_id == defaulted_loan_id), None)
    if defaulted is None:
        raise ProtocolError(
            ErrorCode.PRIME_RECALL_INVALID_INPUT,
            field="defaulted_loan_id",
            reason=f"no loan {defaulted_loan_id!r}",
        )
    borrower_id = _borrower_of(defaulted, accounts)
    return tuple(
        recall_notice(
            ln,
            accounts,
            trigger=RecallTrigger.CROSS_DEFAULT,
            action=RecallAction.ACCELERATE,
            effective_ts_s=now_ts_s,
            reason=f"cross-default: loan {defaulted_loan_id!r} defaulted or was liquidated",
        )
        for ln in _open(loans)
        if ln.loan_id != defaulted_loan_id and _borrower_of(ln, accounts) == borrower_id
    )

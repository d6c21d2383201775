"""Spark Prime loans: origination, accrual, draws, repayments, rollover, floor and borrower gates.

Atlas A.6.1.1.1.3.7 (sky-ecosystem/next-gen-atlas snapshot `4101dc75`; spark-prime.md §1.1,
§1.5, §1.10): P7/2/1 (counterparties: KYC/KYB, no sanctions, not insolvent at origination or
renewal, solvency self-certified in the loan agreement), P7/2/4 (durations: revolving /
evergreen / demand, or fixed term up to 1 month; at term end a loan is repaid, rolled over
by mutual agreement, or evergreen; the borrow rate is the minimum annual rate on the
outstanding balance and never below the floor, measured at issuance or renewal), P7/2/4/2/2
(the floor: max(SSR + 0.3 %, SOFR) since SAEP-15, 2026-07-09; max(SSR + 2 %, SOFR + 2.5 %)
from PR #138, 2025-12-11; both are dated `RateFloorRule`s in `prime.policy`).

Accrual (a documented choice; the Atlas fixes the floor, not the day count): **simple
interest per second on the outstanding principal**, actual/365 like Aave's
`SECONDS_PER_YEAR`, rounded UP (against the borrower) in the loan's base units:

    interest = ceil(principal * rate_bps * elapsed_s / (10_000 * 31_536_000))

Interest does not earn interest. Each persisted accrual step rounds up once, so a loan
accrued at more events owes at most one base unit more per step than one accrued once; the
engine persists accrual only at events (draw, repay, rollover, recall) and reads the debt in
between with `debt_at` (which does not persist). Repayments pay interest first, then
principal. A rollover (renewal) starts new terms: `originated_ts_s` becomes the renewal time,
unpaid interest carries over, and the floor and borrower gates are checked again.

Every function is pure: it returns a new `Loan` (the book's frozen record) or raises
`ProtocolError` naming the rule, and its inputs are unchanged.

Example (1,000,000 USDC at 5 % for one day: 1e12 * 500 * 86_400 / 3.1536e11 = 136_986_301.3,
rounded up):
    >>> from sparkprime.prime.book import Loan, LoanKind
    >>> loan = Loan(loan_id="L1", account_id="a1", principal=10**12, rate_bps=500,
    ...             kind=LoanKind.DEMAND, originated_ts_s=0, term_end_ts_s=None,
    ...             accrued_interest=0, last_accrual_ts_s=0)
    >>> accrue(loan, now_ts_s=86_400).accrued_interest
    136986302
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Final

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.prime.book import Account, Borrower, KycStatus, Loan, LoanKind
from sparkprime.prime.policy import BPS, Policy, PolicyHistory

__all__ = [
    "SECONDS_PER_YEAR",
    "RepaySplit",
    "Stage",
    "accrue",
    "check_borrower",
    "check_rate_floor",
    "date_of",
    "debt_at",
    "draw",
    "earliest_recall_ts_s",
    "interest_for",
    "is_due",
    "originate",
    "policy_at",
    "repay",
    "rollover",
]

SECONDS_PER_YEAR: Final = 365 * 86_400  # actual/365, as Aave's SECONDS_PER_YEAR


class Stage(StrEnum):
    """When the Atlas gates apply: at origination and at renewal (P7/2/1, P7/2/4/2/2)."""

    ORIGINATION = "origination"
    RENEWAL = "renewal"


@dataclass(frozen=True, slots=True, kw_only=True)
class RepaySplit:
    """How a repayment was applied: interest first, then principal."""

    interest: int
    principal: int


def date_of(ts_s: int) -> datetime.date:
    """The UTC calendar date of a timestamp (the policy's dates are days).

    >>> date_of(1_767_225_600)
    datetime.date(2026, 1, 1)
    """
    return datetime.datetime.fromtimestamp(ts_s, tz=datetime.UTC).date()


def policy_at(policy: Policy | PolicyHistory, ts_s: int) -> Policy:
    """The policy version in force at `ts_s` (a bare `Policy` is taken as in force)."""
    return policy.at(date_of(ts_s)) if isinstance(policy, PolicyHistory) else policy


def _amount(loan_id: str, what: str, amount: object, *, allow_zero: bool = False) -> int:
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise ProtocolError(
            ErrorCode.PRIME_LOAN_INVALID_AMOUNT,
            loan_id=loan_id,
            what=what,
            amount=amount,
            reason="is not an int",
        )
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ProtocolError(
            ErrorCode.PRIME_LOAN_INVALID_AMOUNT,
            loan_id=loan_id,
            what=what,
            amount=amount,
            reason="must be positive" if not allow_zero else "must not be negative",
        )
    return amount


def interest_for(principal: int, rate_bps: int, elapsed_s: int) -> int:
    """Simple interest on `principal` at `rate_bps` a year over `elapsed_s`, rounded up.

    >>> interest_for(1_000_000, 1, 1)  # 1e6 * 1 / (1e4 * 31_536_000) > 0: rounds up to 1
    1
    >>> interest_for(0, 500, 10**9), interest_for(10**6, 500, 0)
    (0, 0)
    """
    if principal < 0 or rate_bps < 0 or elapsed_s < 0:
        raise ProtocolError(
            ErrorCode.VALUE_OUT_OF_RANGE,
            field="interest_for",
            value=(principal, rate_bps, elapsed_s),
            min=0,
            max="inf",
        )
    return -(-(principal * rate_bps * elapsed_s) // (BPS * SECONDS_PER_YEAR))


def _elapsed(loan: Loan, now_ts_s: int) -> int:
    if now_ts_s < loan.last_accrual_ts_s:
        raise ProtocolError(
            ErrorCode.CLOCK_WENT_BACKWARDS, now_s=loan.last_accrual_ts_s, ts_s=now_ts_s
        )
    return now_ts_s - loan.last_accrual_ts_s


def accrue(loan: Loan, *, now_ts_s: int) -> Loan:
    """The loan with interest accrued to `now_ts_s` (rounded up, persisted)."""
    elapsed = _elapsed(loan, now_ts_s)
    if elapsed == 0:
        return loan
    interest = interest_for(loan.principal, loan.rate_bps, elapsed)
    return replace(
        loan, accrued_interest=loan.accrued_interest + interest, last_accrual_ts_s=now_ts_s
    )


def debt_at(loan: Loan, *, now_ts_s: int) -> int:
    """Principal + interest owed at `now_ts_s`, without persisting the accrual."""
    accrued = accrue(loan, now_ts_s=now_ts_s)
    return accrued.principal + accrued.accrued_interest


def check_borrower(
    borrower: Borrower, *, stage: Stage, now_ts_s: int, attested_since_ts_s: int = 0
) -> None:
    """The counterparty gates of P7/2/1 at origination or renewal, each its own error:
    KYC approved, not sanctioned, not insolvent nor in administration, and a solvency
    self-certification made at or before `now_ts_s` and not before `attested_since_ts_s`
    (a renewal needs one made for the new agreement)."""
    bid = borrower.borrower_id
    if borrower.kyc is not KycStatus.APPROVED:
        raise ProtocolError(
            ErrorCode.PRIME_LOAN_KYC_NOT_APPROVED, borrower_id=bid, kyc=borrower.kyc, stage=stage
        )
    if borrower.sanctioned:
        raise ProtocolError(ErrorCode.PRIME_LOAN_BORROWER_SANCTIONED, borrower_id=bid, stage=stage)
    if borrower.insolvent or borrower.in_administration:
        state = "insolvent" if borrower.insolvent else "in administration"
        raise ProtocolError(
            ErrorCode.PRIME_LOAN_BORROWER_INSOLVENT, borrower_id=bid, state=state, stage=stage
        )
    attested = borrower.solvency_attested_ts_s
    reason = None
    if attested is None:
        reason = "never attested"
    elif attested > now_ts_s:
        reason = f"attested at {attested}, after now {now_ts_s}"
    elif attested < attested_since_ts_s:
        reason = f"attested at {attested}, before the terms renewed from {attested_since_ts_s}"
    if reason is not None:
        raise ProtocolError(
            ErrorCode.PRIME_LOAN_SOLVENCY_NOT_ATTESTED, borrower_id=bid, stage=stage, reason=reason
        )


def check_rate_floor(
    loan_id: str,
    rate_bps: int,
    *,
    policy: Policy | PolicyHistory,
    now_ts_s: int,
    ssr_bps: int,
    sofr_bps: int,
    stage: Stage,
) -> int:
    """The floor in force at `now_ts_s` (returned), or PRIME_LOAN_RATE_BELOW_FLOOR."""
    at = date_of(now_ts_s)
    floor = policy_at(policy, now_ts_s).rate_floor_bps(at=at, ssr_bps=ssr_bps, sofr_bps=sofr_bps)
    if rate_bps < floor:
        raise ProtocolError(
            ErrorCode.PRIME_LOAN_RATE_BELOW_FLOOR,
            loan_id=loan_id,
            rate_bps=rate_bps,
            floor_bps=floor,
            at=at,
            ssr_bps=ssr_bps,
            sofr_bps=sofr_bps,
            stage=stage,
        )
    return floor


def _term_end(
    loan_id: str, kind: LoanKind, term_s: int | None, policy: Policy, now_ts_s: int
) -> int | None:
    if not isinstance(kind, LoanKind):
        raise ProtocolError(
            ErrorCode.PRIME_LOAN_INVALID_TERM, loan_id=loan_id, reason=f"unknown kind {kind!r}"
        )
    if kind is not LoanKind.FIXED:
        if term_s is not None:
            raise ProtocolError(
                ErrorCode.PRIME_LOAN_INVALID_TERM,
                loan_id=loan_id,
                reason=f"a {kind.value} loan has no fixed term (it runs until recalled)",
            )
        return None
    max_s = policy.loan_max_fixed_term_s
    if not isinstance(term_s, int) or isinstance(term_s, bool) or not 0 < term_s <= max_s:
        raise ProtocolError(
            ErrorCode.PRIME_LOAN_INVALID_TERM,
            loan_id=loan_id,
            reason=f"a fixed term must be 1..{max_s} s (policy {policy.version}), got {term_s!r}",
        )
    return now_ts_s + term_s


def originate(
    *,
    loan_id: str,
    account: Account,
    borrower: Borrower,
    principal: int,
    rate_bps: int,
    kind: LoanKind,
    now_ts_s: int,
    policy: Policy | PolicyHistory,
    ssr_bps: int,
    sofr_bps: int,
    term_s: int | None = None,
) -> Loan:
    """A new loan after the borrower gates, the term rules and the floor at `now_ts_s`.

    `principal` may be 0 (a revolving line drawn later with `draw`).
    """
    if account.borrower_id != borrower.borrower_id:
        raise ProtocolError(
            ErrorCode.PRIME_LOAN_INVALID_TERM,
            loan_id=loan_id,
            reason=f"account {account.account_id!r} belongs to {account.borrower_id!r}, "
            f"not {borrower.borrower_id!r}",
        )
    _amount(loan_id, "principal", principal, allow_zero=True)
    check_borrower(borrower, stage=Stage.ORIGINATION, now_ts_s=now_ts_s)
    in_force = policy_at(policy, now_ts_s)
    term_end = _term_end(loan_id, kind, term_s, in_force, now_ts_s)
    check_rate_floor(
        loan_id, rate_bps, policy=in_force, now_ts_s=now_ts_s,
        ssr_bps=ssr_bps, sofr_bps=sofr_bps, stage=Stage.ORIGINATION,
    )  # fmt: skip
    return Loan(
        loan_id=loan_id,
        account_id=account.account_id,
        principal=principal,
        rate_bps=rate_bps,
        kind=kind,
        originated_ts_s=now_ts_s,
        term_end_ts_s=term_end,
        accrued_interest=0,
        last_accrual_ts_s=now_ts_s,
    )


def is_due(loan: Loan, *, now_ts_s: int) -> bool:
    """A fixed-term loan is due (repay or roll over) from its term end; evergreen and
    demand loans run until recalled."""
    return loan.kind is LoanKind.FIXED and now_ts_s >= (loan.term_end_ts_s or 0)


def earliest_recall_ts_s(loan: Loan, *, now_ts_s: int) -> int:
    """The earliest time a recall that respects the agreed duration takes effect: now for a
    demand or evergreen loan, the term end for a fixed-term one."""
    if loan.kind is LoanKind.FIXED and loan.term_end_ts_s is not None:
        return max(now_ts_s, loan.term_end_ts_s)
    return now_ts_s


def draw(loan: Loan, amount: int, *, now_ts_s: int, blocked_reason: str | None = None) -> Loan:
    """The loan after drawing `amount` more (interest accrued first).

    Refused when draws are blocked (`blocked_reason`: an emergency or a recall; see
    `prime.recalls`) or when a fixed term has ended. Book-wide limits are `prime.limits`'.
    """
    _amount(loan.loan_id, "draw", amount)
    if blocked_reason is not None:
        raise ProtocolError(
            ErrorCode.PRIME_LOAN_DRAWS_BLOCKED, loan_id=loan.loan_id, reason=blocked_reason
        )
    if is_due(loan, now_ts_s=now_ts_s):
        raise ProtocolError(
            ErrorCode.PRIME_LOAN_TERM_ENDED,
            loan_id=loan.loan_id,
            term_end_ts_s=loan.term_end_ts_s,
            now_ts_s=now_ts_s,
        )
    accrued = accrue(loan, now_ts_s=now_ts_s)
    return replace(accrued, principal=accrued.principal + amount)


def repay(loan: Loan, amount: int, *, now_ts_s: int) -> tuple[Loan, RepaySplit]:
    """The loan after repaying `amount` (interest first, then principal) and the split.

    Paying more than the debt is refused (the caller repays `debt_at` to close the loan).
    """
    _amount(loan.loan_id, "repayment", amount)
    accrued = accrue(loan, now_ts_s=now_ts_s)
    debt = accrued.principal + accrued.accrued_interest
    if amount > debt:
        raise ProtocolError(
            ErrorCode.PRIME_LOAN_REPAY_EXCEEDS_DEBT,
            loan_id=loan.loan_id,
            amount=amount,
            debt=debt,
            principal=accrued.principal,
            interest=accrued.accrued_interest,
        )
    to_interest = min(amount, accrued.accrued_interest)
    to_principal = amount - to_interest
    after = replace(
        accrued,
        accrued_interest=accrued.accrued_interest - to_interest,
        principal=accrued.principal - to_principal,
    )
    return after, RepaySplit(interest=to_interest, principal=to_principal)


def rollover(
    loan: Loan,
    *,
    borrower: Borrower,
    now_ts_s: int,
    policy: Policy | PolicyHistory,
    ssr_bps: int,
    sofr_bps: int,
    rate_bps: int | None = None,
    kind: LoanKind | None = None,
    term_s: int | None = None,
) -> Loan:
    """Renew `loan` on new (or the same) terms by mutual agreement.

    A fixed-term loan renews at or after its term end; an evergreen or demand loan may be
    re-termed at any time. The gates and the floor are checked again at `now_ts_s` (the
    renewal), with the policy then in force; unpaid interest carries over.
    """
    if loan.kind is LoanKind.FIXED and now_ts_s < (loan.term_end_ts_s or 0):
        raise ProtocolError(
            ErrorCode.PRIME_LOAN_NOT_AT_TERM_END,
            loan_id=loan.loan_id,
            term_end_ts_s=loan.term_end_ts_s,
            now_ts_s=now_ts_s,
        )
    accrued = accrue(loan, now_ts_s=now_ts_s)
    new_rate = loan.rate_bps if rate_bps is None else rate_bps
    new_kind = loan.kind if kind is None else kind
    if new_kind is LoanKind.FIXED and term_s is None and loan.kind is LoanKind.FIXED:
        term_s = (loan.term_end_ts_s or 0) - loan.originated_ts_s  # the same term again
    check_borrower(
        borrower, stage=Stage.RENEWAL, now_ts_s=now_ts_s, attested_since_ts_s=loan.originated_ts_s
    )
    in_force = policy_at(policy, now_ts_s)
    term_end = _term_end(loan.loan_id, new_kind, term_s, in_force, now_ts_s)
    check_rate_floor(
        loan.loan_id, new_rate, policy=in_force, now_ts_s=now_ts_s,
        ssr_bps=ssr_bps, sofr_bps=sofr_bps, stage=Stage.RENEWAL,
    )  # fmt: skip
    return replace(
        accrued,
        rate_bps=new_rate,
        kind=new_kind,
        originated_ts_s=now_ts_s,
        term_end_ts_s=term_end,
    )

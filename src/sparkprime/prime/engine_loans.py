"""`PrimeBook` handlers for loans: originate, draw, repay, renew, accrue.

The loan arithmetic and the Atlas gates are `prime.loans`' (borrower gates, terms, the dated
rate floor at origination and renewal, interest rounded up, interest-first repayments). The
engine adds, before anything changes:

- the emergency blocks and recalls (`prime.emergency.new_loan_block_reason` /
  `draw_block_reason`: a recalled loan takes no draw);
- every book-wide limit (`prime.limits.assert_within_limits` with a `NewLoan` / `Draw`:
  asset gross, venue, stablecoin share of supply, the SLL instance's max exposure);
- the account's RF after the new cash and debt: a loan or draw that would leave the account
  at or below the pool's margin-call RF is refused (PRIME_ENGINE_RF_TOO_LOW);
- a REDUCE_ONLY or LIQUIDATION account takes no new loan or draw, and a sanctioned or
  insolvent borrower draws nothing (origination checks every gate);
- an account with a pending liquidation plan repays only from outside the book (the plan
  owns its positions, cash included).

The drawn cash lands as a SPOT position of the pool's borrowed asset (`cash_position_id` at
`venue_id`), as `prime.limits` models it. A new loan or draw reopens an account a full
liquidation closed out (it leaves `BookState.liquidated`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.prime import engine_commands as ec
from sparkprime.prime import loans as lo
from sparkprime.prime.book import Account, Loan, PositionKind
from sparkprime.prime.emergency import draw_block_reason, new_loan_block_reason
from sparkprime.prime.engine_margin import (
    account_loans,
    effective_policy,
    is_restricted,
    limit_state,
    lookup,
    margin_of,
    status_of,
)
from sparkprime.prime.engine_state import BookState
from sparkprime.prime.limits import Draw, LimitState, NewLoan, assert_within_limits
from sparkprime.prime.status import BPS_TO_WAD, MarginStatus, rf_status

__all__ = ["accrue_all", "draw", "originate_loan", "renew_loan", "repay"]


def _benchmarks(state: BookState) -> tuple[int, int]:
    if state.ssr_bps is None or state.sofr_bps is None:
        raise ProtocolError(
            ErrorCode.PRIME_ENGINE_MISSING_DATA,
            what="benchmarks",
            reason="prime.set_benchmarks (SSR, SOFR) sets the rate floor",
        )
    return state.ssr_bps, state.sofr_bps


def _not_restricted(state: BookState, account_id: str, now: int, action: str) -> None:
    status = status_of(state, account_id, now)
    if is_restricted(status):
        raise ProtocolError(
            ErrorCode.PRIME_ENGINE_REDUCE_ONLY,
            account_id=account_id,
            status=status.status.value,
            reason=f"no {action}",
        )


def _check_rf_after(
    state: BookState, account: Account, after: LimitState, new_loan: Loan, *, now: int, action: str
) -> int:
    """The account's RF with the limits' post-change positions and `new_loan`; refused at or
    below the margin-call RF."""
    positions = [p for p in after.positions if p.account_id == account.account_id]
    loans = [
        new_loan if ln.loan_id == new_loan.loan_id else ln
        for ln in account_loans(state, account.account_id, now)
    ]
    if new_loan.loan_id not in state.loans:
        loans.append(new_loan)
    policy = effective_policy(state)
    rf = margin_of(
        state, account.account_id, now, positions=positions, loans=loans, policy=policy
    ).rf_wad
    pool = policy.pool(account.pool_id)
    if rf_status(rf, pool) is not MarginStatus.HEALTHY:
        raise ProtocolError(
            ErrorCode.PRIME_ENGINE_RF_TOO_LOW,
            action=action,
            account_id=account.account_id,
            rf_wad=rf,
            threshold_wad=pool.margin_call_rf_bps * BPS_TO_WAD,
        )
    return rf


def _land_cash(state: BookState, after: LimitState, cash_position_id: str) -> None:
    for p in after.positions:
        if p.position_id == cash_position_id:
            state.positions[p.position_id] = p


def originate_loan(state: BookState, cmd: ec.OriginateLoan, now: int) -> dict[str, Any]:
    if cmd.loan_id in state.loans:
        raise ProtocolError(ErrorCode.PRIME_ENGINE_DUPLICATE_ID, what="loan", id=cmd.loan_id)
    account = lookup(state.accounts, cmd.account_id, "account")
    borrower = lookup(state.borrowers, account.borrower_id, "borrower")
    lookup(state.venues, cmd.venue_id, "venue")
    blocked = new_loan_block_reason(state.emergencies, pool_id=account.pool_id, now_ts_s=now)
    if blocked is not None:
        raise ProtocolError(
            ErrorCode.PRIME_LOAN_DRAWS_BLOCKED,
            loan_id=cmd.loan_id,
            reason=f"new loans blocked: {blocked}",
        )
    _not_restricted(state, account.account_id, now, "new loan")
    ssr, sofr = _benchmarks(state)
    loan = lo.originate(
        loan_id=cmd.loan_id,
        account=account,
        borrower=borrower,
        principal=cmd.principal,
        rate_bps=cmd.rate_bps,
        kind=cmd.kind,
        now_ts_s=now,
        policy=state.policy,
        ssr_bps=ssr,
        sofr_bps=sofr,
        term_s=cmd.term_s,
    )
    change = NewLoan(loan=loan, cash_position_id=cmd.cash_position_id, venue_id=cmd.venue_id)
    after = assert_within_limits(limit_state(state, now), change)
    rf = _check_rf_after(state, account, after, loan, now=now, action="originating this loan")
    state.loans[loan.loan_id] = loan
    _land_cash(state, after, cmd.cash_position_id)
    state.liquidated.pop(account.account_id, None)  # a new loan reopens a closed-out account
    return {"loan_id": loan.loan_id, "rf_wad": rf, "term_end_ts_s": loan.term_end_ts_s}


def draw(state: BookState, cmd: ec.Draw, now: int) -> dict[str, Any]:
    loan = lookup(state.loans, cmd.loan_id, "loan")
    account = lookup(state.accounts, loan.account_id, "account")
    borrower = lookup(state.borrowers, account.borrower_id, "borrower")
    lookup(state.venues, cmd.venue_id, "venue")
    if borrower.sanctioned:
        raise ProtocolError(
            ErrorCode.PRIME_LOAN_BORROWER_SANCTIONED, borrower_id=borrower.borrower_id, stage="draw"
        )
    if borrower.insolvent or borrower.in_administration:
        raise ProtocolError(
            ErrorCode.PRIME_LOAN_BORROWER_INSOLVENT,
            borrower_id=borrower.borrower_id,
            stage="draw",
            state="insolvent" if borrower.insolvent else "in administration",
        )
    _not_restricted(state, account.account_id, now, "draw")
    blocked = draw_block_reason(
        loan,
        pool_id=account.pool_id,
        now_ts_s=now,
        actions=state.emergencies,
        notices=state.recalls,
    )
    drawn = lo.draw(loan, cmd.amount, now_ts_s=now, blocked_reason=blocked)
    change = Draw(
        loan_id=loan.loan_id,
        amount=cmd.amount,
        cash_position_id=cmd.cash_position_id,
        venue_id=cmd.venue_id,
    )
    after = assert_within_limits(limit_state(state, now), change)
    rf = _check_rf_after(state, account, after, drawn, now=now, action=f"drawing {cmd.amount}")
    state.loans[loan.loan_id] = drawn
    _land_cash(state, after, cmd.cash_position_id)
    state.liquidated.pop(account.account_id, None)  # so does a new draw
    return {"loan_id": loan.loan_id, "principal": drawn.principal, "rf_wad": rf}


def repay(state: BookState, cmd: ec.Repay, now: int) -> dict[str, Any]:
    loan = lookup(state.loans, cmd.loan_id, "loan")
    account = lookup(state.accounts, loan.account_id, "account")
    after, split = lo.repay(loan, cmd.amount, now_ts_s=now)
    cash = None
    if cmd.from_position_id is not None:
        if account.account_id in state.plans:
            # The pending plan collects this cash itself (a fixed amount, not a fill):
            # spending it here would let the plan count it twice.
            raise ProtocolError(
                ErrorCode.PRIME_ENGINE_REDUCE_ONLY,
                account_id=account.account_id,
                status=status_of(state, account.account_id, now).status.value,
                reason="a liquidation plan is pending: no repayment from the account's cash",
            )
        cash = lookup(state.positions, cmd.from_position_id, "position")
        asset = effective_policy(state).pool(account.pool_id).borrowed_asset
        if (
            cash.account_id != account.account_id
            or cash.kind is not PositionKind.SPOT
            or cash.symbol != asset
        ):
            raise ProtocolError(
                ErrorCode.PRIME_ENGINE_INVALID_COMMAND,
                field="from_position_id",
                reason=f"not a {asset} spot position of {account.account_id!r}",
            )
        if cash.qty < cmd.amount:
            raise ProtocolError(
                ErrorCode.INSUFFICIENT_BALANCE,
                account=cash.position_id,
                balance=cash.qty,
                amount=cmd.amount,
            )
    state.loans[loan.loan_id] = after
    if cash is not None:
        if cash.qty == cmd.amount:
            del state.positions[cash.position_id]
        else:
            state.positions[cash.position_id] = replace(cash, qty=cash.qty - cmd.amount)
    if after.principal == 0 and after.accrued_interest == 0:
        state.recalls = tuple(n for n in state.recalls if n.loan_id != loan.loan_id)
    return {
        "interest": split.interest,
        "principal": split.principal,
        "debt": after.principal + after.accrued_interest,
    }


def renew_loan(state: BookState, cmd: ec.RenewLoan, now: int) -> dict[str, Any]:
    loan = lookup(state.loans, cmd.loan_id, "loan")
    account = lookup(state.accounts, loan.account_id, "account")
    borrower = lookup(state.borrowers, account.borrower_id, "borrower")
    ssr, sofr = _benchmarks(state)
    renewed = lo.rollover(
        loan,
        borrower=borrower,
        now_ts_s=now,
        policy=state.policy,
        ssr_bps=ssr,
        sofr_bps=sofr,
        rate_bps=cmd.rate_bps,
        kind=cmd.kind,
        term_s=cmd.term_s,
    )
    state.loans[loan.loan_id] = renewed
    # A renewal at or above the floor answers a rate-shortfall recall ("adjust the rate").
    state.recalls = tuple(
        n
        for n in state.recalls
        if not (
            n.loan_id == loan.loan_id
            and n.min_rate_bps is not None
            and renewed.rate_bps >= n.min_rate_bps
        )
    )
    return {
        "loan_id": loan.loan_id,
        "rate_bps": renewed.rate_bps,
        "term_end_ts_s": renewed.term_end_ts_s,
    }


def accrue_all(state: BookState, cmd: ec.Accrue, now: int) -> int:
    """Persist interest on every loan; returns the total accrued interest (base units)."""
    for loan_id, loan in sorted(state.loans.items()):
        state.loans[loan_id] = lo.accrue(loan, now_ts_s=now)
    return sum(ln.accrued_interest for ln in state.loans.values())

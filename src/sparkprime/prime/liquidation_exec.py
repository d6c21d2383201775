"""Execute a liquidation plan against actual fills: new positions, new loans, the outcome.

Pure: `execute_liquidation` takes the plan, the account's positions and loans and the realised
fill price of every trade step, and returns the positions and loans after the liquidation and
a `LiquidationOutcome`; its inputs are unchanged, so the journaled engine can run it as a
command. The arithmetic is `prime.liquidation`'s: each trade's proceeds from its fill price
(`trade_proceeds`), then `settle`: every venue's cash is summed; a venue that still holds a
reported margin value (a CEX sub-account left open by a partial plan) keeps its cash in it;
every other venue's positive cash is bridged to the settlement venue (a negative one is that
venue's deficit and stays there); the settlement cash runs through the waterfall (loans,
interest first; the fee; the borrower). Loans are accrued to the execution time first, so
interest accrued since planning is paid too.

Executing a plan with fills at its expected prices reproduces the plan's figures exactly
(tested), so a plan is the execution under its own price assumptions.

Example: see tests/prime/test_liquidation.py (`test_execute_at_expected_prices_matches_plan`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.prime.book import Loan, Position, PositionKind
from sparkprime.prime.liquidation import (
    TRADE_ACTIONS,
    LiquidationOutcome,
    LiquidationPlan,
    LiquidationStep,
    LiquidationTarget,
    split_repayment,
    trade_proceeds,
    waterfall,
)
from sparkprime.prime.loans import accrue

__all__ = ["execute_liquidation", "settle"]

_NO_CASH = frozenset({"bridge", "repay_loan"})


def _bad(step: LiquidationStep, reason: str) -> ProtocolError:
    return ProtocolError(ErrorCode.PRIME_LIQUIDATION_BAD_FILL, index=step.index,
                         action=str(step.action), symbol=step.symbol, reason=reason)  # fmt: skip


def settle(
    positions: Iterable[Position],
    loans: Iterable[Loan],
    steps: Sequence[LiquidationStep],
    proceeds: Mapping[int, int],
    *,
    full: bool,
    borrowed_decimals: int,
    borrowed_price_usd_e8: int,
    fee_bps: int,
    now_ts_s: int,
) -> tuple[tuple[Position, ...], tuple[Loan, ...], LiquidationOutcome]:
    """Apply `steps` whose cash effects are `proceeds` (step index -> borrowed-asset units)."""
    positions = tuple(positions)
    by_id = {p.position_id: p for p in positions}
    consumed: dict[str, None] = {}
    cash: dict[str, int] = {}
    for s in steps:
        if s.position_id is not None:
            if s.position_id not in by_id:
                raise ProtocolError(
                    ErrorCode.PRIME_LIQUIDATION_POSITION_MISSING,
                    index=s.index,
                    position_id=s.position_id,
                    reason="is not in the account",
                )
            consumed[s.position_id] = None
        if s.action not in _NO_CASH:
            cash[s.venue_id] = cash.get(s.venue_id, 0) + proceeds.get(s.index, 0)
    remaining = [p for p in positions if p.position_id not in consumed]
    # a venue still holding a reported margin value keeps its cash in it (at the borrowed
    # asset's price, floored); every other venue's positive cash reaches settlement
    kept: set[str] = set()
    for i, p in enumerate(remaining):
        if p.kind is PositionKind.MARGIN_VALUE and p.venue_id not in kept:
            kept.add(p.venue_id)
            delta = cash.get(p.venue_id, 0)
            if delta:
                usd = delta * borrowed_price_usd_e8 * 10**10 // 10**borrowed_decimals
                assert p.margin_value_usd_wad is not None
                remaining[i] = replace(p, margin_value_usd_wad=p.margin_value_usd_wad + usd)
    settlement_cash = sum(max(c, 0) for v, c in cash.items() if v not in kept)
    accrued = [accrue(ln, now_ts_s=now_ts_s) for ln in loans]
    w = waterfall(
        cash=settlement_cash,
        interest=sum(ln.accrued_interest for ln in accrued),
        principal=sum(ln.principal for ln in accrued),
        fee_bps=fee_bps,
        full=full,
    )
    repayments, left = split_repayment(accrued, w.repaid, full=full)
    outcome = LiquidationOutcome(
        realised_proceeds=settlement_cash,
        venue_cash=tuple(sorted(cash.items())),
        step_proceeds=tuple(sorted((s.index, proceeds.get(s.index, 0)) for s in steps)),
        debt=w.debt,
        repaid=w.repaid,
        fee=w.fee,
        bad_debt=w.bad_debt,
        residual_returned_to_borrower=w.residual,
        repayments=repayments,
        closed_position_ids=tuple(consumed),
    )
    return tuple(remaining), left, outcome


def execute_liquidation(
    plan: LiquidationPlan,
    positions: Iterable[Position],
    loans: Iterable[Loan],
    *,
    fills: Mapping[int, int],
    now_ts_s: int | None = None,
) -> tuple[tuple[Position, ...], tuple[Loan, ...], LiquidationOutcome]:
    """Apply `plan` given `fills` (trade step index -> realised average price, USD e8).

    Every trade step needs a fill (an int > 0) and nothing else may have one; `now_ts_s`
    (default: the plan's time) must not be before the plan nor before any step's
    `not_before_ts_s` (a PT held to maturity).
    """
    now = plan.now_ts_s if now_ts_s is None else now_ts_s
    if now < plan.now_ts_s:
        raise ProtocolError(ErrorCode.CLOCK_WENT_BACKWARDS, now_s=plan.now_ts_s, ts_s=now)
    by_index = {s.index: s for s in plan.steps}
    for index in fills:
        step = by_index.get(index)
        if step is None or step.action not in TRADE_ACTIONS:
            raise ProtocolError(ErrorCode.PRIME_LIQUIDATION_INVALID_INPUT, field=f"fills[{index}]",
                                reason="not a trade step of the plan")  # fmt: skip
    proceeds: dict[int, int] = {}
    for s in plan.steps:
        if s.not_before_ts_s is not None and now < s.not_before_ts_s:
            raise _bad(s, f"cannot run before {s.not_before_ts_s} (now {now})")
        if s.action in TRADE_ACTIONS:
            price = fills.get(s.index)
            if not isinstance(price, int) or isinstance(price, bool) or price <= 0:
                raise _bad(s, f"needs a fill price (int USD e8 > 0), got {price!r}")
            proceeds[s.index] = trade_proceeds(
                s, price, borrowed_price_usd_e8=plan.borrowed_price_usd_e8,
                borrowed_decimals=plan.borrowed_decimals,
            )  # fmt: skip
        else:
            proceeds[s.index] = s.proceeds
    return settle(
        positions,
        loans,
        plan.steps,
        proceeds,
        full=plan.target is LiquidationTarget.FULL,
        borrowed_decimals=plan.borrowed_decimals,
        borrowed_price_usd_e8=plan.borrowed_price_usd_e8,
        fee_bps=plan.fee_bps,
        now_ts_s=now,
    )

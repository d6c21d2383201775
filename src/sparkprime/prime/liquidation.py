"""Liquidation plans: the records, the trade arithmetic and the repayment waterfall.

Sources: spec/spark-prime.md §2 "Liquidation" (Arkis docs `/home/concepts/liquidation`: a
deterministic plan closes DeFi positions, swaps to the borrowed asset, bridges if needed and
returns funds to the pool; the liquidation fee is set per agreement, "e.g. 5-10%") and
spec/portfolio-margin.md §5 item 8 (partial liquidation to a target health with a planner that
unwinds hedged pairs together). The planner is `prime.liquidation_plan`, the executor
`prime.liquidation_exec`; this module holds what both share, so that executing a plan with
fills at its expected prices reproduces the plan's figures exactly.

Money: a step's `proceeds` is the signed amount of the pool's borrowed asset (base units, e.g.
USDC 6 decimals) the step adds to its venue's cash. A trade of `qty` base units (signed: a
close of a short, or buying back a lending debt, is negative) at price `e` against a basis
price `b` yields

    proceeds = floor(qty x (e - b) x 10**dec_borrowed / (10**dec_symbol x price_borrowed))

(one rounding, toward -inf: a loss's size rounds up, always against the borrower). The basis
is 0 for a sale or a debt bought back at a cash venue, the entry price for a perp / future
closed at a cash venue (its realised PnL), and the mark for anything at a venue whose value is
the CEX's reported margin value (`MARGIN_VALUE`, which already holds it at mark, so only the
slippage is new).

Waterfall (`waterfall`): the cash C that reaches the settlement venue repays the loans, then
the liquidation fee (`pool.liquidation_fee_bps` of the amount repaid, rounded up: to
Arkis), then the rest goes back to the borrower. With debt D (interest + principal) and fee
rate f: if C >= D + ceil(D f) everything is repaid; otherwise the repaid amount is
r = floor(C / (1 + f)) (< D), the fee takes C - r (>= ceil(r f); the difference is at most
one base unit of rounding dust) and, in a full liquidation, D - r is bad debt. So when the
account is insolvent, C + bad_debt = D + fee exactly, and nothing is returned. Loans are
repaid interest first (all loans' interest, then principal, each in loan-id order).

Example:
    >>> w = waterfall(cash=1_000, interest=10, principal=990, fee_bps=500, full=True)
    >>> (w.repaid, w.fee, w.bad_debt, w.residual)  # r = floor(1000 / 1.05) = 952
    (952, 48, 48, 0)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from sparkprime.prime.book import Loan
from sparkprime.prime.policy import BPS

__all__ = [
    "TRADE_ACTIONS",
    "LiquidationAction",
    "LiquidationOutcome",
    "LiquidationPlan",
    "LiquidationStep",
    "LiquidationTarget",
    "LoanRepayment",
    "Waterfall",
    "split_repayment",
    "trade_proceeds",
    "waterfall",
]


class LiquidationAction(StrEnum):
    """What one step does (see `prime.liquidation_plan` for the order)."""

    CLOSE_FUTURE = "close_future"
    CLOSE_PERP = "close_perp"
    WITHDRAW_LP = "withdraw_lp"  # burn the LP into its legs (exact, no price)
    REDEEM_VAULT = "redeem_vault"  # ERC-4626 redeem at the share rate (exact, no price)
    SELL_SPOT = "sell_spot"  # spot, an LP leg, a vault's underlying, a lending supply
    SELL_PT = "sell_pt"
    REPAY_LENDING = "repay_lending"  # buy the debt token back and repay the on-chain borrow
    COLLECT_CASH = "collect_cash"  # a holding already in the borrowed asset, or a venue's
    # reported margin value, taken as cash
    BRIDGE = "bridge"  # move a venue's cash to the settlement venue
    REPAY_LOAN = "repay_loan"


TRADE_ACTIONS = frozenset(
    {
        LiquidationAction.CLOSE_FUTURE,
        LiquidationAction.CLOSE_PERP,
        LiquidationAction.SELL_SPOT,
        LiquidationAction.SELL_PT,
        LiquidationAction.REPAY_LENDING,
    }
)
"""Steps priced by the market: they need a fill to execute."""


class LiquidationTarget(StrEnum):
    """FULL closes everything; TO_HEALTHY stops once the account is HEALTHY again."""

    FULL = "full"
    TO_HEALTHY = "to_healthy"


@dataclass(frozen=True, slots=True, kw_only=True)
class LiquidationStep:
    """One step of a plan. Steps sharing a `batch` run together (a hedged pair).

    `qty`: base units of `symbol`; signed for a trade (a close of a short and a debt bought
    back are negative); for BRIDGE / COLLECT_CASH / REPAY_LOAN, borrowed-asset units moved.
    Prices are USD e8; `basis_price_usd_e8` is what the fill is measured against (module
    docstring). `not_before_ts_s`: a PT held to maturity is redeemed at par from its expiry.
    """

    index: int
    batch: int
    venue_id: str
    action: LiquidationAction
    position_id: str | None
    symbol: str
    decimals: int
    qty: int
    mark_price_usd_e8: int
    expected_price_usd_e8: int
    basis_price_usd_e8: int
    slippage_bps: int
    proceeds: int
    reason: str
    not_before_ts_s: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class LoanRepayment:
    """What one loan received: interest first, then principal; `written_off` is bad debt."""

    loan_id: str
    interest: int
    principal: int
    written_off: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Waterfall:
    """How settlement cash is split (borrowed-asset base units)."""

    cash: int
    debt: int
    repaid: int
    fee: int
    bad_debt: int
    residual: int


@dataclass(frozen=True, slots=True, kw_only=True)
class LiquidationPlan:
    """An ordered plan. Amounts without a unit suffix are borrowed-asset base units.

    `expected_proceeds` is the cash expected at the settlement venue (what repays the loans);
    `venue_cash` each venue's expected cash before bridging (a negative one stays at its venue:
    a CEX sub-account's deficit is the venue's, not the pool's). `rf_before_wad` /
    `rf_after_wad` are the margin RFs before and after (TO_HEALTHY plans; FULL: after = None).
    """

    account_id: str
    pool_id: str
    target: LiquidationTarget
    now_ts_s: int
    borrowed_asset: str
    borrowed_decimals: int
    borrowed_price_usd_e8: int
    settlement_venue_id: str
    fee_bps: int
    steps: tuple[LiquidationStep, ...]
    venue_cash: tuple[tuple[str, int], ...]
    expected_proceeds: int
    expected_proceeds_usd_wad: int
    debt: int
    repaid: int
    fee: int
    fee_usd_wad: int
    bad_debt: int
    bad_debt_usd_wad: int
    residual_returned_to_borrower: int
    repayments: tuple[LoanRepayment, ...]
    rf_before_wad: int | None
    rf_after_wad: int | None
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class LiquidationOutcome:
    """What an executed plan realised (borrowed-asset base units)."""

    realised_proceeds: int
    venue_cash: tuple[tuple[str, int], ...]
    step_proceeds: tuple[tuple[int, int], ...]  # (step index, realised proceeds)
    debt: int
    repaid: int
    fee: int
    bad_debt: int
    residual_returned_to_borrower: int
    repayments: tuple[LoanRepayment, ...]
    closed_position_ids: tuple[str, ...]


def trade_proceeds(
    step: LiquidationStep, price_usd_e8: int, *, borrowed_price_usd_e8: int, borrowed_decimals: int
) -> int:
    """The borrowed-asset units a trade step yields at `price_usd_e8` (module docstring)."""
    num: int = step.qty * (price_usd_e8 - step.basis_price_usd_e8) * 10**borrowed_decimals
    den: int = 10**step.decimals * borrowed_price_usd_e8
    return num // den


def _ceil_div(a: int, b: int) -> int:
    return -((-a) // b)


def waterfall(*, cash: int, interest: int, principal: int, fee_bps: int, full: bool) -> Waterfall:
    """Split settlement `cash` into repaid, fee, bad debt and residual (module docstring).

    `full`: a full liquidation writes the unpaid debt off as bad debt; a partial one leaves it
    owed (bad_debt 0).

    >>> waterfall(cash=2_000, interest=0, principal=1_000, fee_bps=500, full=True).residual
    950
    """
    cash = max(cash, 0)
    debt = interest + principal
    fee_on_all = _ceil_div(debt * fee_bps, BPS)
    if cash >= debt + fee_on_all:
        repaid, fee = debt, fee_on_all
    else:
        repaid = cash * BPS // (BPS + fee_bps)
        fee = cash - repaid
    residual = cash - repaid - fee
    bad_debt = debt - repaid if full else 0
    return Waterfall(
        cash=cash, debt=debt, repaid=repaid, fee=fee, bad_debt=bad_debt, residual=residual
    )


def split_repayment(
    loans: Sequence[Loan], repaid: int, *, full: bool
) -> tuple[tuple[LoanRepayment, ...], tuple[Loan, ...]]:
    """Apply `repaid` to accrued `loans`: every loan's interest first, then principal, each
    pass in loan-id order. Returns the repayments and the loans still owing (a full
    liquidation writes every unpaid balance off, so none remain)."""
    ordered = sorted(loans, key=lambda ln: ln.loan_id)
    left = repaid
    to_interest: dict[str, int] = {}
    to_principal: dict[str, int] = {}
    for ln in ordered:
        to_interest[ln.loan_id] = pay = min(left, ln.accrued_interest)
        left -= pay
    for ln in ordered:
        to_principal[ln.loan_id] = pay = min(left, ln.principal)
        left -= pay
    assert left == 0, "repaid exceeds the debt"
    out: list[LoanRepayment] = []
    remaining: list[Loan] = []
    for ln in ordered:
        i, p = to_interest[ln.loan_id], to_principal[ln.loan_id]
        after = replace(ln, accrued_interest=ln.accrued_interest - i, principal=ln.principal - p)
        owed = after.accrued_interest + after.principal
        out.append(LoanRepayment(loan_id=ln.loan_id, interest=i, principal=p,
                                 written_off=owed if full else 0))  # fmt: skip
        if owed and not full:
            remaining.append(after)
    return tuple(out), tuple(remaining)

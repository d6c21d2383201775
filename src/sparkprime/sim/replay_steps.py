"""One replay step against the journals, and the records it leaves (`StepRecorder`).

`StepRecorder.step` submits the prime book's step (`prime.set_prices`, the CEX sub-accounts'
`prime.report_margin_values` marked to the new prices by `sim.replay_venues`, `prime.accrue`,
`prime.remargin` in one batch; then one `prime.execute_liquidation` per pending plan, filled
at the plan's expected prices) and turns what happened into `sim.result` records: the RF
percentiles are the re-margin's own RFs (accounts that owe something), accounts by status are
`prime.queries.statuses` (a fully liquidated account counts as `liquidated`), values and debts come
from `prime.engine_margin.margin_of` after the liquidations, USD figures of borrowed-asset
amounts use the pool's borrowed-asset price at that step. `result` assembles the
`ReplayResult`, with a summary.

Example:
    >>> usd_wad(2_500_000, 6, 100_000_000)
    2500000000000000000
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Final

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.ledger import Ledger, Submission
from sparkprime.presets.book_file import BookFile
from sparkprime.prime import engine_commands as ec
from sparkprime.prime.book import Loan, Position
from sparkprime.prime.engine import PrimeBook
from sparkprime.prime.engine_margin import effective_policy, limit_state, margin_of
from sparkprime.prime.engine_state import NoticeKind
from sparkprime.prime.limits import check_book
from sparkprime.prime.liquidation import TRADE_ACTIONS, LiquidationTarget
from sparkprime.prime.loans import accrue
from sparkprime.prime.margin import RF_NO_DEBT_WAD
from sparkprime.prime.policy import Policy
from sparkprime.prime.queries import statuses
from sparkprime.sim.replay_sll import SllReplay
from sparkprime.sim.replay_venues import margin_value_reports
from sparkprime.sim.replay_world import SparkLendWorld
from sparkprime.sim.result import (
    LimitRecord,
    LiquidationRecord,
    NoticeRecord,
    RejectionRecord,
    ReplayResult,
    ReserveRecord,
    ResultSummary,
    RfQuantiles,
    RfThresholds,
    SavingsRecord,
    SllAllocationRecord,
    StepRecord,
)

__all__ = ["SLL_VENUE", "StepRecorder", "usd_wad"]

SLL_VENUE: Final = "Arkis (SLL prime instance)"  # the SLL row of a replay without the SLL
_BPS_TO_WAD: Final = 10**14
_E8_TO_WAD: Final = 10**10
_LIMIT_SCOPES: Final = {"group": "asset_group", "member": "asset_group", "venue": "venue"}


def usd_wad(amount: int, decimals: int, price_usd_e8: int) -> int:
    """`amount` base units at `price_usd_e8`, in USD wad (rounded down)."""
    return amount * price_usd_e8 * _E8_TO_WAD // int(10**decimals)


def _limit_scope(name: str) -> tuple[str, str] | None:
    """("asset_group" | "venue", display name) of a `prime.limits` limit name, else None."""
    prefix, _, rest = name.partition(":")
    scope = _LIMIT_SCOPES.get(prefix)
    if scope is None:
        return None
    return scope, rest.rsplit(":", 1)[-1] if prefix == "group" else rest


class StepRecorder:
    """Runs the prime side of each step and keeps every record (module docstring)."""

    def __init__(self, book: BookFile, prime: Ledger[PrimeBook], policy: Policy) -> None:
        self.book = book
        self.prime = prime
        pools = {a.pool_id for a in book.accounts} or {book.pool_id}
        self.pool = policy.pool(book.pool_id)
        self.thresholds = (
            RfThresholds(
                margin_call_rf_wad=self.pool.margin_call_rf_bps * _BPS_TO_WAD,
                reduce_only_rf_wad=self.pool.reduce_only_rf_bps * _BPS_TO_WAD,
                liquidation_rf_wad=self.pool.liquidation_rf_bps * _BPS_TO_WAD,
            )
            if len(pools) == 1
            else None
        )
        self.decimals = book.assets[self.pool.borrowed_asset].decimals
        self.steps: list[StepRecord] = []
        self.liquidations: list[LiquidationRecord] = []
        self.limits: list[LimitRecord] = []
        self.reserves: list[ReserveRecord] = []
        self.sll: list[SllAllocationRecord] = []
        self.savings: list[SavingsRecord] = []
        self.rejections: list[RejectionRecord] = []
        self.worst: tuple[int, str, int] | None = None  # (rf, account, ts)
        self.peak_funding = 0

    # --- journals ------------------------------------------------------------------------

    def _submit(self, journal: str, ledger: Ledger[Any], cmds: list[Any], ts: int) -> list[Any]:
        outcomes = ledger.submit_batch([Submission(command=c, ts_s=ts) for c in cmds])
        for cmd, out in zip(cmds, outcomes, strict=True):
            if isinstance(out, ProtocolError):
                self.rejections.append(RejectionRecord(
                    ts_s=ts, journal=journal, kind=type(cmd).KIND, code=out.code.name,
                    message=out.message, account_id=getattr(cmd, "account_id", None),
                ))  # fmt: skip
        return outcomes

    # --- one step ------------------------------------------------------------------------

    def step(self, index: int, ts: int, prices: dict[str, int]) -> None:
        """The prime book's step `index` at `ts` with `prices` (price_usd_e8 by symbol)."""
        state = self.prime.machine.state
        seq0 = state.notice_seq
        entries = tuple(ec.PriceEntry(symbol=s, price_usd_e8=p) for s, p in sorted(prices.items()))
        cmds: list[Any] = [ec.SetPrices(prices=entries)]
        reports = margin_value_reports(state, prices, ts)  # the venues' view of the new prices
        if reports:
            cmds.append(ec.ReportMarginValues(reports=reports))
        out = self._submit("prime", self.prime, [*cmds, ec.Accrue(), ec.Remargin()], ts)
        remargin = out[-1].result if not isinstance(out[-1], ProtocolError) else {}
        plans = dict(sorted(self.prime.machine.state.plans.items()))
        if plans:
            execs = [
                ec.ExecuteLiquidation(
                    account_id=account_id,
                    fills=tuple(
                        ec.Fill(index=s.index, price_usd_e8=s.expected_price_usd_e8)
                        for s in plan.steps
                        if s.action in TRADE_ACTIONS
                    ),
                )
                for account_id, plan in plans.items()
            ]
            done = self._submit("prime", self.prime, execs, ts)
            for cmd, res in zip(execs, done, strict=True):
                if not isinstance(res, ProtocolError):
                    self._liquidated(ts, plans[cmd.account_id], res.result, remargin)
        self._record_step(index, ts, remargin, seq0)

    def _liquidated(self, ts: int, plan: Any, res: dict[str, Any], remargin: Any) -> None:
        state = self.prime.machine.state
        account = state.accounts[plan.account_id]
        price = plan.borrowed_price_usd_e8
        dec = plan.borrowed_decimals
        rf_before = remargin.get(plan.account_id, {}).get("rf_wad")
        rf_after = margin_of(state, plan.account_id, ts).rf_wad
        self.liquidations.append(LiquidationRecord(
            ts_s=ts, account_id=plan.account_id, borrower_id=account.borrower_id,
            full=plan.target is LiquidationTarget.FULL,
            debt_before_usd_wad=usd_wad(plan.debt, dec, price),
            proceeds_usd_wad=usd_wad(max(plan.expected_proceeds, 0), dec, price),
            repaid_usd_wad=usd_wad(res["repaid"], dec, price),
            fee_usd_wad=usd_wad(res["fee"], dec, price),
            bad_debt_usd_wad=usd_wad(res["bad_debt"], dec, price),
            rf_before_wad=None if rf_before in (None, RF_NO_DEBT_WAD) else rf_before,
            rf_after_wad=None if rf_after == RF_NO_DEBT_WAD else rf_after,
            positions_closed=len(res["closed_position_ids"]),
        ))  # fmt: skip

    def _record_step(self, index: int, ts: int, remargin: dict[str, Any], seq0: int) -> None:
        state = self.prime.machine.state
        borrowed_price = state.prices.get(self.pool.borrowed_asset, 10**8)
        policy = effective_policy(state)
        rfs: list[int] = []
        for account_id, r in sorted(remargin.items()):
            rf = r["rf_wad"]
            if rf is None or rf >= RF_NO_DEBT_WAD:
                continue
            rfs.append(rf)
            if self.worst is None or rf < self.worst[0]:
                self.worst = (rf, account_id, ts)
        held: dict[str, list[Position]] = {a: [] for a in state.accounts}
        for p in state.positions.values():
            held[p.account_id].append(p)
        owed: dict[str, list[Loan]] = {a: [] for a in state.accounts}
        for ln in state.loans.values():
            owed[ln.account_id].append(accrue(ln, now_ts_s=ts))
        debt = value = 0
        for account_id in sorted(state.accounts):  # grouped once: margin_of's own scan is O(book)
            m = margin_of(
                state, account_id, ts, positions=held[account_id], loans=owed[account_id],
                policy=policy,
            )  # fmt: skip
            debt += m.borrowed_usd_wad
            value += m.value_usd_wad
        self.peak_funding = max(self.peak_funding, debt)
        new = [n for n in state.notices if n.seq > seq0]
        self.steps.append(StepRecord(
            step=index, ts_s=ts,
            prices_usd_wad={s: p * _E8_TO_WAD for s, p in state.prices.items()},
            rf_quantiles=RfQuantiles.of(rfs),
            accounts_by_status=Counter(statuses(state, ts).values()),
            total_debt_usd_wad=debt, net_value_usd_wad=value, funding_used_usd_wad=debt,
            cum_bad_debt_usd_wad=usd_wad(state.bad_debt, self.decimals, borrowed_price),
            cum_liquidation_fees_usd_wad=usd_wad(state.fees, self.decimals, borrowed_price),
            liquidations=sum(n.kind is NoticeKind.LIQUIDATION_EXECUTED for n in new),
            margin_calls=sum(n.kind is NoticeKind.MARGIN_CALL for n in new),
        ))  # fmt: skip
        for check in check_book(limit_state(state, ts, policy)):
            scoped = _limit_scope(check.name)
            if scoped is not None and check.curr_usd_wad > 0:
                self.limits.append(LimitRecord(
                    ts_s=ts, scope=scoped[0], name=scoped[1], exposure_usd_wad=check.curr_usd_wad,
                    limit_usd_wad=check.limit_usd_wad,
                ))  # fmt: skip

    def sll_step(self, sll: SllReplay | None, ts: int) -> None:
        """The SLL's step with the prime book's funding now: every venue's allocation, idle and
        in flight (`sim.replay_sll`), and a REPLAY_SLL_DRAW_SHORT rejection when the Arkis book
        could not draw all the book uses. Without the SLL: the book's funding as one row."""
        funding = self.steps[-1].funding_used_usd_wad
        if sll is None:
            self.sll.append(
                SllAllocationRecord(ts_s=ts, venue=SLL_VENUE, allocated_usd_wad=funding)
            )
            return
        rows, draw = sll.step(ts, funding)
        self.sll += rows
        if draw.short:
            err = ProtocolError(
                ErrorCode.REPLAY_SLL_DRAW_SHORT, drawn=draw.drawn, wanted=draw.wanted,
                reason=f"{draw.short} short, bounded by {draw.bound}",
            )  # fmt: skip
            self.rejections.append(RejectionRecord(
                ts_s=ts, journal="sll", kind="sll.transfer_asset", code=err.code.name,
                message=err.message,
            ))  # fmt: skip

    def sparklend_step(self, world: SparkLendWorld, ts: int, prices: dict[str, int]) -> None:
        """SparkLend's step: oracle prices, the keeper's touch, the main reserves' figures."""
        self._submit("sparklend", world.ledger, world.step_commands(prices), ts)
        self.reserves += [
            ReserveRecord(
                ts_s=ts, reserve=r.symbol, utilization_ray=r.utilization_ray,
                supply_rate_ray=r.supply_rate_ray,
                variable_borrow_rate_ray=r.variable_borrow_rate_ray,
                supplied_usd_wad=r.supplied_usd_wad, borrowed_usd_wad=r.borrowed_usd_wad,
            )
            for r in world.reserves()
        ]  # fmt: skip

    def savings_step(self, ts: int, chi_ray: int, rate_ray: int) -> None:
        """sUSDS's chi and rate at `ts`."""
        self.savings.append(
            SavingsRecord(ts_s=ts, vault="sUSDS", chi_ray=chi_ray, rate_ray=rate_ray)
        )

    # --- the result ----------------------------------------------------------------------

    def result(self, **meta: Any) -> ReplayResult:
        """The `ReplayResult` of the steps so far; `meta`: run_id, names, seed, step_s, path."""
        state = self.prime.machine.state
        notices = tuple(
            NoticeRecord(
                ts_s=n.ts_s, kind=n.kind.value, message=n.message, account_id=n.account_id,
                borrower_id=n.borrower_id, loan_id=n.loan_id,
            )
            for n in state.notices
        )  # fmt: skip
        kinds = Counter(n.kind for n in state.notices)
        last = self.steps[-1]
        summary = ResultSummary(
            accounts=len(state.accounts), accounts_by_status=last.accounts_by_status,
            total_bad_debt_usd_wad=last.cum_bad_debt_usd_wad,
            total_liquidation_fees_usd_wad=last.cum_liquidation_fees_usd_wad,
            liquidations=len(self.liquidations), margin_calls=kinds[NoticeKind.MARGIN_CALL],
            recalls=kinds[NoticeKind.RECALL],
            worst_rf_wad=None if self.worst is None else self.worst[0],
            worst_rf_account_id=None if self.worst is None else self.worst[1],
            worst_rf_ts_s=None if self.worst is None else self.worst[2],
            peak_funding_used_usd_wad=self.peak_funding,
            sll_max_usd_wad=state.sll_max_exposure_usd_wad,
        )  # fmt: skip
        return ReplayResult(
            started_ts_s=self.steps[0].ts_s, thresholds=self.thresholds, steps=tuple(self.steps),
            liquidations=tuple(self.liquidations), notices=notices, limits=tuple(self.limits),
            sparklend=tuple(self.reserves), sll=tuple(self.sll), savings=tuple(self.savings),
            rejections=tuple(self.rejections), summary=summary, **meta,
        )  # fmt: skip

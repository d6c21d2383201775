"""`PrimeBook` handlers for risk: re-margin, liquidation, emergencies and critical actions.

`prime.remargin` margins every account (in id order) at the command's time:
`prime.margin.margin_account` -> `prime.status.next_status` (the cure clock: an uncured margin
call turns REDUCE_ONLY after the pool's cure period) -> a notice on every change of rung; the
account's unapproved use is remembered and `prime.recalls.unapproved_notices` recalls its loans
when it is serious or repeated; rate-shortfall recalls are re-checked; an account in LIQUIDATION
gets a full plan from `prime.liquidation_plan.plan_liquidation` (settling at the book's first
on-chain venue), kept pending until `prime.execute_liquidation` applies it with the market's
fills (`prime.liquidation_exec`): positions closed, loans repaid, the fee taken and any
shortfall written off as bad debt, and the borrower's other loans accelerated (cross-default); a
FULL plan's account is recorded as liquidated (`BookState.liquidated`, until its next new loan
or draw). A plan that cannot be made (no market depth for a symbol) is a WARNING notice, not a
refusal of the whole re-margin.

Emergency actions are `prime.emergency`'s (raise-only, checked against the policy in force);
critical actions are `prime.critical_actions`' (>= 3 signers from >= 2 entities at execution).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.prime import critical_actions as ca
from sparkprime.prime import engine_commands as ec
from sparkprime.prime.emergency import EmergencyKind, check_emergency, emergency_notices
from sparkprime.prime.engine_book import add_recalls
from sparkprime.prime.engine_margin import (
    account_loans,
    account_positions,
    effective_policy,
    lookup,
    margin_of,
    status_of,
)
from sparkprime.prime.engine_state import UNAPPROVED_HISTORY_KEPT, BookState, NoticeKind
from sparkprime.prime.liquidation import LiquidationTarget
from sparkprime.prime.liquidation_exec import execute_liquidation as run_plan
from sparkprime.prime.liquidation_plan import plan_liquidation
from sparkprime.prime.policy import VenueKind
from sparkprime.prime.recalls import (
    cross_default_notices,
    observe_unapproved,
    rate_shortfall_notices,
    unapproved_notices,
)
from sparkprime.prime.status import MarginStatus, next_status

__all__ = [
    "approve_critical",
    "emergency_action",
    "execute_critical",
    "execute_liquidation",
    "propose_critical",
    "remargin",
    "settlement_venue",
]

_RUNG_NOTICE = {
    MarginStatus.HEALTHY: NoticeKind.CURED,
    MarginStatus.MARGIN_CALL: NoticeKind.MARGIN_CALL,
    MarginStatus.REDUCE_ONLY: NoticeKind.REDUCE_ONLY,
    MarginStatus.LIQUIDATION: NoticeKind.LIQUIDATION,
}


def settlement_venue(state: BookState) -> str:
    """Where a liquidation's cash is gathered: the first on-chain venue (by id)."""
    onchain = sorted(v for v, venue in state.venues.items() if venue.kind is VenueKind.ONCHAIN)
    return onchain[0] if onchain else min(state.venues, default="onchain")


def _plan(state: BookState, account_id: str, now: int) -> None:
    account = state.accounts[account_id]
    policy = effective_policy(state)
    try:
        plan = plan_liquidation(
            account_positions(state, account_id),
            account_loans(state, account_id, now),
            state.prices,
            policy,
            policy.pool(account.pool_id),
            depths=state.depths,
            assets=state.assets,
            now_ts_s=now,
            target=LiquidationTarget.FULL,
            settlement_venue_id=settlement_venue(state),
        )
    except ProtocolError as error:  # pure: nothing to undo
        state.notify(
            now, NoticeKind.WARNING, f"no liquidation plan: {error.message}", account_id=account_id
        )
        return
    first = account_id not in state.plans
    state.plans[account_id] = plan
    if first:
        state.notify(
            now,
            NoticeKind.LIQUIDATION_PLAN,
            f"{len(plan.steps)} steps, expected proceeds {plan.expected_proceeds}, "
            f"expected bad debt {plan.bad_debt}",
            account_id=account_id,
            amount=plan.debt,
        )


def remargin(state: BookState, cmd: ec.Remargin, now: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    policy = effective_policy(state)
    for account_id, account in sorted(state.accounts.items()):
        m = margin_of(state, account_id, now, policy=policy)
        prev = status_of(state, account_id, now)
        nxt = next_status(prev, m.rf_wad, policy.pool(account.pool_id), now)
        state.statuses[account_id] = nxt
        if nxt.status is not prev.status:
            state.notify(
                now,
                _RUNG_NOTICE[nxt.status],
                f"RF {m.rf_wad} (was {prev.status.value}, now {nxt.status.value})",
                account_id=account_id,
                borrower_id=account.borrower_id,
            )
        seen = (
            *state.unapproved_seen.get(account_id, ()),
            observe_unapproved(m.exposures, stpv_usd_wad=m.stpv_usd_wad, ts_s=now),
        )
        state.unapproved_seen[account_id] = seen[-UNAPPROVED_HISTORY_KEPT:]
        loans = account_loans(state, account_id, now)
        add_recalls(state, unapproved_notices(account, loans, seen, now_ts_s=now), now)
        if nxt.status is MarginStatus.LIQUIDATION:
            _plan(state, account_id, now)
        else:
            state.plans.pop(account_id, None)
        out[account_id] = {"rf_wad": m.rf_wad, "status": nxt.status.value}
    if state.ssr_bps is not None and state.sofr_bps is not None:
        shortfalls = rate_shortfall_notices(
            tuple(ln for _, ln in sorted(state.loans.items())),
            state.accounts,
            policy=state.policy,
            now_ts_s=now,
            ssr_bps=state.ssr_bps,
            sofr_bps=state.sofr_bps,
        )
        add_recalls(state, shortfalls, now)
    return out


def execute_liquidation(state: BookState, cmd: ec.ExecuteLiquidation, now: int) -> dict[str, Any]:
    account = lookup(state.accounts, cmd.account_id, "account")
    plan = lookup(state.plans, cmd.account_id, "liquidation plan for account")
    fills: dict[int, int] = {}
    for f in cmd.fills:
        if f.index in fills:
            raise ProtocolError(
                ErrorCode.PRIME_ENGINE_INVALID_COMMAND,
                field="fills",
                reason=f"step {f.index} is filled twice",
            )
        fills[f.index] = f.price_usd_e8
    held = account_positions(state, account.account_id)
    owed = tuple(ln for _, ln in sorted(state.loans.items()) if ln.account_id == account.account_id)
    positions, loans, outcome = run_plan(plan, held, owed, fills=fills, now_ts_s=now)
    for p in held:
        del state.positions[p.position_id]
    state.positions.update({p.position_id: p for p in positions})
    left = {ln.loan_id: ln for ln in loans}
    for ln in owed:
        closed = replace(
            ln, principal=0, accrued_interest=0, last_accrual_ts_s=max(now, ln.last_accrual_ts_s)
        )
        state.loans[ln.loan_id] = left.get(ln.loan_id, closed)
    del state.plans[account.account_id]
    if plan.target is LiquidationTarget.FULL:
        state.liquidated[account.account_id] = now  # reported as "liquidated" (prime.queries)
    state.bad_debt += outcome.bad_debt
    state.fees += outcome.fee
    policy = effective_policy(state)
    rf = margin_of(state, account.account_id, now, policy=policy).rf_wad
    state.statuses[account.account_id] = next_status(
        status_of(state, account.account_id, now), rf, policy.pool(account.pool_id), now
    )
    state.notify(
        now,
        NoticeKind.LIQUIDATION_EXECUTED,
        f"repaid {outcome.repaid}, fee {outcome.fee}, returned "
        f"{outcome.residual_returned_to_borrower}",
        account_id=account.account_id,
        amount=outcome.repaid,
    )
    if outcome.bad_debt:
        state.notify(
            now,
            NoticeKind.BAD_DEBT,
            f"written off {outcome.bad_debt}",
            account_id=account.account_id,
            amount=outcome.bad_debt,
        )
    closed_ids = {ln.loan_id for ln in owed if ln.loan_id not in left}
    state.recalls = tuple(n for n in state.recalls if n.loan_id not in closed_ids)
    for loan_id in sorted(closed_ids):
        add_recalls(
            state,
            cross_default_notices(
                loan_id,
                tuple(ln for _, ln in sorted(state.loans.items())),
                state.accounts,
                now_ts_s=now,
            ),
            now,
        )
    return {
        "repaid": outcome.repaid,
        "fee": outcome.fee,
        "bad_debt": outcome.bad_debt,
        "residual": outcome.residual_returned_to_borrower,
        "closed_position_ids": list(outcome.closed_position_ids),
    }


def emergency_action(state: BookState, cmd: ec.EmergencyActionCmd, now: int) -> dict[str, Any]:
    action = cmd.action.to_action(now)
    check_emergency((action,), policy=effective_policy(state))
    if action.kind is EmergencyKind.LIQUIDATE_POSITION:
        lookup(state.positions, action.position_id or "", "position")
    loans = tuple(ln for _, ln in sorted(state.loans.items()))
    notices = emergency_notices((action,), loans, state.accounts)
    state.emergencies = (*state.emergencies, action)
    state.notify(
        now,
        NoticeKind.EMERGENCY,
        f"{action.kind.value} by {action.declared_by.value}: {action.reason}",
        loan_id=action.loan_id,
    )
    return {"kind": action.kind.value, "recalled": add_recalls(state, notices, now)}


# --- critical actions ------------------------------------------------------------------------


def _controls(state: BookState) -> ca.AccountControls:
    if state.controls is None:
        raise ProtocolError(
            ErrorCode.PRIME_ENGINE_MISSING_DATA,
            what="signer set",
            reason="the book was built without signers",
        )
    return state.controls


def propose_critical(state: BookState, cmd: ec.ProposeCritical, now: int) -> None:
    controls = _controls(state)
    if cmd.proposal_id in state.proposals:
        raise ProtocolError(
            ErrorCode.PRIME_ENGINE_DUPLICATE_ID, what="proposal", id=cmd.proposal_id
        )
    proposal = ca.propose(cmd.proposal_id, cmd.action.to_action(), controls=controls)
    state.proposals[proposal.proposal_id] = proposal


def approve_critical(state: BookState, cmd: ec.ApproveCritical, now: int) -> int:
    proposal = lookup(state.proposals, cmd.proposal_id, "proposal")
    approved = ca.approve(proposal, cmd.signer, controls=_controls(state))
    state.proposals[proposal.proposal_id] = approved
    return len(approved.approvals)


def execute_critical(state: BookState, cmd: ec.ExecuteCritical, now: int) -> None:
    proposal = lookup(state.proposals, cmd.proposal_id, "proposal")
    state.controls = ca.execute(proposal, controls=_controls(state))
    del state.proposals[proposal.proposal_id]
    state.notify(
        now,
        NoticeKind.CRITICAL_EXECUTED,
        f"proposal {proposal.proposal_id}: {type(proposal.action).__name__}",
    )

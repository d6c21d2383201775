"""Emergency actions (Atlas A.6.1.1.1.3.7 P7/2/5/5; spark-prime.md §1.6, trigger 5).

Used when there is "immediate and severe risk of capital impairment": Spark **and** Arkis may
act at once. The allowed actions become `EmergencyAction` records that the engine applies:

- BLOCK_NEW_LOANS / BLOCK_DRAWS (one pool, or every pool): `new_loan_block_reason`,
  `draw_block_reason` (which also blocks draws on a recalled loan) feed
  `prime.loans.draw(blocked_reason=...)`;
- RAISE_HAIRCUT (an asset group) / RAISE_MARGIN_REQUIREMENT (a pool's margin-call and
  liquidation RF): `apply_emergency_policy` returns the policy to margin with; an emergency
  only ever raises them (`check_emergency` refuses a cut);
- DEMAND_REPAYMENT (a loan): `emergency_notices` turns it into a `RecallNotice` due at once,
  whatever the agreed term, with liquidation allowed;
- LIQUIDATE_POSITION (a high-risk position): handed to the liquidation planner.

Everything is pure; a refused action raises PRIME_EMERGENCY_INVALID_ACTION and changes nothing.

Example:
    >>> a = EmergencyAction(kind=EmergencyKind.BLOCK_DRAWS, declared_by=Actor.ARKIS,
    ...                     effective_ts_s=100, reason="venue outage")
    >>> new_loan_block_reason([a], pool_id="usdc", now_ts_s=100) is None
    True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.prime.book import Account, Loan
from sparkprime.prime.policy import BPS, Policy
from sparkprime.prime.recalls import RecallAction, RecallNotice, RecallTrigger, recall_notice

__all__ = [
    "Actor",
    "EmergencyAction",
    "EmergencyKind",
    "apply_emergency_policy",
    "check_emergency",
    "draw_block_reason",
    "emergency_notices",
    "new_loan_block_reason",
]

_RF_MAX_BPS = 1_000_000  # as prime.policy: an RF threshold above 100x is a typo


class Actor(StrEnum):
    """Who may act in an emergency: Spark and Arkis (P7/2/5/5)."""

    SPARK = "spark"
    ARKIS = "arkis"


class EmergencyKind(StrEnum):
    BLOCK_NEW_LOANS = "block_new_loans"  # pool_id (None = every pool)
    BLOCK_DRAWS = "block_draws"  # pool_id (None = every pool)
    RAISE_HAIRCUT = "raise_haircut"  # group_id, haircut_long_bps / haircut_short_bps
    RAISE_MARGIN_REQUIREMENT = "raise_margin_requirement"  # pool_id, margin_call / liquidation RF
    DEMAND_REPAYMENT = "demand_repayment"  # loan_id
    LIQUIDATE_POSITION = "liquidate_position"  # position_id


@dataclass(frozen=True, slots=True, kw_only=True)
class EmergencyAction:
    """One emergency measure; only the fields of its kind are set."""

    kind: EmergencyKind
    declared_by: Actor
    effective_ts_s: int
    reason: str
    pool_id: str | None = None
    group_id: int | None = None
    haircut_long_bps: int | None = None
    haircut_short_bps: int | None = None
    margin_call_rf_bps: int | None = None
    liquidation_rf_bps: int | None = None
    loan_id: str | None = None
    position_id: str | None = None


def _bad_emergency(a: EmergencyAction, reason: str) -> ProtocolError:
    return ProtocolError(ErrorCode.PRIME_EMERGENCY_INVALID_ACTION, kind=a.kind, reason=reason)


def _raise_only(a: EmergencyAction, name: str, new: int | None, old: int, hi: int) -> None:
    if new is not None and not old <= new <= hi:
        raise _bad_emergency(a, f"{name} {new} must be raised from {old} (at most {hi})")


def check_emergency(actions: Iterable[EmergencyAction], *, policy: Policy) -> None:
    """Each action names a target of its kind, and only raises haircuts and RF thresholds."""
    k = EmergencyKind
    for a in actions:
        if not isinstance(a.declared_by, Actor):
            raise _bad_emergency(a, f"declared by {a.declared_by!r}: only Spark or Arkis")
        if a.kind is k.RAISE_HAIRCUT:
            group = next((g for g in policy.groups if g.group_id == a.group_id), None)
            if group is None:
                raise _bad_emergency(a, f"no asset group {a.group_id!r}")
            if a.haircut_long_bps is None and a.haircut_short_bps is None:
                raise _bad_emergency(a, "no new haircut given")
            _raise_only(a, "haircut_long_bps", a.haircut_long_bps, group.haircut_long_bps, BPS)
            _raise_only(a, "haircut_short_bps", a.haircut_short_bps, group.haircut_short_bps, BPS)
            if group.pegged and a.haircut_short_bps:
                raise _bad_emergency(a, f"group {group.name} is pegged: never stressed up")
        elif a.kind is k.RAISE_MARGIN_REQUIREMENT:
            pool = policy.pool(a.pool_id or "")
            if a.margin_call_rf_bps is None and a.liquidation_rf_bps is None:
                raise _bad_emergency(a, "no new RF threshold given")
            hi = _RF_MAX_BPS
            _raise_only(a, "margin_call_rf_bps", a.margin_call_rf_bps, pool.margin_call_rf_bps, hi)
            _raise_only(a, "liquidation_rf_bps", a.liquidation_rf_bps, pool.liquidation_rf_bps, hi)
        elif a.kind is k.DEMAND_REPAYMENT and not a.loan_id:
            raise _bad_emergency(a, "needs the loan_id")
        elif a.kind is k.LIQUIDATE_POSITION and not a.position_id:
            raise _bad_emergency(a, "needs the position_id")
        elif a.kind in (k.BLOCK_DRAWS, k.BLOCK_NEW_LOANS) and a.pool_id is not None:
            policy.pool(a.pool_id)


def apply_emergency_policy(policy: Policy, actions: Iterable[EmergencyAction]) -> Policy:
    """`policy` with the emergency's raised haircuts and RF thresholds (checked first)."""
    actions = tuple(actions)
    check_emergency(actions, policy=policy)
    groups = {g.group_id: g for g in policy.groups}
    pools = {p.pool_id: p for p in policy.pools}
    for a in actions:
        if a.kind is EmergencyKind.RAISE_HAIRCUT and a.group_id is not None:
            g = groups[a.group_id]
            groups[a.group_id] = replace(
                g,
                haircut_long_bps=max(g.haircut_long_bps, a.haircut_long_bps or 0),
                haircut_short_bps=max(g.haircut_short_bps, a.haircut_short_bps or 0),
            )
        elif a.kind is EmergencyKind.RAISE_MARGIN_REQUIREMENT and a.pool_id is not None:
            p = pools[a.pool_id]
            # Keep liquidation <= reduce-only <= margin call: a higher liquidation RF lifts
            # the rungs above it.
            liquidation = max(p.liquidation_rf_bps, a.liquidation_rf_bps or 0)
            reduce_only = max(p.reduce_only_rf_bps, liquidation)
            margin_call = max(p.margin_call_rf_bps, a.margin_call_rf_bps or 0, reduce_only)
            pools[a.pool_id] = replace(
                p,
                margin_call_rf_bps=margin_call,
                reduce_only_rf_bps=reduce_only,
                liquidation_rf_bps=liquidation,
            )
    return replace(policy, groups=tuple(groups.values()), pools=tuple(pools.values()))


def _block_reason(
    actions: Iterable[EmergencyAction], kind: EmergencyKind, pool_id: str, now_ts_s: int
) -> str | None:
    for a in actions:
        if a.kind is kind and a.effective_ts_s <= now_ts_s and a.pool_id in (None, pool_id):
            return f"emergency by {a.declared_by.value}: {a.reason}"
    return None


def new_loan_block_reason(
    actions: Iterable[EmergencyAction], *, pool_id: str, now_ts_s: int
) -> str | None:
    """Why new loans in `pool_id` are blocked now, or None."""
    return _block_reason(actions, EmergencyKind.BLOCK_NEW_LOANS, pool_id, now_ts_s)


def draw_block_reason(
    loan: Loan,
    *,
    pool_id: str,
    now_ts_s: int,
    actions: Iterable[EmergencyAction] = (),
    notices: Iterable[RecallNotice] = (),
) -> str | None:
    """Why draws on `loan` are blocked now (an emergency block, or a recall notice on the
    loan), or None: feed it to `prime.loans.draw(blocked_reason=...)`."""
    reason = _block_reason(actions, EmergencyKind.BLOCK_DRAWS, pool_id, now_ts_s)
    if reason is not None:
        return reason
    for n in notices:
        if n.loan_id == loan.loan_id and n.action is not RecallAction.ADJUST_RATE_OR_RECALL:
            return f"recalled ({n.trigger.value}): {n.reason}"
    return None


def emergency_notices(
    actions: Iterable[EmergencyAction], loans: Iterable[Loan], accounts: Mapping[str, Account]
) -> tuple[RecallNotice, ...]:
    """DEMAND_REPAYMENT actions as notices: due at once, whatever the agreed term."""
    by_id = {ln.loan_id: ln for ln in loans}
    out = []
    for a in actions:
        if a.kind is not EmergencyKind.DEMAND_REPAYMENT:
            continue
        loan = by_id.get(a.loan_id or "")
        if loan is None:
            raise _bad_emergency(a, f"no loan {a.loan_id!r}")
        out.append(recall_notice(
            loan, accounts, trigger=RecallTrigger.EMERGENCY, action=RecallAction.ACCELERATE,
            effective_ts_s=a.effective_ts_s, liquidation_allowed=True,
            reason=f"emergency by {a.declared_by.value}: {a.reason}",
        ))  # fmt: skip
    return tuple(out)

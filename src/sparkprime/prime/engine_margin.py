"""Read-only views of a `BookState`: the effective policy, an account's margin, the limits.

Pure functions over the state (nothing here mutates it); the engine's handlers and the query
facade (`prime.queries`) both use them, so what a command checks and what a query shows are
the same numbers.

- `effective_policy`: the policy with the active emergency actions' raised haircuts and RF
  thresholds (`prime.emergency.apply_emergency_policy`; the part of an action the current
  policy already meets or exceeds is dropped, so a later policy change cannot make it a cut,
  and the rest still applies: a policy that raises only the long haircut keeps the
  emergency's higher short haircut);
- `margin_of`: `prime.margin.margin_account` of one account at `now_ts_s`, with its loans'
  interest accrued to then (read, not persisted: `prime.loans.accrue`) and the book's market
  depths for the liquidity add-on;
- `limit_state`: what `prime.limits` reads (every position and loan of the book).

Positions and loans are always taken in id order, so a state restored from a snapshot gives
the same results as the live one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import TypeVar

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.prime.book import Account, Loan, Position
from sparkprime.prime.emergency import (
    EmergencyAction,
    EmergencyKind,
    apply_emergency_policy,
    check_emergency,
)
from sparkprime.prime.engine_state import BookState
from sparkprime.prime.limits import LimitState
from sparkprime.prime.loans import accrue
from sparkprime.prime.margin import MarginResult, margin_account
from sparkprime.prime.policy import Policy, PoolParams
from sparkprime.prime.status import AccountStatusState, MarginStatus

__all__ = [
    "account_loans",
    "account_positions",
    "effective_policy",
    "is_restricted",
    "limit_state",
    "lookup",
    "margin_of",
    "pool_of",
    "status_of",
]

_V = TypeVar("_V")


def lookup(table: Mapping[str, _V], key: str, what: str) -> _V:
    """`table[key]`, or PRIME_ENGINE_UNKNOWN_ID naming `what`."""
    found = table.get(key)
    if found is None:
        raise ProtocolError(ErrorCode.PRIME_ENGINE_UNKNOWN_ID, what=what, id=key)
    return found


def _above(new: int | None, old: int) -> int | None:
    return new if new is not None and new > old else None


def _still_raising(action: EmergencyAction, policy: Policy) -> EmergencyAction | None:
    """`action` less what `policy` already meets or exceeds; None when nothing is left (or
    its target is gone)."""
    try:
        check_emergency((action,), policy=policy)
        return action
    except ProtocolError:
        pass
    if action.kind is EmergencyKind.RAISE_HAIRCUT:
        group = next((g for g in policy.groups if g.group_id == action.group_id), None)
        if group is None:
            return None
        short = None if group.pegged else action.haircut_short_bps  # never stressed up
        trimmed = replace(
            action,
            haircut_long_bps=_above(action.haircut_long_bps, group.haircut_long_bps),
            haircut_short_bps=_above(short, group.haircut_short_bps),
        )
    elif action.kind is EmergencyKind.RAISE_MARGIN_REQUIREMENT:
        pool = next((p for p in policy.pools if p.pool_id == action.pool_id), None)
        if pool is None:
            return None
        trimmed = replace(
            action,
            margin_call_rf_bps=_above(action.margin_call_rf_bps, pool.margin_call_rf_bps),
            liquidation_rf_bps=_above(action.liquidation_rf_bps, pool.liquidation_rf_bps),
        )
    else:
        return None
    try:
        check_emergency((trimmed,), policy=policy)
    except ProtocolError:
        return None  # nothing left to raise
    return trimmed


def effective_policy(state: BookState) -> Policy:
    """The policy margin and limits use now: the base policy raised by active emergencies."""
    raises = []
    for action in state.emergencies:
        kept = _still_raising(action, state.policy)
        if kept is not None:
            raises.append(kept)
    return apply_emergency_policy(state.policy, raises) if raises else state.policy


def pool_of(state: BookState, account: Account, policy: Policy | None = None) -> PoolParams:
    """The account's lending pool under `policy` (the effective one by default)."""
    return (policy or effective_policy(state)).pool(account.pool_id)


def account_positions(state: BookState, account_id: str) -> tuple[Position, ...]:
    return tuple(p for _, p in sorted(state.positions.items()) if p.account_id == account_id)


def account_loans(state: BookState, account_id: str, now_ts_s: int) -> tuple[Loan, ...]:
    """The account's loans with interest accrued to `now_ts_s` (not persisted)."""
    return tuple(
        accrue(ln, now_ts_s=now_ts_s)
        for _, ln in sorted(state.loans.items())
        if ln.account_id == account_id
    )


def margin_of(
    state: BookState,
    account_id: str,
    now_ts_s: int,
    *,
    positions: Iterable[Position] | None = None,
    loans: Iterable[Loan] | None = None,
    policy: Policy | None = None,
) -> MarginResult:
    """The account's margin now (or with the given positions / loans instead of its own)."""
    account = lookup(state.accounts, account_id, "account")
    policy = policy or effective_policy(state)
    held = account_positions(state, account_id) if positions is None else tuple(positions)
    owed = account_loans(state, account_id, now_ts_s) if loans is None else tuple(loans)
    return margin_account(
        sorted(held, key=lambda p: p.position_id),
        sorted(owed, key=lambda ln: ln.loan_id),
        state.prices,
        policy,
        policy.pool(account.pool_id),
        assets=state.assets,
        now_ts_s=now_ts_s,
        depths=state.depths or None,
    )


def status_of(state: BookState, account_id: str, now_ts_s: int) -> AccountStatusState:
    """The account's recorded ladder state (HEALTHY with no clock before its first check)."""
    return state.statuses.get(account_id) or AccountStatusState.initial(now_ts_s)


def is_restricted(status: AccountStatusState) -> bool:
    return status.status in (MarginStatus.REDUCE_ONLY, MarginStatus.LIQUIDATION)


def limit_state(state: BookState, now_ts_s: int, policy: Policy | None = None) -> LimitState:
    """The whole book as `prime.limits` reads it (funding in the first pool's asset)."""
    policy = policy or effective_policy(state)
    return LimitState(
        positions=tuple(p for _, p in sorted(state.positions.items())),
        loans=tuple(ln for _, ln in sorted(state.loans.items())),
        venues=dict(state.venues),
        assets=dict(state.assets),
        prices=dict(state.prices),
        policy=policy,
        now_ts_s=now_ts_s,
        max_funding_usd_wad=state.sll_max_exposure_usd_wad,
        circulating_supply=dict(state.circulating_supply),
        funding_asset=policy.pools[0].borrowed_asset if policy.pools else "USDC",
    )

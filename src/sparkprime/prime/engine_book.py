"""`PrimeBook` handlers for governance and the book: policy, market data, borrowers, venues,
accounts and positions.

Each handler takes the engine's working copy of the state, the command and the command's time,
validates first and mutates the copy only once everything passed (the engine drops the copy
on a refusal anyway). A position change runs `prime.exposure.validate_position` (an expired
future or PT is refused), the book records' own checks (a negative quantity where none is
allowed is refused), the reduce-only rule, and every book-wide limit
(`prime.limits.assert_within_limits`: a venue over its limit is refused, naming the limit)
before it is applied (an account with a pending liquidation plan takes none: the plan owns
its positions until `prime.execute_liquidation`); an asset the policy does not approve (or
does not know) is accepted and a WARNING notice says it takes the 100% haircut; a symbol the
book cannot value (not in the asset registry, or unpriced) is refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any, Final

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.prime import engine_commands as ec
from sparkprime.prime.addons import MarketDepth
from sparkprime.prime.book import Account, Asset, Borrower, Position, Venue
from sparkprime.prime.engine_margin import (
    effective_policy,
    is_restricted,
    limit_state,
    lookup,
    margin_of,
    status_of,
)
from sparkprime.prime.engine_state import BookState, NoticeKind
from sparkprime.prime.exposure import position_exposures, validate_position
from sparkprime.prime.limits import PositionChange, assert_within_limits
from sparkprime.prime.recalls import (
    RecallNotice,
    insolvency_notices,
    parameter_change_notices,
    rate_shortfall_notices,
)
from sparkprime.prime.status import AccountStatusState

__all__ = [
    "BENCHMARK_MAX_BPS",
    "BENCHMARK_MIN_BPS",
    "add_recalls",
    "add_venue",
    "borrower_event",
    "onboard_borrower",
    "open_account",
    "register_asset",
    "remove_position",
    "set_benchmarks",
    "set_circulating_supply",
    "set_market_depth",
    "set_policy",
    "set_prices",
    "set_sll_max_exposure",
    "update_borrower",
    "upsert_position",
]

BENCHMARK_MIN_BPS: Final = -10_000  # the range `RateFloorRule.floor_bps` accepts
BENCHMARK_MAX_BPS: Final = 1_000_000


def _invalid(field: str, reason: str) -> ProtocolError:
    return ProtocolError(ErrorCode.PRIME_ENGINE_INVALID_COMMAND, field=field, reason=reason)


def _unique(field: str, symbols: Iterable[str]) -> None:
    seen: set[str] = set()
    for s in symbols:
        if s in seen:
            raise _invalid(field, f"{s!r} appears twice")
        seen.add(s)


def add_recalls(state: BookState, notices: Iterable[RecallNotice], now_ts_s: int) -> list[str]:
    """Record new recall notices (one active per loan and trigger) with a RECALL notice each;
    returns the loan ids newly recalled."""
    active = {(n.loan_id, n.trigger) for n in state.recalls}
    added: list[str] = []
    for n in notices:
        if (n.loan_id, n.trigger) in active:
            continue
        active.add((n.loan_id, n.trigger))
        state.recalls = (*state.recalls, n)
        state.notify(
            now_ts_s,
            NoticeKind.RECALL,
            f"{n.trigger.value}: {n.action.value} from {n.effective_ts_s}: {n.reason}",
            borrower_id=n.borrower_id,
            loan_id=n.loan_id,
        )
        added.append(n.loan_id)
    return added


# --- governance ----------------------------------------------------------------------------


def set_policy(state: BookState, cmd: ec.SetPolicy, now: int) -> dict[str, Any]:
    if (cmd.policy is None) == (cmd.version is None):
        raise _invalid("policy", "give exactly one of a full policy or a version id")
    if cmd.policy is not None:
        new = cmd.policy.to_policy()
    else:
        found = [p for p in state.history if p.version == cmd.version]
        if not found:
            known = [p.version for p in state.history]
            raise ProtocolError(
                ErrorCode.PRIME_ENGINE_UNKNOWN_ID,
                what=f"policy version (known: {known})",
                id=cmd.version,
            )
        new = found[0]
    for account in state.accounts.values():
        new.pool(account.pool_id)  # a pool in use must stay: PRIME_UNKNOWN_POOL
    for venue in state.venues.values():
        new.venue(venue.name)  # so must a venue in use: PRIME_UNKNOWN_VENUE
    old = state.policy
    recalls = parameter_change_notices(
        tuple(ln for _, ln in sorted(state.loans.items())),
        state.accounts,
        old_policy=old,
        new_policy=new,
        now_ts_s=now,
        ssr_bps=state.ssr_bps or 0,
        sofr_bps=state.sofr_bps or 0,
        positions=tuple(p for _, p in sorted(state.positions.items())),
    )
    state.policy = new
    state.notify(now, NoticeKind.POLICY_CHANGED, f"policy {old.version} -> {new.version}")
    return {"version": new.version, "recalled": add_recalls(state, recalls, now)}


def set_benchmarks(state: BookState, cmd: ec.SetBenchmarks, now: int) -> dict[str, Any]:
    for name in ("ssr_bps", "sofr_bps"):
        value = getattr(cmd, name)
        if not BENCHMARK_MIN_BPS <= value <= BENCHMARK_MAX_BPS:
            raise _invalid(name, f"{value} is outside [{BENCHMARK_MIN_BPS}, {BENCHMARK_MAX_BPS}]")
    recalls = rate_shortfall_notices(
        tuple(ln for _, ln in sorted(state.loans.items())),
        state.accounts,
        policy=state.policy,
        now_ts_s=now,
        ssr_bps=cmd.ssr_bps,
        sofr_bps=cmd.sofr_bps,
    )
    state.ssr_bps, state.sofr_bps = cmd.ssr_bps, cmd.sofr_bps
    return {"recalled": add_recalls(state, recalls, now)}


def set_prices(state: BookState, cmd: ec.SetPrices, now: int) -> int:
    _unique("prices", (e.symbol for e in cmd.prices))
    for e in cmd.prices:
        if not e.symbol:
            raise _invalid("prices", "a symbol must be non-empty")
        if e.price_usd_e8 <= 0:
            raise ProtocolError(
                ErrorCode.PRIME_ENGINE_INVALID_PRICE, symbol=e.symbol, price_usd_e8=e.price_usd_e8
            )
    state.prices.update({e.symbol: e.price_usd_e8 for e in cmd.prices})
    return len(cmd.prices)


def set_market_depth(state: BookState, cmd: ec.SetMarketDepth, now: int) -> int:
    _unique("depths", (e.symbol for e in cmd.depths))
    depths = {
        e.symbol: MarketDepth(
            symbol=e.symbol,
            depth_1pct_usd_wad=e.depth_1pct_usd_wad,
            depth_2pct_usd_wad=e.depth_2pct_usd_wad,
            adv_usd_wad=e.adv_usd_wad,
        )
        for e in cmd.depths
    }
    state.depths.update(depths)
    return len(depths)


def set_circulating_supply(state: BookState, cmd: ec.SetCirculatingSupply, now: int) -> int:
    _unique("supplies", (e.symbol for e in cmd.supplies))
    state.circulating_supply.update({e.symbol: e.supply for e in cmd.supplies})
    return len(cmd.supplies)


def set_sll_max_exposure(state: BookState, cmd: ec.SetSllMaxExposure, now: int) -> None:
    state.sll_max_exposure_usd_wad = cmd.max_exposure_usd_wad


def register_asset(state: BookState, cmd: ec.RegisterAsset, now: int) -> None:
    if cmd.symbol in state.assets:
        raise ProtocolError(ErrorCode.PRIME_ENGINE_DUPLICATE_ID, what="asset", id=cmd.symbol)
    state.assets[cmd.symbol] = Asset(
        symbol=cmd.symbol, decimals=cmd.decimals, pegged_to=cmd.pegged_to
    )


# --- borrowers, venues, accounts -----------------------------------------------------------


def onboard_borrower(state: BookState, cmd: ec.OnboardBorrower, now: int) -> None:
    if cmd.borrower_id in state.borrowers:
        raise ProtocolError(
            ErrorCode.PRIME_ENGINE_DUPLICATE_ID, what="borrower", id=cmd.borrower_id
        )
    state.borrowers[cmd.borrower_id] = Borrower(
        borrower_id=cmd.borrower_id,
        name=cmd.name,
        entity=cmd.entity,
        kyc=cmd.kyc,
        sanctioned=cmd.sanctioned,
        solvency_attested_ts_s=cmd.solvency_attested_ts_s,
    )


def update_borrower(state: BookState, cmd: ec.UpdateBorrower, now: int) -> None:
    b = lookup(state.borrowers, cmd.borrower_id, "borrower")
    changes = {
        name: getattr(cmd, name)
        for name in ("kyc", "sanctioned", "solvency_attested_ts_s")
        if getattr(cmd, name) is not None
    }
    if not changes:
        raise _invalid("borrower", "nothing to change")
    after = replace(b, **changes)
    state.borrowers[b.borrower_id] = after
    if after.sanctioned and not b.sanctioned:
        state.notify(
            now,
            NoticeKind.WARNING,
            "borrower sanctioned: no new loans or draws",
            borrower_id=b.borrower_id,
        )


def borrower_event(state: BookState, cmd: ec.BorrowerEvent, now: int) -> dict[str, Any]:
    b = lookup(state.borrowers, cmd.borrower_id, "borrower")
    insolvent = cmd.event is ec.BorrowerEventKind.INSOLVENCY
    after = replace(
        b,
        insolvent=b.insolvent or insolvent,
        in_administration=b.in_administration or not insolvent,
    )
    loans = tuple(ln for _, ln in sorted(state.loans.items()))
    recalls = insolvency_notices(after, loans, state.accounts, now_ts_s=now)
    state.borrowers[b.borrower_id] = after
    return {"recalled": add_recalls(state, recalls, now)}


def add_venue(state: BookState, cmd: ec.AddVenue, now: int) -> None:
    if cmd.venue_id in state.venues:
        raise ProtocolError(ErrorCode.PRIME_ENGINE_DUPLICATE_ID, what="venue", id=cmd.venue_id)
    venue = Venue(
        venue_id=cmd.venue_id, name=cmd.name, kind=cmd.kind, master_account=cmd.master_account
    )
    approved = state.policy.venue(cmd.name)  # PRIME_UNKNOWN_VENUE if not approved
    if approved.kind is not cmd.kind:
        raise _invalid(
            "kind", f"venue {cmd.name} is {approved.kind.value} in the policy, not {cmd.kind.value}"
        )
    state.venues[venue.venue_id] = venue


def open_account(state: BookState, cmd: ec.OpenAccount, now: int) -> None:
    if cmd.account_id in state.accounts:
        raise ProtocolError(ErrorCode.PRIME_ENGINE_DUPLICATE_ID, what="account", id=cmd.account_id)
    borrower = lookup(state.borrowers, cmd.borrower_id, "borrower")
    if borrower.sanctioned:
        raise ProtocolError(
            ErrorCode.PRIME_LOAN_BORROWER_SANCTIONED,
            borrower_id=borrower.borrower_id,
            stage="open_account",
        )
    state.policy.pool(cmd.pool_id)  # PRIME_UNKNOWN_POOL
    account = Account(account_id=cmd.account_id, borrower_id=cmd.borrower_id, pool_id=cmd.pool_id)
    state.accounts[account.account_id] = account
    state.statuses[account.account_id] = AccountStatusState.initial(now)


# --- positions -----------------------------------------------------------------------------


def _check_reduce_only(
    state: BookState, account_id: str, after: Iterable[Position], now: int, action: str
) -> None:
    """A REDUCE_ONLY / LIQUIDATION account's change must not lower its RF, and an account
    with a pending liquidation plan takes no position change (the plan owns it)."""
    status = status_of(state, account_id, now)
    if account_id in state.plans:
        raise ProtocolError(
            ErrorCode.PRIME_ENGINE_REDUCE_ONLY,
            account_id=account_id,
            status=status.status.value,
            reason=f"a liquidation plan is pending: no {action}",
        )
    if not is_restricted(status):
        return
    curr = margin_of(state, account_id, now).rf_wad
    nxt = margin_of(state, account_id, now, positions=after).rf_wad
    if nxt < curr:
        raise ProtocolError(
            ErrorCode.PRIME_ENGINE_REDUCE_ONLY,
            account_id=account_id,
            status=status.status.value,
            reason=f"{action} would lower RF from {curr} to {nxt}",
        )


def upsert_position(state: BookState, cmd: ec.UpsertPosition, now: int) -> dict[str, Any]:
    p = cmd.position.to_position()  # PRIME_INVALID_POSITION (e.g. a negative spot qty)
    account = lookup(state.accounts, p.account_id, "account")
    lookup(state.venues, p.venue_id, "venue")
    held = state.positions.get(p.position_id)
    if held is not None and held.account_id != p.account_id:
        raise _invalid("position", f"{p.position_id!r} belongs to account {held.account_id!r}")
    policy = effective_policy(state)
    validate_position(p, policy, now)  # PRIME_POSITION_EXPIRED
    others = [
        q
        for q in state.positions.values()
        if q.account_id == account.account_id and q.position_id != p.position_id
    ]
    _check_reduce_only(state, account.account_id, [*others, p], now, "this position change")
    assert_within_limits(limit_state(state, now, policy), PositionChange(upserts=(p,)))
    warnings = [
        e.reason
        for e in position_exposures(
            p, prices=state.prices, assets=state.assets, policy=policy, now_ts_s=now
        )
        if not e.approved
    ]
    state.positions[p.position_id] = p
    for w in dict.fromkeys(warnings):
        state.notify(
            now, NoticeKind.WARNING, f"position {p.position_id}: {w}", account_id=account.account_id
        )
    return {"position_id": p.position_id, "warnings": list(dict.fromkeys(warnings))}


def remove_position(state: BookState, cmd: ec.RemovePosition, now: int) -> None:
    p = lookup(state.positions, cmd.position_id, "position")
    others = [
        q
        for q in state.positions.values()
        if q.account_id == p.account_id and q.position_id != p.position_id
    ]
    _check_reduce_only(state, p.account_id, others, now, "removing this position")
    policy = effective_policy(state)
    assert_within_limits(limit_state(state, now, policy), PositionChange(removals=(p.position_id,)))
    del state.positions[p.position_id]

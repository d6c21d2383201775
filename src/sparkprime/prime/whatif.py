"""What-if: an account's RF after hypothetical changes, and how much more it may borrow.

Changes: add positions, remove positions (by id), withdraw part of a SPOT position (by id),
borrow more (in the pool asset's base units). Borrowed funds are assumed to leave the account
(the conservative reading: a borrow only raises the denominator).

`max_extra_borrow` is exact algebra, not a search. With S = the next STPV and the pool's
margin-call threshold mc (wad), the account stays HEALTHY (rf_wad > mc) while
floor(S x 1e18 / B) >= mc + 1, i.e. B <= B_max = floor(S x 1e18 / (mc + 1)). In the pool
asset's base units (borrowed value is ceil(units x price) on the total), the largest total is
floor(B_max x 10^decimals / (price x 1e10)); minus what is owed now, never below 0. One more
base unit would leave the account at or below the margin-call RF.

The partial-withdrawal rule (Arkis v2 whitepaper, "Partial Withdrawal"): allowed only if
STPV(target) x (1 - withdrawal haircut) > borrowed. `withdraw_allowed` checks it for the
changes asked; `max_withdraw_qty` finds the largest withdrawable part of one SPOT position by
bisection over its integer quantity: STPV(target) falls monotonically as more is withdrawn
(each dollar removed takes away its value and at most its haircut's share of charge, as
haircuts are <= 100%), so the bisection is exact.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.prime.addons import MarketDepth
from sparkprime.prime.book import Asset, Loan, LoanKind, Position, PositionKind, PriceMap
from sparkprime.prime.margin import MarginResult, margin_account
from sparkprime.prime.policy import BPS, WAD, Policy, PoolParams
from sparkprime.prime.status import BPS_TO_WAD, MarginStatus

__all__ = ["WhatIfResult", "max_extra_borrow", "max_withdraw_qty", "what_if", "withdraw_allowed"]


@dataclass(frozen=True, slots=True, kw_only=True)
class WhatIfResult:
    """Now and after the changes; borrow headroom after them."""

    current: MarginResult
    next: MarginResult
    curr_rf_wad: int
    next_rf_wad: int
    next_status: MarginStatus
    max_extra_borrow: int  # pool-asset base units
    max_extra_borrow_usd_wad: int
    withdraw_allowed: bool | None  # None when no withdrawal was asked


def _bad(field: str, reason: str) -> ProtocolError:
    return ProtocolError(ErrorCode.PRIME_INVALID_WHAT_IF, field=field, reason=reason)


def max_extra_borrow(
    result: MarginResult, pool: PoolParams, prices: PriceMap, assets: Mapping[str, Asset],
    owed_units: int,
) -> tuple[int, int]:  # fmt: skip
    """(base units, USD wad) more that keeps `result`'s account HEALTHY (module docstring)."""
    if result.stpv_usd_wad <= 0:
        return 0, 0
    b_max = result.stpv_usd_wad * WAD // (pool.margin_call_rf_bps * BPS_TO_WAD + 1)
    asset = assets.get(pool.borrowed_asset)
    price = prices.get(pool.borrowed_asset)
    if asset is None or not isinstance(price, int) or price <= 0:
        raise _bad("pool", f"no price or decimals for {pool.borrowed_asset}")
    total = b_max * 10**asset.decimals // (price * 10**10)
    return max(0, total - owed_units), max(0, b_max - result.borrowed_usd_wad)


def withdraw_allowed(result: MarginResult, pool: PoolParams) -> bool:
    """STPV(target) x (1 - withdrawal haircut) > borrowed, exactly."""
    lhs = result.stpv_usd_wad * (BPS - pool.withdrawal_haircut_bps)
    return lhs > result.borrowed_usd_wad * BPS


def _apply(
    positions: tuple[Position, ...],
    add: Iterable[Position],
    remove: Iterable[str],
    withdraw: Mapping[str, int],
) -> tuple[Position, ...]:
    by_id = {p.position_id: p for p in positions}
    for pid in remove:
        if pid not in by_id:
            raise _bad("remove", f"no position {pid!r}")
        del by_id[pid]
    for pid, qty in withdraw.items():
        p = by_id.get(pid)
        if p is None or p.kind is not PositionKind.SPOT:
            raise _bad("withdraw", f"{pid!r} is not a SPOT position of the account")
        if not isinstance(qty, int) or not 0 <= qty <= p.qty:
            raise _bad("withdraw", f"{pid!r}: {qty!r} is not in [0, {p.qty}]")
        by_id[pid] = replace(p, qty=p.qty - qty)
    for p in add:
        if p.position_id in by_id:
            raise _bad("add", f"position id {p.position_id!r} already exists")
        by_id[p.position_id] = p
    return tuple(by_id.values())


def what_if(
    positions: Iterable[Position],
    loans: Iterable[Loan],
    prices: PriceMap,
    policy: Policy,
    pool: PoolParams,
    *,
    assets: Mapping[str, Asset],
    now_ts_s: int,
    add: Iterable[Position] = (),
    remove: Iterable[str] = (),
    withdraw: Mapping[str, int] | None = None,
    borrow: int = 0,
    depths: Mapping[str, MarketDepth] | None = None,
) -> WhatIfResult:
    """RF now and after the changes, the status after, and the borrow headroom after."""
    positions = tuple(positions)
    loans = tuple(loans)
    if not isinstance(borrow, int) or borrow < 0:
        raise _bad("borrow", f"{borrow!r} is not an int >= 0")

    def margin(ps: tuple[Position, ...], ls: tuple[Loan, ...]) -> MarginResult:
        return margin_account(ps, ls, prices, policy, pool, assets=assets, now_ts_s=now_ts_s,
                              depths=depths)  # fmt: skip

    current = margin(positions, loans)
    target = _apply(positions, add, remove, withdraw or {})
    next_loans = loans
    if borrow:
        # The extra loan belongs to the account the positions are in, including positions the
        # what-if adds to an empty account, so margin_account sees one account.
        holders = [ln.account_id for ln in loans] + [p.account_id for p in target]
        account = holders[0] if holders else ""
        extra = Loan(
            loan_id="what-if-borrow", account_id=account or "what-if", principal=borrow,
            rate_bps=0, kind=LoanKind.DEMAND, originated_ts_s=now_ts_s, term_end_ts_s=None,
            accrued_interest=0, last_accrual_ts_s=now_ts_s,
        )  # fmt: skip
        next_loans = (*loans, extra)
    nxt = margin(target, next_loans)
    owed = sum(ln.principal + ln.accrued_interest for ln in next_loans)
    units, usd = max_extra_borrow(nxt, pool, prices, assets, owed)
    return WhatIfResult(
        current=current,
        next=nxt,
        curr_rf_wad=current.rf_wad,
        next_rf_wad=nxt.rf_wad,
        next_status=nxt.status,
        max_extra_borrow=units,
        max_extra_borrow_usd_wad=usd,
        withdraw_allowed=None if not withdraw else withdraw_allowed(nxt, pool),
    )


def max_withdraw_qty(
    positions: Iterable[Position],
    loans: Iterable[Loan],
    prices: PriceMap,
    policy: Policy,
    pool: PoolParams,
    *,
    position_id: str,
    assets: Mapping[str, Asset],
    now_ts_s: int,
) -> int:
    """The largest part of SPOT `position_id` the withdrawal rule allows (0 if none)."""
    positions = tuple(positions)
    loans = tuple(loans)
    held = next((p.qty for p in positions if p.position_id == position_id), None)
    if held is None:
        raise _bad("withdraw", f"no position {position_id!r}")

    def ok(q: int) -> bool:
        target = _apply(positions, (), (), {position_id: q})
        r = margin_account(target, loans, prices, policy, pool, assets=assets, now_ts_s=now_ts_s)
        return withdraw_allowed(r, pool)

    if not ok(0):
        return 0
    lo, hi = 0, held  # ok(lo) holds; find the largest q with ok(q)
    if ok(hi):
        return hi
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if ok(mid) else (lo, mid)
    return lo

"""Single-account what-if on the precomputed row: `prime.whatif.what_if` in microseconds.

The changes are those of the scalar `what_if` (add positions, remove positions by id,
withdraw part of a SPOT position, borrow more in the pool asset's base units; borrowed funds
leave the account). Only the changed positions are decomposed (`prime.exposure`, at the prices
`arr` is priced at); their exposures are added to or taken from a copy of the account's row
(approved notional per column, value, unapproved charge), the row's group nets are one
(columns) @ (columns x groups) product, and the STPV / RF / status come from the same row
kernel as the batch (`margin_kernels.stpv_rows`). The largest extra borrow keeps the account
HEALTHY: STPV / margin-call RF, in the pool asset's units, less what is owed.

Not supported (`RISK_WHAT_IF_UNSUPPORTED`; use the scalar `what_if`): adding or removing a
MARGIN_VALUE position (it changes which positions sit inside a futures account) and an
approved exposure on a column the arrays do not have (build with `symbols=`).

Example: see tests/risk/test_whatif_fast.py (a book is needed to show one).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

import numpy as np

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.prime.book import Position, PositionKind
from sparkprime.prime.exposure import position_exposures
from sparkprime.prime.policy import WAD
from sparkprime.prime.status import MarginStatus
from sparkprime.risk.book_arrays import BookArrays, price_key
from sparkprime.risk.margin_kernels import STATUS_ORDER, liquidity_addon, status_codes, stpv_rows

__all__ = ["FastWhatIf", "what_if_fast"]

_E8 = 1e8


@dataclass(frozen=True, slots=True, kw_only=True)
class FastWhatIf:
    """RF now and after the changes, the status after, and the borrow headroom (floats)."""

    curr_rf: float
    next_rf: float
    next_stpv_usd: float
    next_borrowed_usd: float
    next_status: MarginStatus
    max_extra_borrow_units: float  # whole units of the pool asset (USDC, not base units)
    max_extra_borrow_usd: float
    withdraw_allowed: bool | None  # None when no withdrawal was asked


def _unsupported(change: str, reason: str) -> ProtocolError:
    return ProtocolError(ErrorCode.RISK_WHAT_IF_UNSUPPORTED, change=change, reason=reason)


def _bad(field: str, reason: str) -> ProtocolError:
    return ProtocolError(ErrorCode.PRIME_INVALID_WHAT_IF, field=field, reason=reason)


def _changes(
    held: Mapping[str, Position], add: Iterable[Position], remove: Iterable[str],
    withdraw: Mapping[str, int],
) -> list[tuple[Position, float]]:  # fmt: skip
    out: list[tuple[Position, float]] = []
    gone: set[str] = set()
    for pid in remove:
        p = held.get(pid)
        if p is None or pid in gone:
            raise _bad("remove", f"no position {pid!r}")
        gone.add(pid)
        out.append((p, -1.0))
    for pid, qty in withdraw.items():
        p = held.get(pid)
        if p is None or pid in gone or p.kind is not PositionKind.SPOT:
            raise _bad("withdraw", f"{pid!r} is not a SPOT position of the account")
        if not isinstance(qty, int) or not 0 <= qty <= p.qty:
            raise _bad("withdraw", f"{pid!r}: {qty!r} is not in [0, {p.qty}]")
        out.extend(((p, -1.0), (replace(p, qty=p.qty - qty), 1.0)))
    for p in add:
        if p.position_id in held and p.position_id not in gone:
            raise _bad("add", f"position id {p.position_id!r} already exists")
        out.append((p, 1.0))
    return out


def what_if_fast(
    arr: BookArrays,
    account_id: str,
    *,
    held: Mapping[str, Position] | None = None,
    add: Iterable[Position] = (),
    remove: Iterable[str] = (),
    withdraw: Mapping[str, int] | None = None,
    borrow: int = 0,
) -> FastWhatIf:
    """The what-if of `account_id` (module docstring); `held`: its positions by id."""
    row = arr.account_index.get(account_id)
    if row is None:
        raise ProtocolError(ErrorCode.RISK_INVALID_INPUT, field="account_id",
                            reason=f"no account {account_id!r} in the arrays")  # fmt: skip
    if not isinstance(borrow, int) or isinstance(borrow, bool) or borrow < 0:
        raise _bad("borrow", f"{borrow!r} is not an int >= 0")
    notional = arr.notional_usd[row].copy()
    value = float(arr.value_usd[row])
    unapproved = float(arr.unapproved_usd[row])
    inside = arr.margin_venues.get(account_id, frozenset())
    for p, sign in _changes(held or {}, add, remove, withdraw or {}):
        if p.kind is PositionKind.MARGIN_VALUE:
            raise _unsupported("change a MARGIN_VALUE", "it remaps the futures account")
        if p.account_id != account_id:
            raise _bad("add", f"position {p.position_id} belongs to {p.account_id!r}")
        exps = position_exposures(p, prices=arr.price_map, assets=arr.assets, policy=arr.policy,
                                  now_ts_s=arr.now_ts_s,
                                  in_margin_account=p.venue_id in inside)  # fmt: skip
        for e in exps:
            value += sign * e.value_usd_wad / WAD
            if not e.approved:
                unapproved += sign * abs(e.notional_usd_wad) / WAD * arr.unapproved_rate
            elif e.notional_usd_wad:
                c = arr.col_index.get((e.symbol, price_key(p, e.symbol)))
                if c is None:
                    raise _unsupported(f"add {e.symbol}", "the arrays have no column for it")
                notional[c] += sign * e.notional_usd_wad / WAD
    extra_rate = arr.extra_haircut_rate[row : row + 1]
    addon = liquidity_addon(arr, notional[None, :])
    stpv = stpv_rows(arr, group_net=(notional @ arr.group_onehot)[None, :],
                     value=np.array([value]), unapproved=np.array([unapproved]),
                     extra_rate=extra_rate, addon=addon)[0]  # fmt: skip
    curr = stpv_rows(arr, group_net=arr.group_net_usd[row : row + 1],
                     value=arr.value_usd[row : row + 1],
                     unapproved=arr.unapproved_usd[row : row + 1], extra_rate=extra_rate,
                     addon=liquidity_addon(arr, arr.notional_usd[row : row + 1]))[0]  # fmt: skip
    key = int(arr.borrow_key_idx[row])
    price = arr.price_map[arr.borrow_keys[key]] / _E8
    owed_units = float(arr.borrowed_units[row]) + borrow / 10 ** arr.borrow_decimals[key]
    borrowed = owed_units * price
    s = float(stpv[0])
    next_rf = s / borrowed if borrowed > 0 and s > 0 else (0.0 if borrowed > 0 else np.inf)
    c_s, c_b = float(curr[0]), float(arr.borrowed_usd[row])
    curr_rf = c_s / c_b if c_b > 0 and c_s > 0 else (0.0 if c_b > 0 else np.inf)
    code = status_codes(np.array([next_rf]), arr.liquidation_rf[row : row + 1],
                        arr.reduce_only_rf[row : row + 1],
                        arr.margin_call_rf[row : row + 1])  # fmt: skip
    b_max_usd = max(s, 0.0) / float(arr.margin_call_rf[row])
    headroom = max(0.0, b_max_usd / price - owed_units)
    allowed = None
    if withdraw:
        allowed = s * (1.0 - float(arr.withdrawal_haircut_rate[row])) > borrowed
    return FastWhatIf(curr_rf=float(curr_rf), next_rf=float(next_rf), next_stpv_usd=s,
                      next_borrowed_usd=borrowed, next_status=STATUS_ORDER[int(code[0])],
                      max_extra_borrow_units=headroom,
                      max_extra_borrow_usd=max(0.0, b_max_usd - borrowed),
                      withdraw_allowed=allowed)  # fmt: skip

"""Book-wide limits, checked before any command that could break them, and reported.

Atlas A.6.1.1.1.3.7 (sky-ecosystem/next-gen-atlas snapshot `4101dc75`; spark-prime.md §1.2-1.4,
§1.8):

- **asset exposure limit** (P7/2/2/1/2): the maximum aggregate **gross** exposure to an asset
  across all Spark-funded Arkis accounts, where gross = max(Σ long exposure, Σ short exposure)
  over all positions: longs and shorts are never offset, not even within one position. A
  group limit (XRP: $50M) counts every member of the group; a member limit (LBTC: $100M,
  weETH: $250M) counts that symbol alone;
- **venue exposure limit** (P7/2/3/1/1): the maximum USD account value held at a venue
  (spot, derivatives collateral, settled and unrealised PnL). Sub-accounts are summed per
  policy venue name (all "Binance" sub-accounts share Binance's $100M); each account's value
  at a venue counts from zero up (a loss in one account does not free room for another);
- **stablecoins** in groups 15/16: at most `max_share_of_supply_bps` (20 %) of each coin's
  circulating supply (given as data, base units; valued at the check's price);
- **Pendle PTs** (P7/2/2/3): exposure to one PT (its price symbol and expiry) at most
  `pt_max_liquidity_multiple` (10) x the liquidity of its AMM (the smallest liquidity any
  position reports, the conservative reading);
- **total funding** (ICD/10/1/2): the loans' outstanding principal, at par in the funding
  asset (USDC), at most the SLL Arkis instance's maximum exposure ($50M since 2026-03-27;
  a parameter here, `presets.sll_limits` has the dated values).

Exposures come from `prime.exposure` (`notional_usd_wad`: > 0 long, < 0 short). A change
(`Draw`, `NewLoan`, `Withdrawal`, `PositionChange`) is applied to a copy (`apply_change`);
`check_change` compares each limit before and after as `LimitCheck(name, curr, next, limit,
ok)`. A check is ok when the next value is within the cap, or when the change does not raise
it (a book already over a cap, after prices moved, may still reduce). `assert_within_limits`
raises the first failing check as a `ProtocolError` naming the limit, the value and the cap,
and returns the next state otherwise; nothing is mutated either way.

Example:
    >>> from sparkprime.prime.exposure import Exposure
    >>> legs = [Exposure(position_id="basis", symbol="ETH", group_id=2, value_usd_wad=0,
    ...                  notional_usd_wad=n, approved=True) for n in (100, -60)]
    >>> gross_usd_wad(legs)  # max(100, 60): never 100 - 60
    100
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Final, TypeAlias

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.prime.book import Asset, Loan, Position, PositionKind, PriceMap, Venue
from sparkprime.prime.exposure import Exposure, account_exposures, value_usd_wad
from sparkprime.prime.policy import BPS, WAD, Policy

__all__ = [
    "BookChange",
    "Draw",
    "LimitCheck",
    "LimitState",
    "NewLoan",
    "PositionChange",
    "Withdrawal",
    "apply_change",
    "assert_within_limits",
    "check_book",
    "check_change",
    "gross_usd_wad",
]

_FUNDING: Final = "total_funding"


@dataclass(frozen=True, slots=True, kw_only=True)
class LimitCheck:
    """One limit before (`curr`) and after (`next`) a change; `ok` = the change may go ahead."""

    name: str
    curr_usd_wad: int
    next_usd_wad: int
    limit_usd_wad: int
    ok: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class LimitState:
    """What the limits read: every position and loan of every Spark-funded account."""

    positions: tuple[Position, ...]
    loans: tuple[Loan, ...]
    venues: Mapping[str, Venue]  # venue_id -> Venue; Venue.name is the policy venue
    assets: Mapping[str, Asset]
    prices: PriceMap
    policy: Policy
    now_ts_s: int
    max_funding_usd_wad: int  # the SLL Arkis instance's maximum exposure
    circulating_supply: Mapping[str, int]  # symbol -> base units (groups 15/16)
    funding_asset: str = "USDC"


# --- changes ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Draw:
    """Draw `amount` more on `loan_id`; the cash lands in the SPOT position `cash_position_id`
    (created at `venue_id` in the loan's account when it does not exist)."""

    loan_id: str
    amount: int
    cash_position_id: str
    venue_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class NewLoan:
    """Originate `loan` (its principal is new funding); the cash lands as with `Draw`."""

    loan: Loan
    cash_position_id: str
    venue_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Withdrawal:
    """Take `qty` out of a position (out of the book), or move it to another venue of the
    same account (`to_position_id` at `to_venue_id`, created if needed)."""

    position_id: str
    qty: int
    to_position_id: str | None = None
    to_venue_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PositionChange:
    """Add or replace positions (by id) and remove others."""

    upserts: tuple[Position, ...] = ()
    removals: tuple[str, ...] = ()


BookChange: TypeAlias = Draw | NewLoan | Withdrawal | PositionChange


def _bad(field: str, reason: str) -> ProtocolError:
    return ProtocolError(ErrorCode.PRIME_LIMIT_INVALID_CHANGE, field=field, reason=reason)


def _positive(field: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise _bad(field, f"must be a positive int, got {value!r}")
    return value


def _credit(
    positions: dict[str, Position], position_id: str, *, account_id: str, venue_id: str,
    symbol: str, qty: int,
) -> None:  # fmt: skip
    held = positions.get(position_id)
    if held is None:
        positions[position_id] = Position(
            position_id=position_id, account_id=account_id, venue_id=venue_id,
            kind=PositionKind.SPOT, symbol=symbol, qty=qty,
        )  # fmt: skip
        return
    if held.account_id != account_id or held.symbol != symbol or held.kind is not PositionKind.SPOT:
        raise _bad("position", f"{position_id!r} is not a {symbol} spot position of {account_id!r}")
    positions[position_id] = replace(held, qty=held.qty + qty)


def apply_change(state: LimitState, change: BookChange) -> LimitState:
    """The state after `change` (a new object; `state` is unchanged)."""
    positions = {p.position_id: p for p in state.positions}
    loans = {ln.loan_id: ln for ln in state.loans}
    if isinstance(change, Draw | NewLoan):
        if isinstance(change, Draw):
            amount = _positive("amount", change.amount)
            loan = loans.get(change.loan_id)
            if loan is None:
                raise _bad("loan_id", f"no loan {change.loan_id!r} in the book")
            loans[loan.loan_id] = replace(loan, principal=loan.principal + amount)
        else:
            loan = change.loan
            if loan.loan_id in loans:
                raise _bad("loan_id", f"loan {loan.loan_id!r} already exists")
            amount = loan.principal
            loans[loan.loan_id] = loan
        if amount:
            _credit(
                positions, change.cash_position_id, account_id=loan.account_id,
                venue_id=change.venue_id, symbol=state.funding_asset, qty=amount,
            )  # fmt: skip
    elif isinstance(change, Withdrawal):
        qty = _positive("qty", change.qty)
        held = positions.get(change.position_id)
        if held is None:
            raise _bad("position_id", f"no position {change.position_id!r} in the book")
        if held.kind not in (PositionKind.SPOT, PositionKind.LENDING_SUPPLY):
            raise _bad("position_id", f"cannot withdraw from a {held.kind} position")
        if qty > held.qty:
            raise _bad("qty", f"{qty} is more than the {held.qty} held in {held.position_id!r}")
        positions[held.position_id] = replace(held, qty=held.qty - qty)
        if (change.to_position_id is None) != (change.to_venue_id is None):
            raise _bad("to_venue_id", "a transfer names both the position and the venue")
        if change.to_position_id is not None and change.to_venue_id is not None:
            _credit(
                positions, change.to_position_id, account_id=held.account_id,
                venue_id=change.to_venue_id, symbol=held.symbol, qty=qty,
            )  # fmt: skip
    elif isinstance(change, PositionChange):
        for pid in change.removals:
            if positions.pop(pid, None) is None:
                raise _bad("removals", f"no position {pid!r} in the book")
        for p in change.upserts:
            positions[p.position_id] = p
    else:
        raise _bad("change", f"unknown change {type(change).__name__}")
    return replace(state, positions=tuple(positions.values()), loans=tuple(loans.values()))


# --- the limits ---------------------------------------------------------------------------


def gross_usd_wad(exposures: Iterable[Exposure]) -> int:
    """max(Σ longs, Σ shorts) of the exposures' notionals: never netted."""
    longs = shorts = 0
    for e in exposures:
        if e.notional_usd_wad > 0:
            longs += e.notional_usd_wad
        else:
            shorts -= e.notional_usd_wad
    return max(longs, shorts)


# name -> (value, cap, code)
_Values: TypeAlias = dict[str, tuple[int, int, ErrorCode]]


def _venue_values(state: LimitState, exposures: tuple[Exposure, ...]) -> dict[str, int]:
    where = {p.position_id: (p.account_id, p.venue_id) for p in state.positions}
    per_account: defaultdict[tuple[str, str], int] = defaultdict(int)
    for e in exposures:
        per_account[where[e.position_id]] += e.value_usd_wad
    by_name: defaultdict[str, int] = defaultdict(int)
    for (_, venue_id), value in per_account.items():
        venue = state.venues.get(venue_id)
        if venue is None:
            raise ProtocolError(
                ErrorCode.PRIME_LIMIT_MISSING_DATA,
                limit=f"venue:{venue_id}",
                reason=f"venue id {venue_id!r} is not in the book's venues",
            )
        by_name[venue.name] += max(value, 0)
    return by_name


def _supply_cap(state: LimitState, symbol: str, share_bps: int) -> int | None:
    supply = state.circulating_supply.get(symbol)
    if supply is None:
        return None
    asset, price = state.assets.get(symbol), state.prices.get(symbol)
    if asset is None or price is None:
        raise ProtocolError(
            ErrorCode.PRIME_LIMIT_MISSING_DATA,
            limit=f"supply_share:{symbol}",
            reason="the asset's decimals and price are needed to value its supply",
        )
    return value_usd_wad(supply, price, asset.decimals) * share_bps // BPS


def _funding_values(state: LimitState, out: _Values) -> None:
    funding = state.assets.get(state.funding_asset)
    if funding is None:
        raise ProtocolError(
            ErrorCode.PRIME_LIMIT_MISSING_DATA,
            limit=_FUNDING,
            reason=f"the funding asset {state.funding_asset!r} is not in the asset registry",
        )
    principal = sum(ln.principal for ln in state.loans)
    par = principal * WAD // 10**funding.decimals  # at par: the instance counts USDC lent
    out[_FUNDING] = (par, state.max_funding_usd_wad, ErrorCode.PRIME_LIMIT_TOTAL_FUNDING)


def _asset_values(state: LimitState, exposures: tuple[Exposure, ...], out: _Values) -> None:
    by_group: defaultdict[int, list[Exposure]] = defaultdict(list)
    by_symbol: defaultdict[str, list[Exposure]] = defaultdict(list)
    for e in exposures:
        if e.notional_usd_wad:
            by_symbol[e.symbol].append(e)
            if e.group_id is not None:
                by_group[e.group_id].append(e)
    for g in state.policy.groups:
        if g.exposure_limit_usd_wad is not None:
            out[f"group:{g.group_id}:{g.name}"] = (
                gross_usd_wad(by_group.get(g.group_id, ())),
                g.exposure_limit_usd_wad,
                ErrorCode.PRIME_LIMIT_ASSET_EXPOSURE,
            )
        for symbol, cap in sorted(g.member_limits_usd_wad.items()):
            gross = gross_usd_wad(by_symbol.get(symbol, ()))
            out[f"member:{symbol}"] = (gross, cap, ErrorCode.PRIME_LIMIT_ASSET_EXPOSURE)
        if g.max_share_of_supply_bps is None:
            continue
        for symbol in g.members:
            gross = gross_usd_wad(by_symbol.get(symbol, ()))
            supply_cap = _supply_cap(state, symbol, g.max_share_of_supply_bps)
            if supply_cap is not None:
                code = ErrorCode.PRIME_LIMIT_SUPPLY_SHARE
                out[f"supply_share:{symbol}"] = (gross, supply_cap, code)
            elif gross:
                raise ProtocolError(
                    ErrorCode.PRIME_LIMIT_MISSING_DATA,
                    limit=f"supply_share:{symbol}",
                    reason="no circulating supply given for a coin the book holds",
                )


def _venue_limits(state: LimitState, exposures: tuple[Exposure, ...], out: _Values) -> None:
    code = ErrorCode.PRIME_LIMIT_VENUE_EXPOSURE
    for name, value in sorted(_venue_values(state, exposures).items()):
        cap = state.policy.venue(name).limit_usd_wad  # an unapproved venue raises here
        if cap is not None:
            out[f"venue:{name}"] = (value, cap, code)
    for v in state.policy.venues:
        if v.limit_usd_wad is not None:
            out.setdefault(f"venue:{v.name}", (0, v.limit_usd_wad, code))


def _pt_values(state: LimitState, exposures: tuple[Exposure, ...], out: _Values) -> None:
    pt_ids = {p.position_id: p for p in state.positions if p.kind is PositionKind.PENDLE_PT}
    pts: dict[str, tuple[int, int]] = {}
    for e in exposures:
        p = pt_ids.get(e.position_id)
        if p is None or p.pt_amm_liquidity_usd_wad is None:
            continue
        key = f"pt:{p.price_symbol or p.symbol}@{p.expiry_ts_s}"
        value, liquidity = pts.get(key, (0, p.pt_amm_liquidity_usd_wad))
        pts[key] = (value + e.notional_usd_wad, min(liquidity, p.pt_amm_liquidity_usd_wad))
    multiple = state.policy.pt_max_liquidity_multiple
    for key, (value, liquidity) in sorted(pts.items()):
        out[key] = (value, multiple * liquidity, ErrorCode.PRIME_LIMIT_PT_LIQUIDITY)


def _limit_values(state: LimitState) -> _Values:
    exposures = account_exposures(
        state.positions, prices=state.prices, assets=state.assets, policy=state.policy,
        now_ts_s=state.now_ts_s,
    )  # fmt: skip
    out: _Values = {}
    _funding_values(state, out)
    _asset_values(state, exposures, out)
    _venue_limits(state, exposures, out)
    _pt_values(state, exposures, out)
    return out


def check_book(state: LimitState) -> list[LimitCheck]:
    """Every limit of the book as it stands (curr == next; ok = within the cap)."""
    return [
        LimitCheck(name=n, curr_usd_wad=v, next_usd_wad=v, limit_usd_wad=cap, ok=v <= cap)
        for n, (v, cap, _) in _limit_values(state).items()
    ]


def _compare(
    state: LimitState, change: BookChange
) -> tuple[LimitState, list[LimitCheck], dict[str, ErrorCode]]:
    after = apply_change(state, change)
    curr, nxt = _limit_values(state), _limit_values(after)
    checks: list[LimitCheck] = []
    codes: dict[str, ErrorCode] = {}
    for name in [*nxt, *(n for n in curr if n not in nxt)]:
        c_value = curr[name][0] if name in curr else 0
        n_value, cap, code = nxt[name] if name in nxt else (0, curr[name][1], curr[name][2])
        ok = n_value <= cap or n_value <= c_value
        checks.append(LimitCheck(
            name=name, curr_usd_wad=c_value, next_usd_wad=n_value, limit_usd_wad=cap, ok=ok,
        ))  # fmt: skip
        codes[name] = code
    return after, checks, codes


def check_change(state: LimitState, change: BookChange) -> list[LimitCheck]:
    """Each limit before and after `change`; `state` is unchanged."""
    return _compare(state, change)[1]


def assert_within_limits(state: LimitState, change: BookChange) -> LimitState:
    """The state after `change`, or the first failing limit as a ProtocolError (nothing
    changes): the error names the limit, the value after the change and the cap."""
    after, checks, codes = _compare(state, change)
    for c in checks:
        if not c.ok:
            raise ProtocolError(
                codes[c.name], limit=c.name, value=c.next_usd_wad, cap=c.limit_usd_wad,
                curr=c.curr_usd_wad,
            )  # fmt: skip
    return after

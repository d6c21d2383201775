"""Positions -> signed USD exposures per asset group, with Atlas eligibility.

Sources: Atlas A.6.1.1.1.3.7.2.2 (sky-ecosystem/next-gen-atlas `content/A/6/1/1/1/3/7`,
snapshot 4101dc75; spec/spark-prime.md §1.3) and the Arkis margin engine v2 whitepaper
(ArkisXYZ/arkis_margin_engine_whitepaper `margin_engine_v2/Arkis_Margin_Engine_v2.tex`,
commit 061b8b10; spec §2).

Every position becomes one or more `Exposure`s, each with two signed amounts:

- `value_usd_wad`: what it adds to the portfolio value today;
- `notional_usd_wad`: how much moves with the asset's price (what the haircuts stress).

Arkis v2 writes STPV± = Spot± + Fut± with
Spot± = Σ qty·price·(1 ± Ω) over tokens *not* posted as futures margin and
Fut± = MarginValue + Σ futures_exposure·Ω± + Σ token_exposure·Ω±. Both are "value + notional *
move", so one record shape carries them. The mapping, chosen so nothing counts twice:

- A venue where the account has a MARGIN_VALUE position is a *futures account*: the venue's
  reported margin value (OKX `adjEq`: collateral, realised / unrealised / funding PnL, fees)
  is the only value there. Every other position at that venue (the spot tokens posted as
  margin = token_exposure, the perps / futures = futures_exposure) gets value 0 and keeps its
  notional, so it is stressed but not valued twice. Keep tokens outside the margin account
  (a funding wallet) under another `venue_id`.
- Elsewhere (on-chain, custodians, a perp DEX without a reported margin value): SPOT,
  LENDING_SUPPLY, PENDLE_PT, DEX_LP legs and vault underlyings are spot: value = notional =
  qty·price. LENDING_BORROW is a short: value = notional = -qty·price. PERP / FUTURE:
  notional = qty·mark (signed), value = qty·(mark - entry), the unrealised PnL.

Eligibility (an exposure with `approved=False` takes the unapproved haircut, ±100%, and is
never offset; its `reason` is the warning):

- a symbol in no policy group (unknown assets too) is unapproved;
- a derivatives-only group (silver, oil) approves only PERP / FUTURE exposure;
- a FUTURE or PT counts only while now < expiry <= now + 120 days (`policy.futures_max_days`,
  `pt_max_days`); past either bound it is unapproved (adding an *expired* one to the book is
  refused: `validate_position`);
- an account's PT notional above `pt_max_liquidity_multiple` (10) x the AMM liquidity of that
  PT is unapproved, per account per PT market (`pt_market`: price key and expiry, as
  `prime.limits` keys it; the smallest liquidity any of its positions reports). Several
  positions in one market share one cap: the approved part is split pro rata to their notional,
  exactly (`pt_approved_usd_wad`); `position_exposures` alone caps a position by itself;
- a DEX LP counts only if its pool kind is in `policy.eligible_dex_kinds` and every leg is
  approved; otherwise every leg is unapproved;
- vault shares count only if the share symbol itself is an approved version in a group and
  its underlying is in the same group: spUSDC -> the USDC group. sUSDS is in no Atlas group
  and neither is USDS (the Atlas table, spec §1.3, lists neither), so sUSDS is unapproved.

Rounding: amounts are floor(qty·price), which for a negative amount (a debt, a short) rounds
its size up: always against the borrower.

Example:
    >>> value_usd_wad(2 * 10**18, 3_000 * 10**8, 18) // 10**18
    6000
    >>> value_usd_wad(-1, 1, 0)  # a liability's size rounds up
    -10000000000
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.prime.book import Asset, Position, PositionKind, PriceMap
from sparkprime.prime.policy import DAY_S, WAD, AssetGroup, Policy

__all__ = [
    "Exposure",
    "account_exposures",
    "margin_venues",
    "position_exposures",
    "pt_approved_usd_wad",
    "pt_market",
    "validate_position",
    "value_usd_wad",
]

_K = PositionKind
_DERIVATIVES = frozenset({_K.PERP, _K.FUTURE})
_POW10: tuple[int, ...] = tuple(10**i for i in range(37))  # Asset.decimals <= 36


@dataclass(frozen=True, slots=True, kw_only=True)
class Exposure:
    """One signed exposure of one position to one symbol (see the module docstring)."""

    position_id: str
    symbol: str
    group_id: int | None
    notional_usd_wad: int
    value_usd_wad: int
    approved: bool
    reason: str = ""


def value_usd_wad(qty: int, price_usd_e8: int, decimals: int) -> int:
    """USD wad of `qty` base units at `price_usd_e8`; floor (a negative amount's size rounds up)."""
    return (qty * price_usd_e8 * 10**10) // _POW10[decimals]


def _price(prices: PriceMap, symbol: str) -> int:
    price = prices.get(symbol)
    if price is None or isinstance(price, bool) or not isinstance(price, int) or price <= 0:
        raise ProtocolError(
            ErrorCode.PRICE_UNAVAILABLE,
            asset=symbol,
            reason=f"the price map has {price!r} (need an int price_usd_e8 > 0)",
        )
    return price


def _decimals(assets: Mapping[str, Asset], symbol: str) -> int:
    asset = assets.get(symbol)
    if asset is None:
        raise ProtocolError(
            ErrorCode.PRIME_UNKNOWN_ASSET, symbol=symbol, reason="its decimals are unknown"
        )
    return asset.decimals


def validate_position(position: Position, policy: Policy, now_ts_s: int) -> None:
    """Refuse a position the book must not take: an expired FUTURE or PT.

    One that expires beyond the 120-day window is accepted here (the Atlas only keeps it out
    of margin: it counts as unapproved there), and so is an unknown symbol (unapproved, with
    a warning).
    """
    del policy  # the rule is the same under every policy version
    expiry = position.expiry_ts_s
    if position.kind in (_K.FUTURE, _K.PENDLE_PT) and expiry is not None and expiry <= now_ts_s:
        raise ProtocolError(
            ErrorCode.PRIME_POSITION_EXPIRED,
            position_id=position.position_id,
            kind=str(position.kind),
            symbol=position.symbol,
            reason="a dated future or PT cannot be added after its expiry",
            expiry_ts_s=expiry,
            now_ts_s=now_ts_s,
        )


def margin_venues(positions: Iterable[Position]) -> frozenset[tuple[str, str]]:
    """(account_id, venue_id) pairs whose value is a reported MARGIN_VALUE (futures accounts)."""
    return frozenset((p.account_id, p.venue_id) for p in positions if p.kind is _K.MARGIN_VALUE)


def pt_market(position: Position) -> tuple[str, int]:
    """The market of a Pendle PT: (its price key, its expiry), the key `prime.limits` uses."""
    assert position.expiry_ts_s is not None  # checked by Position
    return position.price_symbol or position.symbol, position.expiry_ts_s


def _pt_notional_usd_wad(p: Position, prices: PriceMap, assets: Mapping[str, Asset]) -> int:
    return value_usd_wad(
        p.qty, _price(prices, p.price_symbol or p.symbol), _decimals(assets, p.symbol)
    )


def _split_floor(cap: int, weights: list[tuple[str, int]], total: int) -> dict[str, int]:
    """`cap` (< `total` = the sum of the weights >= 0) pro rata: floors, then one wei each to
    the largest remainders (ties by position id), so the shares sum to `cap` exactly."""
    shares: dict[str, int] = {}
    rems: list[tuple[int, str]] = []
    for pid, w in weights:
        shares[pid], r = divmod(cap * w, total)
        rems.append((r, pid))
    left = cap - sum(shares.values())
    for _, pid in sorted(rems, key=lambda t: (-t[0], t[1]))[:left]:
        shares[pid] += 1  # a remainder > 0 means share < weight: never above its own notional
    return shares


def pt_approved_usd_wad(
    positions: Iterable[Position],
    *,
    prices: PriceMap,
    assets: Mapping[str, Asset],
    policy: Policy,
) -> dict[str, int]:
    """Each Pendle PT's approved notional (by position id) under its account's cap in its market.

    The cap is `pt_max_liquidity_multiple` x the smallest AMM liquidity the market's positions
    in that account report; a market within it is approved in full, one above it has exactly
    the cap approved, split pro rata to notional (the module docstring). The expiry window is
    `position_exposures`' business (a PT outside it is unapproved whatever its share).

    Example:
        >>> from sparkprime.presets.atlas_policy import atlas_policy
        >>> pts = [Position(position_id=i, account_id="a", venue_id="onchain",
        ...                 kind=PositionKind.PENDLE_PT, symbol="USDC", qty=q, expiry_ts_s=9,
        ...                 pt_amm_liquidity_usd_wad=10**18) for i, q in (("x", 6), ("y", 9))]
        >>> pt_approved_usd_wad(pts, prices={"USDC": 10**8}, policy=atlas_policy(),
        ...                     assets={"USDC": Asset(symbol="USDC", decimals=0)})
        {'x': 4000000000000000000, 'y': 6000000000000000000}
    """
    markets: dict[tuple[str, str, int], list[Position]] = {}
    for p in positions:
        if p.kind is _K.PENDLE_PT:
            markets.setdefault((p.account_id, *pt_market(p)), []).append(p)
    out: dict[str, int] = {}
    for members in markets.values():
        liquidity = min(p.pt_amm_liquidity_usd_wad or 0 for p in members)
        cap = policy.pt_max_liquidity_multiple * liquidity
        weights = sorted((p.position_id, _pt_notional_usd_wad(p, prices, assets)) for p in members)
        total = sum(w for _, w in weights)
        out.update(weights if total <= cap else _split_floor(cap, weights, total).items())
    return out


def _group_status(policy: Policy, symbol: str, kind: PositionKind) -> tuple[AssetGroup | None, str]:
    group = policy.group_of(symbol)
    if group is None:
        return None, f"{symbol} is in no asset group of policy {policy.version}: unapproved"
    if group.derivatives_only and kind not in _DERIVATIVES:
        return group, f"{symbol} ({group.name}) is approved for derivatives only"
    return group, ""


def _expiry_reason(p: Position, policy: Policy, now_ts_s: int, max_days: int) -> str:
    assert p.expiry_ts_s is not None  # checked by Position
    if policy.expiry_eligible(p.expiry_ts_s, now_ts_s=now_ts_s, max_days=max_days):
        return ""
    if p.expiry_ts_s <= now_ts_s:
        return f"{p.kind} {p.symbol} expired at {p.expiry_ts_s}: unapproved"
    days = (p.expiry_ts_s - now_ts_s) / DAY_S
    return f"{p.kind} {p.symbol} expires in {days:.1f} days > {max_days}: unapproved"


def position_exposures(
    position: Position,
    *,
    prices: PriceMap,
    assets: Mapping[str, Asset],
    policy: Policy,
    now_ts_s: int,
    in_margin_account: bool = False,
    pt_approved_usd_wad: int | None = None,
) -> tuple[Exposure, ...]:
    """The exposures of one position; `in_margin_account`: its value is in a MARGIN_VALUE.

    `pt_approved_usd_wad`: a PT's approved notional, its share of its account's cap in its
    market (`pt_approved_usd_wad`, 0 to its notional); None caps the PT by itself alone.
    """
    p = position
    k = p.kind
    if k is _K.MARGIN_VALUE:
        assert p.margin_value_usd_wad is not None
        return (
            Exposure(
                position_id=p.position_id,
                symbol=p.symbol,
                group_id=None,
                notional_usd_wad=0,
                value_usd_wad=p.margin_value_usd_wad,
                approved=True,
                reason="",
            ),
        )

    def one(
        symbol: str, notional: int, value: int, extra_reason: str = "", group_of: str = ""
    ) -> Exposure:
        group, reason = _group_status(policy, group_of or symbol, k)
        reason = reason or extra_reason
        return Exposure(
            position_id=p.position_id,
            symbol=symbol,
            group_id=None if group is None else group.group_id,
            notional_usd_wad=notional,
            value_usd_wad=0 if in_margin_account else value,
            approved=not reason,
            reason=reason,
        )

    if k is _K.DEX_LP:
        assert p.dex_kind is not None
        legs = [(s, value_usd_wad(q, _price(prices, s), _decimals(assets, s))) for s, q in p.legs]
        pool_reason = ""
        if p.dex_kind not in policy.eligible_dex_kinds:
            pool_reason = f"DEX pool kind {p.dex_kind!r} is not eligible: the LP is unapproved"
        elif any(_group_status(policy, s, k)[1] for s, _ in p.legs):
            pool_reason = f"LP {p.symbol} has an unapproved leg: the whole LP is unapproved"
        return tuple(one(s, v, v, pool_reason) for s, v in legs)

    if k is _K.VAULT_SHARES:
        assert p.share_rate_wad is not None
        underlying = p.legs[0][0]
        under_qty = p.qty * p.share_rate_wad // WAD  # convertToAssets rounds down
        v = value_usd_wad(under_qty, _price(prices, underlying), _decimals(assets, underlying))
        reason = ""
        if policy.group_of(underlying) is not policy.group_of(p.symbol):
            reason = f"vault share {p.symbol}: its underlying {underlying} is not in its group"
        return (one(underlying, v, v, reason, group_of=p.symbol),)

    decimals = _decimals(assets, p.symbol)
    if k in _DERIVATIVES:
        assert p.entry_price_usd_e8 is not None
        mark = _price(prices, p.symbol)
        notional = value_usd_wad(p.qty, mark, decimals)
        pnl = value_usd_wad(p.qty, mark - p.entry_price_usd_e8, decimals)
        reason = ""
        if k is _K.FUTURE:
            reason = _expiry_reason(p, policy, now_ts_s, policy.futures_max_days)
        return (one(p.symbol, notional, pnl, reason),)

    if k is _K.PENDLE_PT:
        assert p.pt_amm_liquidity_usd_wad is not None
        v = _pt_notional_usd_wad(p, prices, assets)
        reason = _expiry_reason(p, policy, now_ts_s, policy.pt_max_days)
        ok = pt_approved_usd_wad
        if ok is None:
            ok = min(v, policy.pt_max_liquidity_multiple * p.pt_amm_liquidity_usd_wad)
        if reason or ok >= v:
            return (one(p.symbol, v, v, reason),)
        over = (
            f"PT {p.symbol}: exposure above {policy.pt_max_liquidity_multiple}x its AMM "
            "liquidity is unapproved"
        )
        return (one(p.symbol, ok, ok), one(p.symbol, v - ok, v - ok, over))

    sign = -1 if k is _K.LENDING_BORROW else 1
    v = value_usd_wad(sign * p.qty, _price(prices, p.symbol), decimals)
    return (one(p.symbol, v, v),)


def account_exposures(
    positions: Iterable[Position],
    *,
    prices: PriceMap,
    assets: Mapping[str, Asset],
    policy: Policy,
    now_ts_s: int,
) -> tuple[Exposure, ...]:
    """Every exposure of `positions`, in position order (futures accounts and PT caps per
    account, as documented)."""
    positions = tuple(positions)
    futures_accounts = margin_venues(positions)
    pt_ok = pt_approved_usd_wad(positions, prices=prices, assets=assets, policy=policy)
    out: list[Exposure] = []
    for p in positions:
        inside = p.kind is not _K.MARGIN_VALUE and (p.account_id, p.venue_id) in futures_accounts
        out.extend(
            position_exposures(
                p,
                prices=prices,
                assets=assets,
                policy=policy,
                now_ts_s=now_ts_s,
                in_margin_account=inside,
                pt_approved_usd_wad=pt_ok.get(p.position_id),
            )
        )
    return tuple(out)

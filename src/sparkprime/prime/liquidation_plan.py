"""Plan a liquidation: ordered unwinds per venue with slippage from a depth model.

Sources: spec/spark-prime.md §2 "Liquidation" (the Arkis margin engine computes a
deterministic plan; an Executor closes DeFi positions, swaps to the borrowed asset, bridges
and returns funds to the pool; fee per agreement) and spec/portfolio-margin.md §5 item 8
(partial liquidation to a target health, hedged pairs unwound together). Records, trade
arithmetic and the waterfall: `prime.liquidation`; execution: `prime.liquidation_exec`.

Order (`target="full"`). Positions are grouped into *batches* that run together:

1. unhedged futures / perps are closed first, per venue (futures before perps): closing
   releases margin and realises PnL at the fill (`prime.liquidation` module docstring);
2. hedged batches: an asset group (`policy.groups`) where the account is both long and short
   is unwound in one batch with every position exposed to it (positions linking two hedged
   groups merge their batches): the short perp is closed and the matching spot sold in the
   same batch, so the group's net exposure goes from N to 0 at once. Every other group has
   one side only, and closing any of its positions only shrinks its net exposure: the book
   is never more exposed after a batch than at the start;
3. spot, LP (withdrawn into its legs first, then each leg sold), vault shares (redeemed at
   the share rate, then the underlying sold) and Pendle PTs (sold; or, with
   `pt_hold_max_s > 0`, a PT expiring within that many seconds is held to maturity and
   redeemed at par, its step not before the expiry), per venue;
4. on-chain lending borrows repaid (the debt token bought back), then the supplies they
   freed withdrawn and sold;
5. holdings already in the borrowed asset and each CEX sub-account's reported margin value
   collected as cash; then each venue's positive cash bridged to the settlement venue (a
   negative one is that venue's deficit and stays there), and the loans repaid through the
   waterfall (interest first, then the fee, the rest to the borrower; any shortfall is bad
   debt).

Slippage: `prime.addons`' order-book walk on the symbol's `MarketDepth` (the same model as the
margin's liquidity add-on, so the add-on is what the plan expects to pay): the marginal price
impact is linear through (0, 0), (D1, 1%), (D2, 2%) and continues on the D1-D2 line beyond
(portfolio-margin.md §5 item 5: Eurex market capacity, Drift size premium). The book does not
refill during a plan: a trade of size s after s0 already traded on the same side of the same
symbol costs walk(s0 + s) - walk(s0) (capped at s), so splitting a sale never makes it
cheaper. Sales fill at floor(mark x (s - cost) / s), buys at ceil(mark x (s + cost) / s);
proceeds then round down. A traded symbol without a depth is refused
(PRIME_LIQUIDATION_NO_DEPTH): a plan must not assume free liquidity. The borrowed asset
itself is never traded.

`target="to_healthy"`: starting from the least efficient collateral (the highest margin charge
per unit of cash freed, from `margin_account`'s per-position attribution; a unit that frees
a charge but no cash, such as a perp in a CEX sub-account, ranks first), add one batch at a
time, settle what it frees into the loans (and the fee), re-margin, and stop as soon as the
account is HEALTHY (RF above the pool's margin-call RF, as `prime.status.rf_status`). A
sub-account that stays open keeps the cash its trades free in its margin value. A batch that
would leave a venue without a reported margin value with negative cash (a perp closed at a
loss at an on-chain venue) is not used by a partial plan.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.prime.addons import MarketDepth, unwind_cost_usd_wad
from sparkprime.prime.book import Asset, Loan, Position, PositionKind, PriceMap
from sparkprime.prime.exposure import account_exposures, margin_venues, value_usd_wad
from sparkprime.prime.liquidation import (
    LiquidationAction,
    LiquidationOutcome,
    LiquidationPlan,
    LiquidationStep,
    LiquidationTarget,
    trade_proceeds,
)
from sparkprime.prime.liquidation_exec import settle
from sparkprime.prime.loans import accrue
from sparkprime.prime.margin import margin_account
from sparkprime.prime.policy import BPS, WAD, Policy, PoolParams
from sparkprime.prime.status import MarginStatus, rf_status

__all__ = ["plan_liquidation"]

_K = PositionKind
_A = LiquidationAction
# order of position kinds inside a batch and between unhedged batches
_PHASE = {
    _K.FUTURE: 0, _K.PERP: 1, _K.SPOT: 2, _K.DEX_LP: 2, _K.VAULT_SHARES: 2, _K.PENDLE_PT: 2,
    _K.LENDING_BORROW: 3, _K.LENDING_SUPPLY: 4, _K.MARGIN_VALUE: 6,
}  # fmt: skip
_COLLECT_PHASE = 5


def _ceil_div(a: int, b: int) -> int:
    return -((-a) // b)


def _invalid(field_name: str, reason: str) -> ProtocolError:
    return ProtocolError(ErrorCode.PRIME_LIQUIDATION_INVALID_INPUT, field=field_name, reason=reason)


@dataclass(slots=True)
class _Ctx:
    prices: PriceMap
    assets: Mapping[str, Asset]
    depths: Mapping[str, MarketDepth]
    borrowed: str
    borrowed_decimals: int
    borrowed_price: int
    margin_venues: frozenset[str]
    now_ts_s: int
    pt_hold_max_s: int
    full: bool
    traded: dict[tuple[str, str], int] = field(default_factory=dict)

    def price(self, symbol: str) -> int:
        p = self.prices.get(symbol)
        if not isinstance(p, int) or isinstance(p, bool) or p <= 0:
            raise ProtocolError(ErrorCode.PRICE_UNAVAILABLE, asset=symbol,
                                reason=f"the price map has {p!r}")  # fmt: skip
        return p

    def decimals(self, symbol: str) -> int:
        a = self.assets.get(symbol)
        if a is None:
            raise ProtocolError(ErrorCode.PRIME_UNKNOWN_ASSET, symbol=symbol,
                                reason="its decimals are unknown")  # fmt: skip
        return a.decimals

    def cost(self, key: str, side: str, size_usd_wad: int) -> int:
        depth = self.depths.get(key)
        if depth is None:
            raise ProtocolError(
                ErrorCode.PRIME_LIQUIDATION_NO_DEPTH,
                symbol=key,
                side=side,
                reason="a plan needs a MarketDepth for every traded symbol",
            )
        before = self.traded.get((key, side), 0)
        self.traded[(key, side)] = before + size_usd_wad
        walk = unwind_cost_usd_wad(before + size_usd_wad, depth) - unwind_cost_usd_wad(
            before, depth
        )
        return min(walk, size_usd_wad)

    def step(self, p: Position, action: LiquidationAction, symbol: str, qty: int, *,
             proceeds: int, reason: str) -> LiquidationStep:  # fmt: skip
        """A step without a market price (withdraw, redeem, collect)."""
        a = self.assets.get(symbol)
        return LiquidationStep(
            index=-1, batch=-1, venue_id=p.venue_id, action=action, position_id=p.position_id,
            symbol=symbol, decimals=0 if a is None else a.decimals, qty=qty,
            mark_price_usd_e8=0, expected_price_usd_e8=0, basis_price_usd_e8=0,
            slippage_bps=0, proceeds=proceeds, reason=reason,
        )  # fmt: skip

    def trade(self, p: Position, action: LiquidationAction, symbol: str, qty: int, *,
              mark: int, basis: int, depth_key: str, reason: str,
              not_before_ts_s: int | None = None) -> LiquidationStep:  # fmt: skip
        dec = self.decimals(symbol)
        e = mark
        if symbol != self.borrowed and qty != 0:
            side = "sell" if qty > 0 else "buy"
            s = value_usd_wad(abs(qty), mark, dec)
            c = self.cost(depth_key, side, s) if s > 0 else 0
            if c:
                e = mark * (s - c) // s if qty > 0 else _ceil_div(mark * (s + c), s)
        step = LiquidationStep(
            index=-1, batch=-1, venue_id=p.venue_id, action=action, position_id=p.position_id,
            symbol=symbol, decimals=dec, qty=qty, mark_price_usd_e8=mark,
            expected_price_usd_e8=e, basis_price_usd_e8=basis,
            slippage_bps=_ceil_div(abs(e - mark) * BPS, mark), proceeds=0, reason=reason,
            not_before_ts_s=not_before_ts_s,
        )  # fmt: skip
        return replace(step, proceeds=trade_proceeds(
            step, e, borrowed_price_usd_e8=self.borrowed_price,
            borrowed_decimals=self.borrowed_decimals))  # fmt: skip


def _sell(ctx: _Ctx, p: Position, symbol: str, qty: int, reason: str) -> LiquidationStep:
    """Sell `qty` of `symbol` at p's venue, or collect it as cash if it is the borrowed asset."""
    in_margin = p.venue_id in ctx.margin_venues
    if symbol == ctx.borrowed:
        cash = 0 if in_margin else qty
        return ctx.step(p, _A.COLLECT_CASH, symbol, qty, proceeds=cash,
                        reason=f"{reason}: already {symbol}")  # fmt: skip
    mark = ctx.price(symbol)
    return ctx.trade(p, _A.SELL_SPOT, symbol, qty, mark=mark, basis=mark if in_margin else 0,
                     depth_key=symbol, reason=reason)  # fmt: skip


def _position_steps(ctx: _Ctx, p: Position) -> list[LiquidationStep]:
    in_margin = p.venue_id in ctx.margin_venues
    k = p.kind
    if k in (_K.FUTURE, _K.PERP):
        assert p.entry_price_usd_e8 is not None
        mark = ctx.price(p.symbol)
        side = "long" if p.qty > 0 else "short"
        return [ctx.trade(p, _A.CLOSE_FUTURE if k is _K.FUTURE else _A.CLOSE_PERP, p.symbol,
                          p.qty, mark=mark, basis=mark if in_margin else p.entry_price_usd_e8,
                          depth_key=p.symbol, reason=f"close the {side} {k}")]  # fmt: skip
    if k is _K.SPOT:
        return [_sell(ctx, p, p.symbol, p.qty, "sell spot")]
    if k is _K.LENDING_SUPPLY:
        return [_sell(ctx, p, p.symbol, p.qty, "withdraw the lending supply and sell")]
    if k is _K.LENDING_BORROW:
        mark = ctx.price(p.symbol)
        return [ctx.trade(p, _A.REPAY_LENDING, p.symbol, -p.qty, mark=mark,
                          basis=mark if in_margin else 0, depth_key=p.symbol,
                          reason="buy the debt token back and repay the borrow")]  # fmt: skip
    if k is _K.PENDLE_PT:
        assert p.expiry_ts_s is not None
        left_s = p.expiry_ts_s - ctx.now_ts_s
        if ctx.full and 0 < left_s <= ctx.pt_hold_max_s:
            mark = ctx.price(p.symbol)
            return [ctx.trade(p, _A.SELL_PT, p.symbol, p.qty, mark=mark,
                              basis=mark if in_margin else 0, depth_key=p.symbol,
                              reason=f"hold to maturity ({left_s} s): redeem at par, sell",
                              not_before_ts_s=p.expiry_ts_s)]  # fmt: skip
        key = p.price_symbol or p.symbol
        mark = ctx.price(key)
        return [ctx.trade(p, _A.SELL_PT, p.symbol, p.qty, mark=mark,
                          basis=mark if in_margin else 0, depth_key=key,
                          reason="sell the PT on its AMM")]  # fmt: skip
    if k is _K.DEX_LP:
        cash = sum(q for s, q in p.legs if s == ctx.borrowed)
        out = [ctx.step(p, _A.WITHDRAW_LP, p.symbol, p.qty, proceeds=0 if in_margin else cash,
                        reason=f"withdraw the {p.dex_kind} LP into its legs")]  # fmt: skip
        out += [_sell(ctx, p, s, q, "sell the LP leg")
                for s, q in p.legs if s != ctx.borrowed and q > 0]  # fmt: skip
        return out
    if k is _K.VAULT_SHARES:
        assert p.share_rate_wad is not None
        under, under_qty = p.legs[0][0], p.qty * p.share_rate_wad // WAD
        cash = under_qty if under == ctx.borrowed and not in_margin else 0
        out = [ctx.step(p, _A.REDEEM_VAULT, p.symbol, p.qty, proceeds=cash,
                        reason=f"redeem {p.qty} shares for {under_qty} {under}")]  # fmt: skip
        if under != ctx.borrowed and under_qty > 0:
            out.append(_sell(ctx, p, under, under_qty, "sell the vault's underlying"))
        return out
    assert k is _K.MARGIN_VALUE
    assert p.margin_value_usd_wad is not None
    units = p.margin_value_usd_wad * 10**ctx.borrowed_decimals // (ctx.borrowed_price * 10**10)
    return [ctx.step(p, _A.COLLECT_CASH, p.symbol, units, proceeds=units,
                     reason="the sub-account's margin value, all positions closed")]  # fmt: skip


def _phase(p: Position, borrowed: str) -> int:
    if p.kind in (_K.SPOT, _K.LENDING_SUPPLY) and p.symbol == borrowed:
        return _COLLECT_PHASE
    return _PHASE[p.kind]


@dataclass(frozen=True, slots=True)
class _Unit:
    positions: tuple[Position, ...]
    hedged: bool
    key: tuple[int, int, str, int, int]


def _units(positions: Sequence[Position], ctx: _Ctx, policy: Policy) -> list[_Unit]:
    """Batches in FULL order: unhedged derivatives, hedged groups, the rest by phase/venue."""
    exps = account_exposures(positions, prices=ctx.prices, assets=ctx.assets, policy=policy,
                             now_ts_s=ctx.now_ts_s)  # fmt: skip
    sides: dict[int, set[int]] = {}
    members: dict[int, list[str]] = {}
    for e in exps:
        if e.approved and e.group_id is not None and e.notional_usd_wad != 0:
            sides.setdefault(e.group_id, set()).add(1 if e.notional_usd_wad > 0 else -1)
            members.setdefault(e.group_id, []).append(e.position_id)
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for gid in sorted(g for g, s in sides.items() if len(s) == 2):
        root = members[gid][0]
        for pid in members[gid]:
            parent[find(pid)] = find(root)
    index = {p.position_id: i for i, p in enumerate(positions)}
    comps: dict[str, list[Position]] = {}
    for p in positions:
        if p.kind is not _K.MARGIN_VALUE:
            comps.setdefault(find(p.position_id) if p.position_id in parent else p.position_id,
                             []).append(p)  # fmt: skip
    units: list[_Unit] = []
    for comp in comps.values():
        hedged = comp[0].position_id in parent
        ordered = tuple(sorted(comp, key=lambda q: (_phase(q, ctx.borrowed), q.venue_id,
                                                    index[q.position_id])))  # fmt: skip
        first, ph = ordered[0], _phase(ordered[0], ctx.borrowed)
        i0 = min(index[q.position_id] for q in comp)
        if hedged:
            key = (1, 0, "", 0, i0)
        elif ph <= 1:
            key = (0, 0, first.venue_id, ph, i0)
        else:
            key = (ph, 0, first.venue_id, 0, i0)
        units.append(_Unit(positions=ordered, hedged=hedged, key=key))
    return sorted(units, key=lambda u: u.key)


def _settle(positions: Sequence[Position], loans: Sequence[Loan],
            steps: Sequence[LiquidationStep], ctx: _Ctx, pool: PoolParams,
            ) -> tuple[tuple[Position, ...], tuple[Loan, ...], LiquidationOutcome]:  # fmt: skip
    indexed = [replace(s, index=i) for i, s in enumerate(steps)]
    return settle(positions, loans, indexed, {s.index: s.proceeds for s in indexed},
                  full=ctx.full, borrowed_decimals=ctx.borrowed_decimals,
                  borrowed_price_usd_e8=ctx.borrowed_price, fee_bps=pool.liquidation_fee_bps,
                  now_ts_s=ctx.now_ts_s)  # fmt: skip


def _healthy(rf_wad: int, pool: PoolParams) -> bool:
    return rf_status(rf_wad, pool) is MarginStatus.HEALTHY


def _rank(units: Sequence[_Unit], ctx: _Ctx, attribution: Mapping[str, int]
          ) -> list[_Unit]:  # fmt: skip
    """Partial-plan order: the highest charge per unit of cash freed first (exact fractions);
    batches that would leave a cash venue negative are dropped."""
    ranked: list[tuple[tuple[int, Fraction, int], _Unit]] = []
    for u in units:
        probe = replace(ctx, traded={})
        cash: dict[str, int] = {}
        for p in u.positions:
            for s in _position_steps(probe, p):
                cash[s.venue_id] = cash.get(s.venue_id, 0) + s.proceeds
        if any(c < 0 for v, c in cash.items() if v not in ctx.margin_venues):
            continue
        charge = sum(attribution.get(p.position_id, 0) for p in u.positions)
        freed = sum(c for v, c in cash.items() if v not in ctx.margin_venues)
        if freed > 0:
            key = (1, -Fraction(charge, freed), u.key[-1])
        elif charge > 0:
            key = (0, Fraction(-charge), u.key[-1])
        else:
            key = (2, Fraction(0), u.key[-1])
        ranked.append((key, u))
    return [u for _, u in sorted(ranked, key=lambda t: t[0])]


def plan_liquidation(
    positions: Iterable[Position],
    loans: Iterable[Loan],
    prices: PriceMap,
    policy: Policy,
    pool: PoolParams,
    *,
    depths: Mapping[str, MarketDepth],
    assets: Mapping[str, Asset],
    now_ts_s: int,
    target: LiquidationTarget | str = LiquidationTarget.FULL,
    settlement_venue_id: str = "onchain",
    pt_hold_max_s: int = 0,
) -> LiquidationPlan:
    """The liquidation plan of one account (module docstring); loans accrue to `now_ts_s`."""
    positions, loans = tuple(positions), tuple(loans)
    try:
        goal = LiquidationTarget(target)
    except ValueError:
        raise _invalid("target", f"{target!r} is not 'full' or 'to_healthy'") from None
    if not isinstance(pt_hold_max_s, int) or isinstance(pt_hold_max_s, bool) or pt_hold_max_s < 0:
        raise _invalid("pt_hold_max_s", f"must be an int >= 0, got {pt_hold_max_s!r}")
    if not settlement_venue_id:
        raise _invalid("settlement_venue_id", "must be a non-empty venue id")
    accounts = {p.account_id for p in positions} | {ln.account_id for ln in loans}
    if len(accounts) != 1:
        raise _invalid("account_id", f"need exactly one account, got {sorted(accounts)}")
    accrued = tuple(accrue(ln, now_ts_s=now_ts_s) for ln in loans)
    before = margin_account(positions, accrued, prices, policy, pool, assets=assets,
                            now_ts_s=now_ts_s)  # fmt: skip
    ctx = _Ctx(prices=prices, assets=assets, depths=depths, borrowed=pool.borrowed_asset,
               borrowed_decimals=0, borrowed_price=0,
               margin_venues=frozenset(v for _, v in margin_venues(positions)),
               now_ts_s=now_ts_s, pt_hold_max_s=pt_hold_max_s,
               full=goal is LiquidationTarget.FULL)  # fmt: skip
    ctx.borrowed_decimals = ctx.decimals(ctx.borrowed)
    ctx.borrowed_price = ctx.price(ctx.borrowed)
    units = _units(positions, ctx, policy)
    batches: list[list[LiquidationStep]] = []
    rf_after: int | None = None
    if goal is LiquidationTarget.FULL:
        for u in units:
            batches.append([s for p in u.positions for s in _position_steps(ctx, p)])
        for p in sorted((p for p in positions if p.kind is _K.MARGIN_VALUE),
                        key=lambda q: q.venue_id):  # fmt: skip
            batches.append(_position_steps(ctx, p))
        reason = "full liquidation: every position unwound, the loans repaid"
        left, _, out = _settle(positions, accrued, [s for b in batches for s in b], ctx, pool)
    elif _healthy(before.rf_wad, pool):
        left, _, out = _settle(positions, accrued, [], ctx, pool)
        rf_after, reason = before.rf_wad, "already healthy: nothing to unwind"
    else:
        reason = "to_healthy: every usable batch unwound and still not healthy"
        for u in _rank(units, ctx, before.attribution):
            batches.append([s for p in u.positions for s in _position_steps(ctx, p)])
            flat = [s for b in batches for s in b]
            left, left_loans, out = _settle(positions, accrued, flat, ctx, pool)
            rf_after = margin_account(left, left_loans, prices, policy, pool, assets=assets,
                                      now_ts_s=now_ts_s).rf_wad  # fmt: skip
            if _healthy(rf_after, pool):
                reason = f"to_healthy: stopped after {len(batches)} batches, RF above margin call"
                break
        else:
            if not batches:
                left, _, out = _settle(positions, accrued, [], ctx, pool)
                reason = "to_healthy: no batch can be unwound partially"
    return _assemble(batches, left, out, ctx, pool=pool, goal=goal, rf_before=before.rf_wad,
                     rf_after=rf_after, settlement=settlement_venue_id, reason=reason,
                     account_id=accounts.pop())  # fmt: skip


def _assemble(batches: Sequence[Sequence[LiquidationStep]], left: Sequence[Position],
              out: LiquidationOutcome, ctx: _Ctx, *, pool: PoolParams, goal: LiquidationTarget,
              rf_before: int, rf_after: int | None, settlement: str, reason: str,
              account_id: str) -> LiquidationPlan:  # fmt: skip
    steps: list[LiquidationStep] = []
    for b, batch in enumerate(batches):
        steps += [replace(s, index=len(steps) + i, batch=b) for i, s in enumerate(batch)]
    kept = {p.venue_id for p in left if p.kind is _K.MARGIN_VALUE}
    n_trade = len(steps)
    p_b, dec = ctx.borrowed_price, ctx.borrowed_decimals

    def money(venue: str, action: LiquidationAction, qty: int, why: str) -> LiquidationStep:
        return LiquidationStep(
            index=len(steps), batch=len(batches) + len(steps) - n_trade, venue_id=venue,
            action=action, position_id=None,
            symbol=ctx.borrowed, decimals=dec, qty=qty, mark_price_usd_e8=p_b,
            expected_price_usd_e8=p_b, basis_price_usd_e8=0, slippage_bps=0, proceeds=0,
            reason=why,
        )  # fmt: skip

    for venue, cash in out.venue_cash:
        if venue != settlement and venue not in kept and cash > 0:
            steps.append(money(venue, _A.BRIDGE, cash, f"bridge to {settlement}"))
    for r in out.repayments:
        if r.interest + r.principal:
            why = f"loan {r.loan_id}: interest {r.interest}, then principal {r.principal}"
            steps.append(money(settlement, _A.REPAY_LOAN, r.interest + r.principal, why))
    if out.bad_debt:
        reason += f"; shortfall {out.bad_debt} recorded as bad debt"

    def usd(units: int) -> int:
        out_usd: int = units * p_b * 10**10 // 10**dec
        return out_usd

    return LiquidationPlan(
        account_id=account_id, pool_id=pool.pool_id, target=goal, now_ts_s=ctx.now_ts_s,
        borrowed_asset=ctx.borrowed, borrowed_decimals=dec, borrowed_price_usd_e8=p_b,
        settlement_venue_id=settlement, fee_bps=pool.liquidation_fee_bps, steps=tuple(steps),
        venue_cash=out.venue_cash, expected_proceeds=out.realised_proceeds,
        expected_proceeds_usd_wad=usd(out.realised_proceeds), debt=out.debt, repaid=out.repaid,
        fee=out.fee, fee_usd_wad=usd(out.fee), bad_debt=out.bad_debt,
        bad_debt_usd_wad=_ceil_div(out.bad_debt * p_b * 10**10, 10**dec),
        residual_returned_to_borrower=out.residual_returned_to_borrower,
        repayments=out.repayments, rf_before_wad=rf_before, rf_after_wad=rf_after,
        reason=reason,
    )  # fmt: skip

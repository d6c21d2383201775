"""The scalar margin reference: STPV, borrowed value and RF of one account, in exact ints.

Sources: Atlas A.6.1.1.1.3.7.2.2 (haircuts on net exposure per asset, unapproved ±100% never
offset; sky-ecosystem/next-gen-atlas `content/A/6/1/1/1/3/7`, snapshot 4101dc75) and the Arkis
margin engine v2 whitepaper (ArkisXYZ/arkis_margin_engine_whitepaper
`margin_engine_v2/Arkis_Margin_Engine_v2.tex`, commit 061b8b10): STPV = min(STPV+, STPV-), no
positive stress on pegged assets, RF = STPV / borrowed, the liquidation threshold as an extra
haircut on STPV. spec/spark-prime.md §1.2-1.3, §2. The fast tier (`risk/`) must match this.

Steps (exposures from `prime.exposure`; V = Σ value):

1. Net approved notional per asset group: N_g. Staked / wrapped versions share their group,
   so a BTC long hedged by a BTC perp short nets to 0.
2. Two price moves per group, in bps: down = -haircut_long; up = +haircut_short, except a
   pegged group, which is never stressed up: its "up" move is its down move (the whitepaper
   haircuts CRVUSD by 10% in STPV+ as well). P&L_g(side) = floor(N_g x move / 10_000).
3. Each group is charged its worse side: charge_g = max(0, -P&L_g(up), -P&L_g(down)). This is
   the Atlas rule (a net long takes the long haircut, a net short the short haircut) and does
   not let one asset's favourable move pay for another's (a long BTC / short ETH book pays both
   haircuts). `stpv_down` / `stpv_up` are the Arkis whole-portfolio sides (every group moving
   the same way, gains included); STPV = V - Σ charges <= min(stpv_up, stpv_down), with
   equality when every charged group binds on the same side (all of the whitepaper's worked
   examples). `binding_scenario` is "down", "up", "both" (groups bind on different sides) or
   "none" (no charge).
4. Every unapproved exposure loses `unapproved_haircut_bps` (100%) of its notional's size, in
   both sides, never offset (a long and a short of the same unknown token are both charged).
5. The pool's liquidation threshold takes `liquidation_extra_haircut_bps` of a positive
   stressed value; the liquidity add-on (`prime.addons`, when depths are given) is subtracted.
6. Borrowed = Σ loans' (principal + accrued) in the pool's borrowed asset, at its price,
   rounded up. RF = floor(STPV x 1e18 / borrowed); 0 when STPV <= 0; `RF_NO_DEBT_WAD`
   (2^256 - 1, as Aave's health factor) when nothing is borrowed.

Attribution: each group's charge is split over the positions exposed to that group pro rata to
their signed contribution to N_g (the Euler allocation of h x |N_g|, which is homogeneous of
degree 1: a position on the net side pays, a hedge gets a negative share, its saving); each
unapproved charge goes to its position. Integer shares are floored and the remainder goes one
wei at a time to the largest fractional parts (ties: position id), so they sum exactly to the
total stress charge (`stress_charge_usd_wad`). The extra haircut and the add-on are not
attributed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.prime.addons import MarketDepth, liquidity_addon
from sparkprime.prime.book import Asset, Loan, Position, PriceMap
from sparkprime.prime.exposure import Exposure, account_exposures
from sparkprime.prime.policy import BPS, WAD, AssetGroup, Policy, PoolParams
from sparkprime.prime.scenarios import GridResult, Scenario, grid_stpv
from sparkprime.prime.status import MarginStatus, rf_status

__all__ = [
    "RF_NO_DEBT_WAD",
    "GroupMargin",
    "MarginResult",
    "MarginStatus",
    "borrowed_usd_wad",
    "margin_account",
    "margin_from_exposures",
    "rf_wad_of",
]

RF_NO_DEBT_WAD: Final = 2**256 - 1


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupMargin:
    """One asset group's net exposure, its two moves' P&L and its charge."""

    group_id: int
    name: str
    long_usd_wad: int
    short_usd_wad: int  # <= 0
    net_usd_wad: int
    pnl_up_usd_wad: int
    pnl_down_usd_wad: int
    charge_usd_wad: int
    binding: str  # "down", "up" or "none"


@dataclass(frozen=True, slots=True, kw_only=True)
class MarginResult:
    """An account's margin (module docstring); amounts in USD wad."""

    value_usd_wad: int
    stress_charge_usd_wad: int  # Σ group charges + Σ unapproved charges
    unapproved_charge_usd_wad: int
    stpv_up_usd_wad: int
    stpv_down_usd_wad: int
    extra_haircut_usd_wad: int
    addon_usd_wad: int
    stpv_usd_wad: int
    borrowed_usd_wad: int
    rf_wad: int
    status: MarginStatus
    binding_scenario: str
    by_group: tuple[GroupMargin, ...]
    attribution: Mapping[str, int] = field(hash=False)  # position_id -> share of the charge
    warnings: tuple[str, ...]
    exposures: tuple[Exposure, ...]
    grid: GridResult | None = None


def _ceil_div(a: int, b: int) -> int:
    return -((-a) // b)


def borrowed_usd_wad(
    loans: Iterable[Loan], pool: PoolParams, prices: PriceMap, assets: Mapping[str, Asset]
) -> int:
    """Σ (principal + accrued) in the pool's asset, valued at its price, rounded up."""
    units = sum(ln.principal + ln.accrued_interest for ln in loans)
    if units == 0:
        return 0
    price, decimals = _borrow_asset(pool, prices, assets)
    return _ceil_div(units * price * 10**10, 10**decimals)


def _borrow_asset(
    pool: PoolParams, prices: PriceMap, assets: Mapping[str, Asset]
) -> tuple[int, int]:
    symbol = pool.borrowed_asset
    asset = assets.get(symbol)
    if asset is None:
        raise ProtocolError(ErrorCode.PRIME_UNKNOWN_ASSET, symbol=symbol,
                            reason="the pool's borrowed asset has no decimals")  # fmt: skip
    price = prices.get(symbol)
    if not isinstance(price, int) or isinstance(price, bool) or price <= 0:
        raise ProtocolError(ErrorCode.PRICE_UNAVAILABLE, asset=symbol,
                            reason=f"the price map has {price!r}")  # fmt: skip
    return price, asset.decimals


def rf_wad_of(stpv_usd_wad: int, borrowed: int) -> int:
    """floor(STPV / borrowed) in wad; 0 if STPV <= 0; RF_NO_DEBT_WAD if nothing is borrowed."""
    if borrowed == 0:
        return RF_NO_DEBT_WAD
    if stpv_usd_wad <= 0:
        return 0
    return min(stpv_usd_wad * WAD // borrowed, RF_NO_DEBT_WAD - 1)


def _group_margin(g: AssetGroup, long_: int, short: int) -> GroupMargin:
    net = long_ + short
    down = (net * -g.haircut_long_bps) // BPS
    up = down if g.pegged else (net * g.haircut_short_bps) // BPS
    charge = max(0, -up, -down)
    binding = "none" if charge == 0 else ("down" if -down >= -up else "up")
    return GroupMargin(group_id=g.group_id, name=g.name, long_usd_wad=long_, short_usd_wad=short,
                       net_usd_wad=net, pnl_up_usd_wad=up, pnl_down_usd_wad=down,
                       charge_usd_wad=charge, binding=binding)  # fmt: skip


def _split(total: int, weights: Sequence[tuple[str, int]]) -> dict[str, int]:
    """Split `total` pro rata to signed `weights` (summing to a non-zero W), exactly."""
    w_sum = sum(w for _, w in weights)
    sign = 1 if w_sum > 0 else -1
    den = abs(w_sum)
    shares: dict[str, int] = {}
    rems: list[tuple[int, str]] = []
    for pid, w in weights:
        q, r = divmod(total * w * sign, den)
        shares[pid] = q
        rems.append((r, pid))
    left = total - sum(shares.values())
    for _, pid in sorted(rems, key=lambda t: (-t[0], t[1]))[:left]:
        shares[pid] += 1
    return shares


def margin_from_exposures(
    exposures: Iterable[Exposure],
    loans: Iterable[Loan],
    prices: PriceMap,
    policy: Policy,
    pool: PoolParams,
    *,
    assets: Mapping[str, Asset],
    scenario_grid: Iterable[Scenario] | None = None,
    depths: Mapping[str, MarketDepth] | None = None,
) -> MarginResult:
    """Margin of an account already decomposed into exposures (steps 1-6)."""
    exposures = tuple(exposures)
    value = sum(e.value_usd_wad for e in exposures)
    per_group: dict[int, dict[str, int]] = {}
    unapproved: dict[str, int] = {}
    warnings: list[str] = []
    for e in exposures:
        if not e.approved:
            charge = _ceil_div(abs(e.notional_usd_wad) * policy.unapproved_haircut_bps, BPS)
            unapproved[e.position_id] = unapproved.get(e.position_id, 0) + charge
            warnings.append(f"position {e.position_id}: {e.reason}")
        elif e.group_id is not None and e.notional_usd_wad != 0:
            contrib = per_group.setdefault(e.group_id, {})
            contrib[e.position_id] = contrib.get(e.position_id, 0) + e.notional_usd_wad
    groups = {g.group_id: g for g in policy.groups}
    by_group: list[GroupMargin] = []
    attribution: dict[str, int] = {e.position_id: 0 for e in exposures}
    for gid in sorted(per_group):
        contrib = per_group[gid]
        long_ = sum(v for v in contrib.values() if v > 0)
        short = sum(v for v in contrib.values() if v < 0)
        gm = _group_margin(groups[gid], long_, short)
        by_group.append(gm)
        if gm.charge_usd_wad:
            for pid, share in _split(gm.charge_usd_wad, sorted(contrib.items())).items():
                attribution[pid] += share
    unapproved_total = sum(unapproved.values())
    for pid, charge in unapproved.items():
        attribution[pid] += charge
    group_charge = sum(g.charge_usd_wad for g in by_group)
    stressed = value - group_charge - unapproved_total
    stpv_up = value + sum(g.pnl_up_usd_wad for g in by_group) - unapproved_total
    stpv_down = value + sum(g.pnl_down_usd_wad for g in by_group) - unapproved_total
    sides = {g.binding for g in by_group if g.charge_usd_wad}
    binding = "none" if not sides else (sides.pop() if len(sides) == 1 else "both")
    extra = _ceil_div(max(stressed, 0) * pool.liquidation_extra_haircut_bps, BPS)
    addon = 0
    if depths:
        add = liquidity_addon(exposures, depths)
        addon = add.addon_usd_wad
        warnings.extend(add.warnings)
    stpv = stressed - extra - addon
    borrowed = borrowed_usd_wad(loans, pool, prices, assets)
    rf = rf_wad_of(stpv, borrowed)
    grid = None if scenario_grid is None else grid_stpv(exposures, scenario_grid, policy)
    return MarginResult(
        value_usd_wad=value,
        stress_charge_usd_wad=group_charge + unapproved_total,
        unapproved_charge_usd_wad=unapproved_total,
        stpv_up_usd_wad=stpv_up,
        stpv_down_usd_wad=stpv_down,
        extra_haircut_usd_wad=extra,
        addon_usd_wad=addon,
        stpv_usd_wad=stpv,
        borrowed_usd_wad=borrowed,
        rf_wad=rf,
        status=rf_status(rf, pool),
        binding_scenario=binding,
        by_group=tuple(by_group),
        attribution=MappingProxyType(attribution),
        warnings=tuple(dict.fromkeys(warnings)),
        exposures=exposures,
        grid=grid,
    )


def margin_account(
    positions: Iterable[Position],
    loans: Iterable[Loan],
    prices: PriceMap,
    policy: Policy,
    pool: PoolParams,
    *,
    assets: Mapping[str, Asset],
    now_ts_s: int,
    scenario_grid: Iterable[Scenario] | None = None,
    depths: Mapping[str, MarketDepth] | None = None,
) -> MarginResult:
    """Margin one account: `positions` and `loans` must all belong to the same account."""
    positions = tuple(positions)
    loans = tuple(loans)
    accounts = {p.account_id for p in positions} | {ln.account_id for ln in loans}
    if len(accounts) > 1:
        reason = f"positions and loans span accounts {sorted(accounts)}"
        raise ProtocolError(ErrorCode.PRIME_INVALID_MARGIN_INPUT, field="account_id", reason=reason)
    ids = [p.position_id for p in positions]
    if len(set(ids)) != len(ids):
        raise ProtocolError(ErrorCode.PRIME_INVALID_MARGIN_INPUT, field="position_id",
                            reason="a position id appears twice")  # fmt: skip
    exposures = account_exposures(positions, prices=prices, assets=assets, policy=policy,
                                  now_ts_s=now_ts_s)  # fmt: skip
    return margin_from_exposures(exposures, loans, prices, policy, pool, assets=assets,
                                 scenario_grid=scenario_grid, depths=depths)  # fmt: skip

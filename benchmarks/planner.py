"""SLL allocation planner time for 50 venues over 5 chains, against a fixed-split allocator.

The views are synthetic: 50 venues (half with a SparkLend variable-rate strategy priced per
move, half flat; every fifth capital-consuming), CCTP between Ethereum and four chains, the
PSM and a mint route, with rate limits that bind. The baseline, measured in the same run, is
`plan_fixed_split` over the same views: the same liquidity rule and limit simulation, then
equal weights, no yield search. The ratio is the price of the marginal search.

Run: .venv/bin/python benchmarks/planner.py
"""

from __future__ import annotations

import timeit

from sparkprime.core.fixed import BPS, RAY, WAD
from sparkprime.protocols.liquidity_layer.planner import plan_allocation, plan_fixed_split
from sparkprime.protocols.liquidity_layer.planner_views import (
    SKY_CREDIT,
    UNLIMITED,
    FlatYield,
    LendingYield,
    LimitView,
    Node,
    PlannerInputs,
    RouteKind,
    RouteView,
    VenueKind,
    VenueView,
    YieldModel,
)
from sparkprime.protocols.sparklend.addresses import make_addr
from sparkprime.protocols.sparklend.rate_strategies import VariableBorrowInterestRateStrategy

M = 1_000_000 * WAD
CHAINS = ("ethereum", "base", "arbitrum", "avalanche", "gnosis")
ETH_USDC, ETH_USDS = Node("ethereum", "USDC"), Node("ethereum", "USDS")


def _model(i: int) -> YieldModel:
    if i % 2 == 0:
        return FlatYield(rate_ray=(300 + 17 * i) * RAY // BPS)
    strategy = VariableBorrowInterestRateStrategy(
        optimal_usage_ratio=9 * RAY // 10,
        base_variable_borrow_rate=0,
        variable_rate_slope1=5 * RAY // 100,
        variable_rate_slope2=60 * RAY // 100,
    )
    return LendingYield(
        strategy=strategy,
        decimals=6,
        available_liquidity=(30 + 3 * i) * 10**12,
        total_variable_debt=(50 + 7 * i) * 10**12,
        reserve_factor_bps=1_000,
    )


def views(n: int = 50) -> PlannerInputs:
    """`n` venues over five chains with the routes and limits between them."""
    venues, limits = [], []
    for i in range(n):
        chain = CHAINS[i % len(CHAINS)]
        vid = f"v{i:02d}-{chain}"
        venues.append(VenueView(
            venue_id=vid, chain=chain, asset="USDC", kind=VenueKind.AAVE, target=make_addr(vid),
            decimals=6, position_wad=(i % 7) * 3 * M, yield_model=_model(i),
            capital_ratio_bps=5_000 if i % 5 == 3 else 0, max_exposure_wad=(20 + i) * M,
            deposit_key=f"dep:{vid}", withdraw_key=f"wd:{vid}",
        ))  # fmt: skip
        limits += [
            LimitView(key=f"dep:{vid}", current_wad=(10 + i % 9 * 5) * M, max_wad=100 * M),
            LimitView(key=f"wd:{vid}", current_wad=UNLIMITED, max_wad=UNLIMITED),
        ]
    routes = [
        RouteView(route_id="psm", kind=RouteKind.SWAP, chain="ethereum", src=ETH_USDS,
                  dst=ETH_USDC, action="swap_usds_to_usdc", decimals=6, keys=("psm",)),
        RouteView(route_id="mint", kind=RouteKind.MINT, chain="ethereum", src=SKY_CREDIT,
                  dst=ETH_USDS, action="mint_usds", decimals=18, keys=("mint",),
                  capacity_wad=500 * M),
    ]  # fmt: skip
    limits += [
        LimitView(key="psm", current_wad=400 * M, max_wad=1_000 * M),
        LimitView(key="mint", current_wad=300 * M, max_wad=1_000 * M),
        LimitView(key="cctp", current_wad=200 * M, max_wad=200 * M),
    ]
    for domain, chain in enumerate(CHAINS[1:], start=1):
        node = Node(chain, "USDC")
        routes += [
            RouteView(route_id=f"out-{chain}", kind=RouteKind.BRIDGE, chain="ethereum",
                      src=ETH_USDC, dst=node, action="transfer_usdc_to_cctp", decimals=6,
                      keys=("cctp", f"cctp:{chain}"), delay_s=1_200,
                      args=(("destination_domain", domain),)),
            RouteView(route_id=f"in-{chain}", kind=RouteKind.BRIDGE, chain=chain, src=node,
                      dst=ETH_USDC, action="transfer_usdc_to_cctp", decimals=6,
                      keys=(f"{chain}:cctp",), delay_s=1_200, args=(("destination_domain", 0),)),
        ]  # fmt: skip
        limits += [
            LimitView(key=f"cctp:{chain}", current_wad=40 * M, max_wad=40 * M),
            LimitView(key=f"{chain}:cctp", current_wad=200 * M, max_wad=200 * M),
        ]
    idle = [(Node(c, "USDC"), 50 * M) for c in CHAINS] + [(ETH_USDS, 50 * M)]
    return PlannerInputs(
        now_s=1_700_000_000, venues=tuple(venues), routes=tuple(routes), limits=tuple(limits),
        idle=tuple(idle), liquidity_node=ETH_USDC, deposits_wad=80 * M,
        total_risk_capital_wad=60 * M, mint_cost_ray=4 * RAY // 100,
    )  # fmt: skip


def _best(fn: object, number: int) -> float:
    return min(timeit.repeat(fn, number=number, repeat=5)) / number  # type: ignore[arg-type]


def main() -> None:
    inputs = views(50)
    weights = {v.venue_id: 1 for v in inputs.venues}
    plan = plan_allocation(inputs)
    fixed = plan_fixed_split(inputs, weights)
    t_plan = _best(lambda: plan_allocation(inputs), 10)
    t_fixed = _best(lambda: plan_fixed_split(inputs, weights), 10)
    t_views = _best(lambda: views(50), 10)
    print(f"venues: {len(inputs.venues)}, chains: {len(CHAINS)}, routes: {len(inputs.routes)}")
    print(f"planner: {t_plan * 1e3:.1f} ms/plan, {len(plan.actions)} actions")
    print(f"fixed split (baseline): {t_fixed * 1e3:.1f} ms/plan, {len(fixed.actions)} actions")
    print(f"view construction: {t_views * 1e3:.2f} ms")
    print(f"planner / fixed split: {t_plan / t_fixed:.1f}x")
    ours, base = (p.projected_yield_ray * 10_000 // RAY for p in (plan, fixed))
    print(f"projected yield: planner {ours} bps, fixed split {base} bps")


if __name__ == "__main__":
    main()

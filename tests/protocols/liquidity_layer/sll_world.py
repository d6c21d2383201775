"""Test builders for the SLL planner: synthetic views (venues, routes, limits) by hand.

`synthetic_inputs` gives a small Ethereum + Base set-up whose every number is stated here,
so a test can say what the planner must do. `many_venues` spreads N venues over five chains
for the benchmark and the properties. The live world on the real models is
`sll_live_world`.
"""

from __future__ import annotations

from dataclasses import replace

from sparkprime.core.fixed import BPS, RAY, WAD
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
)
from sparkprime.protocols.sparklend.addresses import make_addr
from sparkprime.protocols.sparklend.rate_strategies import VariableBorrowInterestRateStrategy

__all__ = [
    "BASE_USDC",
    "ETH_USDC",
    "ETH_USDS",
    "M",
    "bps_ray",
    "lending",
    "many_venues",
    "standard_routes",
    "synthetic_inputs",
    "venue",
    "with_level",
]

M = 1_000_000 * WAD
ETH_USDS = Node("ethereum", "USDS")
ETH_USDC = Node("ethereum", "USDC")
BASE_USDC = Node("base", "USDC")


def bps_ray(bps: int) -> int:
    """An APR of `bps` basis points in ray."""
    return bps * RAY // BPS


def lending(
    *, debt_units: int, cash_units: int, decimals: int = 6, reserve_factor_bps: int = 1_000
) -> LendingYield:
    """A variable-rate reserve: kink at 90%, 0% base, 5% slope 1, 60% slope 2."""
    strategy = VariableBorrowInterestRateStrategy(
        optimal_usage_ratio=9 * RAY // 10,
        base_variable_borrow_rate=0,
        variable_rate_slope1=bps_ray(500),
        variable_rate_slope2=bps_ray(6_000),
    )
    return LendingYield(
        strategy=strategy,
        decimals=decimals,
        available_liquidity=cash_units,
        total_variable_debt=debt_units,
        reserve_factor_bps=reserve_factor_bps,
    )


def venue(
    venue_id: str,
    node: Node,
    *,
    apr_bps: int | None = None,
    position: int = 0,
    kind: VenueKind = VenueKind.ERC4626,
    decimals: int | None = None,
    **extra: object,
) -> VenueView:
    """A venue with keys `dep:<id>` and `wd:<id>` (a flat yield unless `yield_model=`)."""
    fields: dict[str, object] = {
        "venue_id": venue_id,
        "chain": node.chain,
        "asset": node.asset,
        "kind": kind,
        "target": make_addr(venue_id),
        "decimals": decimals if decimals is not None else (6 if node.asset == "USDC" else 18),
        "position_wad": position,
        "yield_model": FlatYield(rate_ray=bps_ray(apr_bps or 0)),
        "deposit_key": f"dep:{venue_id}",
        "withdraw_key": f"wd:{venue_id}",
    }
    fields.update(extra)
    return VenueView(**fields)  # type: ignore[arg-type]


def standard_routes(*, mint_capacity: int = 0) -> tuple[RouteView, ...]:
    """PSM both ways, CCTP Ethereum <-> Base (20 min), and the allocator mint."""
    routes = [
        RouteView(
            route_id="psm-usds-usdc", kind=RouteKind.SWAP, chain="ethereum", src=ETH_USDS,
            dst=ETH_USDC, action="swap_usds_to_usdc", decimals=6, keys=("psm",),
        ),
        RouteView(
            route_id="psm-usdc-usds", kind=RouteKind.SWAP, chain="ethereum", src=ETH_USDC,
            dst=ETH_USDS, action="swap_usdc_to_usds", decimals=6, refills=("psm",),
        ),
        RouteView(
            route_id="cctp-eth-base", kind=RouteKind.BRIDGE, chain="ethereum", src=ETH_USDC,
            dst=BASE_USDC, action="transfer_usdc_to_cctp", decimals=6,
            keys=("cctp", "cctp:base"), delay_s=1_200, args=(("destination_domain", 6),),
        ),
        RouteView(
            route_id="cctp-base-eth", kind=RouteKind.BRIDGE, chain="base", src=BASE_USDC,
            dst=ETH_USDC, action="transfer_usdc_to_cctp", decimals=6,
            keys=("base:cctp", "base:cctp:eth"), delay_s=1_200, args=(("destination_domain", 0),),
        ),
    ]  # fmt: skip
    if mint_capacity:
        routes.append(
            RouteView(
                route_id="mint", kind=RouteKind.MINT, chain="ethereum", src=SKY_CREDIT,
                dst=ETH_USDS, action="mint_usds", decimals=18, keys=("mint",),
                capacity_wad=mint_capacity,
            )
        )  # fmt: skip
    return tuple(routes)


def _limits_for(
    venues: tuple[VenueView, ...], routes: tuple[RouteView, ...], levels: dict[str, int]
) -> tuple[LimitView, ...]:
    keys: list[str] = []
    for v in venues:
        keys += [k for k in (v.deposit_key, v.withdraw_key) if k is not None]
    for r in routes:
        keys += list(r.keys + r.refills)
    out = []
    for key in dict.fromkeys(keys):
        level = levels.get(key, UNLIMITED)
        out.append(
            LimitView(
                key=key,
                current_wad=level,
                max_wad=max(level, 1) if level < UNLIMITED else UNLIMITED,
            )
        )
    return tuple(out)


def synthetic_inputs(
    venues: tuple[VenueView, ...],
    *,
    idle: dict[Node, int] | None = None,
    levels: dict[str, int] | None = None,
    routes: tuple[RouteView, ...] | None = None,
    deposits: int = 0,
    risk_capital: int = 1_000 * M,
    mint_cost_bps: int = 0,
) -> PlannerInputs:
    """Inputs over `venues`; every key not in `levels` is unlimited (level = max)."""
    routes = routes if routes is not None else standard_routes()
    limits = _limits_for(venues, routes, levels or {})
    return PlannerInputs(
        now_s=1_700_000_000,
        venues=venues,
        routes=routes,
        limits=limits,
        idle=tuple((idle or {}).items()),
        liquidity_node=ETH_USDC,
        deposits_wad=deposits,
        total_risk_capital_wad=risk_capital,
        mint_cost_ray=bps_ray(mint_cost_bps),
    )


_CHAINS = ("ethereum", "base", "arbitrum", "avalanche", "gnosis")


def many_venues(n: int, *, idle_per_chain: int = 50 * M) -> PlannerInputs:
    """`n` venues over five chains (flat and lending yields, some capital-consuming), CCTP
    between Ethereum and each other chain, PSM on Ethereum."""
    venues = []
    for i in range(n):
        chain = _CHAINS[i % len(_CHAINS)]
        node = Node(chain, "USDC")
        model = (
            lending(debt_units=(50 + 7 * i) * 10**12, cash_units=(30 + 3 * i) * 10**12)
            if i % 2
            else FlatYield(rate_ray=bps_ray(300 + 17 * i))
        )
        venues.append(
            venue(
                f"v{i:02d}-{chain}", node, position=(i % 7) * 3 * M, yield_model=model,
                capital_ratio_bps=5_000 if i % 5 == 3 else 0, max_exposure_wad=(20 + i) * M,
            )
        )  # fmt: skip
    routes: list[RouteView] = [
        r for r in standard_routes(mint_capacity=500 * M) if "cctp" not in r.route_id
    ]
    for domain, chain in enumerate(_CHAINS[1:], start=1):
        dst = Node(chain, "USDC")
        routes += [
            RouteView(
                route_id=f"cctp-eth-{chain}", kind=RouteKind.BRIDGE, chain="ethereum",
                src=ETH_USDC, dst=dst, action="transfer_usdc_to_cctp", decimals=6,
                keys=("cctp", f"cctp:{chain}"), delay_s=1_200,
                args=(("destination_domain", domain),),
            ),
            RouteView(
                route_id=f"cctp-{chain}-eth", kind=RouteKind.BRIDGE, chain=chain, src=dst,
                dst=ETH_USDC, action="transfer_usdc_to_cctp", decimals=6,
                keys=(f"{chain}:cctp",), delay_s=1_200, args=(("destination_domain", 0),),
            ),
        ]  # fmt: skip
    levels = {"cctp": 200 * M, "psm": 400 * M, "mint": 300 * M}
    levels.update({f"cctp:{c}": 40 * M for c in _CHAINS[1:]})
    levels.update({f"dep:{v.venue_id}": (10 + i % 9 * 5) * M for i, v in enumerate(venues)})
    idle = {Node(c, "USDC"): idle_per_chain for c in _CHAINS}
    idle[ETH_USDS] = idle_per_chain
    return synthetic_inputs(
        tuple(venues),
        idle=idle,
        levels=levels,
        routes=tuple(routes),
        deposits=80 * M,
        risk_capital=60 * M,
        mint_cost_bps=400,
    )


def with_level(inputs: PlannerInputs, key: str, level: int) -> PlannerInputs:
    """`inputs` with `key`'s level (and max, if needed) raised to `level`."""
    limits = tuple(
        replace(lim, current_wad=level, max_wad=max(lim.max_wad, level)) if lim.key == key else lim
        for lim in inputs.limits
    )
    return replace(inputs, limits=limits)

"""Test builders for the SLL planner: synthetic views (venues, routes, limits) by hand.

`synthetic_inputs` gives a small Ethereum + Base set-up whose every number is stated here,
so a test can say what the planner must do. `many_venues` spreads N venues over five chains
for the benchmark and the properties.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sparkprime.core.clock import Clock
from sparkprime.core.fixed import BPS, RAY, WAD
from sparkprime.core.ids import Address
from sparkprime.core.rng import Rng
from sparkprime.core.uint import UINT256_MAX
from sparkprime.protocols.erc20 import Erc20, TokenRegistry
from sparkprime.protocols.liquidity_layer.aave_market import (
    AaveMarketConfig,
    RateStrategyParams,
    build_aave_market,
)
from sparkprime.protocols.liquidity_layer.planner import Plan
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
    scale_of,
)
from sparkprime.protocols.liquidity_layer.rate_limit_helpers import make_limit_id
from sparkprime.protocols.liquidity_layer.rate_limits import CONTROLLER, RateLimits
from sparkprime.protocols.liquidity_layer.relayer import lending_yield, limit_view
from sparkprime.protocols.savings.rates_conv import Conv
from sparkprime.protocols.savings.susds import SUsds
from sparkprime.protocols.sparklend.addresses import make_addr
from sparkprime.protocols.sparklend.pool import Pool
from sparkprime.protocols.sparklend.rate_strategies import VariableBorrowInterestRateStrategy

__all__ = [
    "BASE_USDC",
    "ETH_USDC",
    "ETH_USDS",
    "M",
    "SllWorld",
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


# --- a live multi-chain world over the venue models --------------------------------------


YEAR_S = 365 * 86_400
DAY_S = 86_400


class _Chain:
    """One chain: its tokens, its ALM proxy address and its (real) RateLimits."""

    def __init__(self, name: str, clock: Clock) -> None:
        self.name = name
        self.registry = TokenRegistry()
        self.usdc = self.registry.register(Erc20(make_addr(f"{name}/USDC"), "USDC", 6))
        self.usds = self.registry.register(Erc20(make_addr(f"{name}/USDS"), "USDS", 18))
        self.proxy = make_addr(f"{name}/almProxy")
        self.controller = make_addr(f"{name}/controller")
        admin = make_addr(f"{name}/admin")
        self.rate_limits = RateLimits(admin, clock=clock, atomic=self.registry.atomic)
        self.rate_limits.grant_role(CONTROLLER, self.controller, sender=admin)
        self.admin = admin

    def token(self, asset: str) -> Erc20:
        return self.usdc if asset == "USDC" else self.usds

    def limit(self, name: str, max_units: int, per_day_units: int) -> str:
        key = make_limit_id(f"{self.name}:{name}")
        self.rate_limits.set_rate_limit_data(
            key, max_units, per_day_units // DAY_S, sender=self.admin
        )
        return key

    def unlimited(self, name: str) -> str:
        key = make_limit_id(f"{self.name}:{name}")
        self.rate_limits.set_unlimited_rate_limit_data(key, sender=self.admin)
        return key

    def spend(self, key: str, units: int) -> None:
        self.rate_limits.trigger_rate_limit_decrease(key, units, sender=self.controller)

    def refill(self, key: str, units: int) -> None:
        self.rate_limits.trigger_rate_limit_increase(key, units, sender=self.controller)


class _Arkis:
    """The Arkis SLL instance as seen by the SLL: a USDC loan book earning the prime loan
    rate (simple interest, settled on each touch). Test glue, not a protocol model."""

    def __init__(self, clock: Clock, rate_bps: int) -> None:
        self.clock, self.rate_bps, self.value, self.ts = clock, rate_bps, 0, clock.now

    def accrue(self) -> None:
        dt = self.clock.now - self.ts
        self.value += self.value * self.rate_bps * dt // (BPS * YEAR_S)
        self.ts = self.clock.now


@dataclass
class _Live:
    venue_id: str
    chain: _Chain
    kind: VenueKind
    asset: str
    target: str
    deposit_key: str
    withdraw_key: str
    capital_ratio_bps: int = 0
    max_exposure_wad: int = UNLIMITED
    pool: Pool | None = None
    susds: SUsds | None = None
    arkis: _Arkis | None = None

    @property
    def token(self) -> Erc20:
        return self.chain.token(self.asset)

    def position_units(self) -> int:
        if self.pool is not None:
            return self.pool.a_token(self.token.address).balance_of(self.chain.proxy)
        if self.susds is not None:
            return self.susds.max_withdraw(self.chain.proxy)
        assert self.arkis is not None
        self.arkis.accrue()
        return self.arkis.value

    def free_units(self) -> int:
        if self.pool is not None:
            return self.token.balance_of(self.pool.a_token(self.token.address).address)
        return UNLIMITED

    def yield_model(self) -> YieldModel:
        if self.pool is not None:
            return lending_yield(self.pool, self.token.address, self.chain.registry)
        if self.susds is not None:
            return FlatYield(rate_ray=Conv().rtob(self.susds.ssr) * RAY // BPS)
        assert self.arkis is not None
        return FlatYield(rate_ray=bps_ray(self.arkis.rate_bps))

    def deposit(self, units: int) -> None:
        proxy = self.chain.proxy
        self.chain.spend(self.deposit_key, units)
        if self.pool is not None:
            self.token.approve(self.pool.address, units, sender=proxy)
            self.pool.supply(self.token.address, units, proxy, sender=proxy)
        elif self.susds is not None:
            self.token.approve(self.susds.address, units, sender=proxy)
            self.susds.deposit(units, proxy, sender=proxy)
        else:
            assert self.arkis is not None
            self.arkis.accrue()
            self.token.burn(proxy, units)
            self.arkis.value += units

    def withdraw(self, units: int) -> None:
        proxy = self.chain.proxy
        self.chain.spend(self.withdraw_key, units)
        self.chain.refill(self.deposit_key, units)
        if self.pool is not None:
            self.pool.withdraw(self.token.address, units, proxy, sender=proxy)
        elif self.susds is not None:
            self.susds.withdraw(units, proxy, proxy, sender=proxy)
        else:
            assert self.arkis is not None
            self.arkis.accrue()
            self.arkis.value -= units
            self.token.mint(proxy, units)


@dataclass
class _Market:
    pool: Pool
    token: Erc20
    borrower: Address


@dataclass
class _Flows:
    """Saver flows and shortfalls seen so far."""

    net_deposits_wad: int = 0
    unpaid_wad: int = 0
    short_steps: int = 0


class SllWorld:
    """Ethereum (PSM, sUSDS, SparkLend USDC, an Aave-like USDC market, a second Aave-like
    market standing in for a Morpho vault, the Arkis instance), Base and Arbitrum (an
    Aave-like market each and a second stand-in), Avalanche (Aave-like) and Gnosis (a
    SparkLend-like USDS market reached by a token bridge), one clock. Other borrowers move
    the markets, SP-BEAM-sized SSR steps move sUSDS, savers deposit and withdraw USDC."""

    def __init__(self, seed: int, *, deposits: int = 400 * M, risk_capital: int = 20 * M) -> None:
        self.clock = Clock(start_ts_s=1_750_000_000)
        self.rng = Rng(seed)
        self.chains = {
            n: _Chain(n, self.clock)
            for n in ("ethereum", "base", "arbitrum", "avalanche", "gnosis")
        }
        self.venues: list[_Live] = []
        self.markets: list[_Market] = []
        self.routes: list[tuple[RouteView, _Chain, _Chain]] = []
        self.pending: list[tuple[int, _Chain, str, int]] = []  # (arrival, chain, asset, units)
        self.deposits_wad = deposits
        self.risk_capital_wad = risk_capital
        self.flows = _Flows()
        self._build()
        eth = self.chains["ethereum"]
        eth.usdc.mint(eth.proxy, deposits // 10**12)

    # --- set-up ---

    def _build(self) -> None:
        eth = self.chains["ethereum"]
        ward = make_addr("sky/ward")
        self.susds = SUsds(eth.usds, self.clock, atomic=eth.registry.atomic, ward=ward)
        self.susds.file("ssr", Conv().btor(450), sender=ward)
        self.ward = ward
        self._vault("sUSDS", eth, "USDS", self.susds, 200 * M, 400 * M)
        self._market("SparkLend USDC", eth, "USDC", 400, 320, 500, 100 * M, 200 * M)
        self._market("Aave Core USDC", eth, "USDC", 300, 250, 450, 50 * M, 25 * M)
        self._market("Morpho USDC*", eth, "USDC", 120, 100, 600, 50 * M, 25 * M)
        arkis = _Arkis(self.clock, 800)
        self._add(
            _Live(
                "Arkis",
                eth,
                VenueKind.ERC4626,
                "USDC",
                make_addr("arkis/spUSDC"),
                eth.limit("arkis:dep", 5_000_000 * 10**6, 5_000_000 * 10**6),
                eth.unlimited("arkis:wd"),
                5_000,
                50 * M,
                arkis=arkis,
            )
        )
        for name, size in (("base", 80), ("arbitrum", 90)):
            chain = self.chains[name]
            self._market(
                f"Aave {name.title()}", chain, "USDC", size, size * 8 // 10, 550, 30 * M, 15 * M
            )
            self._market(
                f"Morpho {name.title()}*",
                chain,
                "USDC",
                size // 2,
                size * 4 // 10,
                650,
                20 * M,
                10 * M,
            )
        self._market(
            "Aave Avalanche", self.chains["avalanche"], "USDC", 50, 38, 500, 30 * M, 15 * M
        )
        self._market("SparkLend Gnosis", self.chains["gnosis"], "USDS", 30, 22, 700, 20 * M, 10 * M)
        self._route(
            "psm-usds-usdc",
            RouteKind.SWAP,
            eth,
            eth,
            "USDS",
            "USDC",
            "swap_usds_to_usdc",
            (eth.limit("psm", 10**9 * 10**6, 10**9 * 10**6),),
            (),
        )
        self._route(
            "psm-usdc-usds", RouteKind.SWAP, eth, eth, "USDC", "USDS", "swap_usdc_to_usds", (), ()
        )
        cctp = eth.limit("cctp", 200_000_000 * 10**6, 500_000_000 * 10**6)
        for name, domain, cap in (("base", 6, 4), ("arbitrum", 3, 4), ("avalanche", 1, 100)):
            chain = self.chains[name]
            dom = eth.limit(f"cctp:{name}", cap * 10**12, cap * 10**12 // 2)
            self._route(
                f"cctp-eth-{name}",
                RouteKind.BRIDGE,
                eth,
                chain,
                "USDC",
                "USDC",
                "transfer_usdc_to_cctp",
                (cctp, dom),
                (("destination_domain", domain),),
            )
            back = chain.limit("cctp", 200_000_000 * 10**6, 500_000_000 * 10**6)
            self._route(
                f"cctp-{name}-eth",
                RouteKind.BRIDGE,
                chain,
                eth,
                "USDC",
                "USDC",
                "transfer_usdc_to_cctp",
                (back,),
                (("destination_domain", 0),),
            )
        gnosis = self.chains["gnosis"]
        self._route(
            "bridge-eth-gnosis",
            RouteKind.BRIDGE,
            eth,
            gnosis,
            "USDS",
            "USDS",
            "transfer_token_bridge",
            (eth.limit("bridge:gnosis", 50 * 10**24, 25 * 10**24),),
            (),
        )
        self._route(
            "bridge-gnosis-eth",
            RouteKind.BRIDGE,
            gnosis,
            eth,
            "USDS",
            "USDS",
            "transfer_token_bridge",
            (gnosis.limit("bridge:eth", 50 * 10**24, 25 * 10**24),),
            (),
        )

    def _add(self, live: _Live) -> None:
        self.venues.append(live)

    def _vault(  # noqa: PLR0917 - test set-up helper
        self, vid: str, chain: _Chain, asset: str, vault: SUsds, cap: int, per_day: int
    ) -> None:
        d = chain.token(asset).decimals
        scale = scale_of(d)
        self._add(_Live(vid, chain, VenueKind.ERC4626, asset, vault.address,
                        chain.limit(f"{vid}:dep", cap // scale, per_day // scale),
                        chain.unlimited(f"{vid}:wd"), susds=vault))  # fmt: skip

    def _market(  # noqa: PLR0917 - test set-up helper
        self,
        vid: str,
        chain: _Chain,
        asset: str,
        supplied_m: int,
        borrowed_m: int,
        slope1_bps: int,
        cap: int,
        per_day: int,
    ) -> None:
        token = chain.token(asset)
        params = RateStrategyParams(slope1_ray=bps_ray(slope1_bps))
        market = build_aave_market(
            AaveMarketConfig(name=f"{chain.name}/{vid}", stable_strategy=params),
            chain.registry, self.clock, token,
        )  # fmt: skip
        pool, unit = market.pool, 10**token.decimals
        lender, borrower = make_addr(f"{vid}/lender"), make_addr(f"{vid}/borrower")
        token.mint(lender, supplied_m * 10**6 * unit)
        token.approve(pool.address, UINT256_MAX, sender=lender)
        pool.supply(token.address, supplied_m * 10**6 * unit, lender, sender=lender)
        coll = market.collateral
        coll.mint(borrower, 10**6 * 10**18)
        coll.approve(pool.address, UINT256_MAX, sender=borrower)
        pool.supply(coll.address, 10**6 * 10**18, borrower, sender=borrower)
        pool.borrow(token.address, borrowed_m * 10**6 * unit, 2, 0, borrower, sender=borrower)
        token.approve(pool.address, UINT256_MAX, sender=borrower)
        scale = scale_of(token.decimals)
        self.markets.append(_Market(pool, token, borrower))
        self._add(_Live(vid, chain, VenueKind.AAVE, asset, market.a_token,
                        chain.limit(f"{vid}:dep", cap // scale, per_day // scale),
                        chain.unlimited(f"{vid}:wd"), pool=pool))  # fmt: skip

    def _route(  # noqa: PLR0917 - test set-up helper
        self,
        rid: str,
        kind: RouteKind,
        src: _Chain,
        dst: _Chain,
        a: str,
        b: str,
        action: str,
        keys: tuple[str, ...],
        args: tuple[tuple[str, int | str], ...],
    ) -> None:
        decimals = src.token(a).decimals if kind is RouteKind.BRIDGE else 6
        view = RouteView(
            route_id=rid, kind=kind, chain=src.name, src=Node(src.name, a), dst=Node(dst.name, b),
            action=action, decimals=decimals, keys=keys,
            refills=(self.routes[0][0].keys if rid == "psm-usdc-usds" else ()),
            delay_s=1_800 if kind is RouteKind.BRIDGE else 0, args=args,
        )  # fmt: skip
        self.routes.append((view, src, dst))

    # --- the relayer's view ---

    def observe(self) -> PlannerInputs:
        venues = []
        for v in self.venues:
            scale = scale_of(v.token.decimals)
            pos, free = v.position_units() * scale, v.free_units()
            venues.append(VenueView(
                venue_id=v.venue_id, chain=v.chain.name, asset=v.asset, kind=v.kind,
                target=v.target, decimals=v.token.decimals, position_wad=pos,
                yield_model=v.yield_model(), capital_ratio_bps=v.capital_ratio_bps,
                max_exposure_wad=v.max_exposure_wad, deposit_key=v.deposit_key,
                withdraw_key=v.withdraw_key,
                withdrawable_wad=pos if free == UNLIMITED else min(pos, free * scale),
            ))  # fmt: skip
        limits: dict[str, LimitView] = {}
        for v in self.venues:
            for key in (v.deposit_key, v.withdraw_key):
                limits[key] = limit_view(v.chain.rate_limits, key, v.token.decimals)
        for r, src, _ in self.routes:
            for key in r.keys + r.refills:
                limits[key] = limit_view(src.rate_limits, key, r.decimals)
        idle = []
        for c in self.chains.values():
            for asset in ("USDC", "USDS"):
                tok = c.token(asset)
                idle.append((Node(c.name, asset), tok.balance_of(c.proxy) * scale_of(tok.decimals)))
        in_flight: dict[Node, int] = {}
        for _, chain, asset, units in self.pending:
            node = Node(chain.name, asset)
            in_flight[node] = in_flight.get(node, 0) + units * scale_of(chain.token(asset).decimals)
        return PlannerInputs(
            now_s=self.clock.now, venues=tuple(venues), routes=tuple(r for r, _, _ in self.routes),
            limits=tuple(limits.values()), idle=tuple(idle), liquidity_node=ETH_USDC,
            deposits_wad=self.deposits_wad, total_risk_capital_wad=self.risk_capital_wad,
            in_flight=tuple(in_flight.items()),
        )  # fmt: skip

    # --- running a plan (what the controllers do, through the same RateLimits keys) ---

    def apply(self, plan: Plan) -> None:
        by_id = {v.venue_id: v for v in self.venues}
        routes = {r.route_id: (r, s, d) for r, s, d in self.routes}
        for a in plan.actions:
            if a.subject in by_id:
                live = by_id[a.subject]
                (live.deposit if a.action.startswith("deposit") else live.withdraw)(a.amount)
                continue
            r, src, dst = routes[a.subject]
            for key in r.keys:
                src.spend(key, a.amount)
            for key in r.refills:
                src.refill(key, a.amount)
            a_tok, b_tok = src.token(r.src.asset), dst.token(r.dst.asset)
            a_tok.burn(src.proxy, a.amount_wad // scale_of(a_tok.decimals))
            units = a.amount_wad // scale_of(b_tok.decimals)
            if r.delay_s:
                self.pending.append((self.clock.now + r.delay_s, dst, r.dst.asset, units))
            else:
                b_tok.mint(dst.proxy, units)

    # --- the world moving ---

    def step(self, dt_s: int) -> None:
        self.clock.skip(dt_s)
        arrived = [p for p in self.pending if p[0] <= self.clock.now]
        self.pending = [p for p in self.pending if p[0] > self.clock.now]
        for _, chain, asset, units in arrived:
            chain.token(asset).mint(chain.proxy, units)
        for m in self.markets:  # other borrowers borrow or repay up to 3% of the pool
            supplied = m.pool.a_token(m.token.address).total_supply()
            debt = m.pool.variable_debt_token(m.token.address).total_supply()
            cash = m.token.balance_of(m.pool.a_token(m.token.address).address)
            move = supplied * self.rng.randint(-300, 300) // BPS
            if move > 0 and debt + move < supplied * 95 // 100:
                m.pool.borrow(m.token.address, min(move, cash), 2, 0, m.borrower, sender=m.borrower)
            elif move < 0:
                amount = min(-move, debt)
                m.token.mint(m.borrower, amount)
                m.pool.repay(m.token.address, amount, 2, m.borrower, sender=m.borrower)
        if self.rng.randint(0, 19) == 0:  # an SSR step every ~5 days, 200..800 bps
            bps = min(
                max(Conv().rtob(self.susds.ssr) + self.rng.choice((-50, -25, 25, 50)), 200), 800
            )
            self.susds.drip()
            self.susds.file("ssr", Conv().btor(bps), sender=self.ward)
        eth = self.chains["ethereum"]
        flow = self.deposits_wad * self.rng.randint(-150, 160) // BPS // WAD * WAD
        if flow >= 0:
            eth.usdc.mint(eth.proxy, flow // 10**12)
        else:
            have = eth.usdc.balance_of(eth.proxy) * 10**12
            paid = min(-flow, have)
            eth.usdc.burn(eth.proxy, paid // 10**12)
            self.flows.unpaid_wad += -flow - paid
            flow = -paid
        self.deposits_wad += flow
        self.flows.net_deposits_wad += flow

    def value_wad(self) -> int:
        """Everything the SLL holds: positions, idle balances and funds on bridges."""
        total = sum(v.position_units() * scale_of(v.token.decimals) for v in self.venues)
        for c in self.chains.values():
            total += c.usdc.balance_of(c.proxy) * 10**12 + c.usds.balance_of(c.proxy)
        total += sum(u * scale_of(c.token(a).decimals) for _, c, a, u in self.pending)
        return total

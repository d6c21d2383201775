"""Inputs of the SLL allocation planner: frozen views of venues, routes, limits and funds.

The relayer (`relayer.observe`) reads the live models into these views; tests and benchmarks
build them by hand. Every amount is an 18-dp USD wad (stablecoins at par: a USDC amount
times 10**12), every rate an APR in ray, every ratio in bps. Rate-limit levels are converted
to wad the same way, so the planner compares like with like; unlimited keys keep `UNLIMITED`.

A venue's yield is a `YieldModel`: the venue's supply APR if its total supply changed by a
signed `delta_wad`. `FlatYield` is a constant (sUSDS at the SSR, the Arkis loan rate, 0 for a
PSM); `LendingYield` asks the market's own rate strategy (SparkLend / Aave
`calculateInterestRates` with `liquidity_added` / `liquidity_taken`), so the planner sees the
rate it would push the market to.

Example:
    >>> FlatYield(rate_ray=45 * 10**24).supply_rate_ray(10**24)
    45000000000000000000000000
    >>> Node("ethereum", "USDC")
    Node(chain='ethereum', asset='USDC')
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final, NamedTuple, Protocol, runtime_checkable

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.protocols.liquidity_layer.rate_limits import UNLIMITED
from sparkprime.protocols.sparklend.rate_strategies import (
    CalculateInterestRatesParams,
    ReserveInterestRateStrategy,
)

__all__ = [
    "SKY_CREDIT",
    "UNLIMITED",
    "WAD_DECIMALS",
    "DilutedYield",
    "FlatYield",
    "LendingYield",
    "LimitView",
    "Node",
    "PlannerInputs",
    "RouteKind",
    "RouteView",
    "VenueKind",
    "VenueView",
    "YieldModel",
    "scale_of",
]

WAD_DECIMALS: Final = 18
_SCALES: Final[tuple[int, ...]] = tuple(10**i for i in range(WAD_DECIMALS + 1))


class Node(NamedTuple):
    """Where idle funds sit: a chain and an asset (held by that chain's ALM proxy)."""

    chain: str
    asset: str


SKY_CREDIT: Final = Node("sky", "credit")  # the allocator vault's undrawn line (a mint source)


def scale_of(decimals: int) -> int:
    """Token units to wad: 10**(18 - decimals) (USDC: 10**12)."""
    if not 0 <= decimals <= WAD_DECIMALS:
        raise ProtocolError(
            ErrorCode.PLANNER_INVALID_VIEW, field="decimals", reason=f"{decimals} not in [0, 18]"
        )
    return _SCALES[WAD_DECIMALS - decimals]


@runtime_checkable
class YieldModel(Protocol):
    """A venue's supply APR (ray) if its total supply moved by `delta_wad` (signed)."""

    def supply_rate_ray(self, delta_wad: int, /) -> int:
        """The APR a supplier would earn after the move."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class FlatYield:
    """A rate that does not depend on size: sUSDS (SSR), Arkis (loan rate), PSM (0)."""

    rate_ray: int

    def supply_rate_ray(self, delta_wad: int, /) -> int:
        """`rate_ray`, whatever the move."""
        return self.rate_ray


@dataclass(frozen=True, slots=True, kw_only=True)
class LendingYield:
    """A SparkLend / Aave reserve's liquidity rate from its own strategy, for a hypothetical
    supply change: the strategy's `calculate_interest_rates` with the move as
    `liquidity_added` / `liquidity_taken` (borrow rate x utilisation x (1 - reserve factor),
    to the contract's rounding). Reserve amounts are in the token's units."""

    strategy: ReserveInterestRateStrategy
    decimals: int
    available_liquidity: int
    total_variable_debt: int
    total_stable_debt: int = 0
    average_stable_borrow_rate_ray: int = 0
    unbacked: int = 0
    reserve_factor_bps: int = 0

    def supply_rate_ray(self, delta_wad: int, /) -> int:
        """The reserve's liquidity rate after supplying (> 0) or withdrawing (< 0)."""
        units = abs(delta_wad) // scale_of(self.decimals)
        taken = min(units, self.available_liquidity) if delta_wad < 0 else 0
        params = CalculateInterestRatesParams(
            unbacked=self.unbacked,
            liquidity_added=units if delta_wad > 0 else 0,
            liquidity_taken=taken,
            total_stable_debt=self.total_stable_debt,
            total_variable_debt=self.total_variable_debt,
            average_stable_borrow_rate=self.average_stable_borrow_rate_ray,
            reserve_factor=self.reserve_factor_bps,
            available_liquidity=self.available_liquidity,
        )
        return self.strategy.calculate_interest_rates(params).liquidity_rate_ray


@dataclass(frozen=True, slots=True, kw_only=True)
class DilutedYield:
    """A pooled vault (MetaMorpho) whose borrowers' interest is taken as fixed: supplying
    `delta` spreads the same income over more assets, rate x total / (total + delta). The
    markets' curves would lower the borrow rate too, so this is an upper bound for a deposit.

    >>> DilutedYield(rate_ray=10**26, total_wad=3 * 10**18).supply_rate_ray(10**18)
    75000000000000000000000000
    """

    rate_ray: int
    total_wad: int

    def supply_rate_ray(self, delta_wad: int, /) -> int:
        """`rate_ray` spread over the new total (0 when nothing would be left)."""
        after = self.total_wad + delta_wad
        return self.rate_ray * self.total_wad // after if after > 0 else 0


class VenueKind(enum.Enum):
    """Which controller actions reach a venue."""

    ERC4626 = "erc4626"  # sUSDS, Morpho-like vaults, Arkis: deposit_erc4626 / withdraw_erc4626
    AAVE = "aave"  # SparkLend and Aave-like markets: deposit_aave / withdraw_aave
    PSM3 = "psm3"  # a foreign PSM3: deposit_psm / withdraw_psm
    # a whitelisted destination funded by `transfer_asset` (Arkis); its operator sends the
    # funds back (`recall_asset`, not a controller call)
    TRANSFER = "transfer"


class RouteKind(enum.Enum):
    """How a route moves funds between nodes."""

    MINT = "mint"  # allocator vault draw into the Ethereum proxy (mint_usds)
    SWAP = "swap"  # a same-chain conversion (the PSM), instant
    BRIDGE = "bridge"  # CCTP or a token bridge: arrives after `delay_s`


@dataclass(frozen=True, slots=True, kw_only=True)
class LimitView:
    """A rate-limit key's level now and its max, both in wad (`UNLIMITED` stays as is).

    Key names are global to the inputs, while each chain has its own RateLimits where the
    same key (LIMIT_USDC_TO_CCTP, a domain key) recurs: `relayer.observe` names them
    `<chain>/<key>` so two chains' keys are never taken for one."""

    key: str
    current_wad: int
    max_wad: int


@dataclass(frozen=True, slots=True, kw_only=True)
class VenueView:
    """One place funds can earn: its position, yield, limits and capacity (all wad).

    `deposit_key` / `withdraw_key` name the rate-limit keys the controller spends (None:
    not whitelisted). A withdrawal also refills `deposit_key` when `withdraw_refills_deposit`
    (ERC-4626 and Aave do, PSM3 does not). `deposit_capacity_wad` is the venue's own room
    (supply cap, `maxDeposit`), `withdrawable_wad` what it can pay out now (free liquidity).
    """

    venue_id: str
    chain: str
    asset: str
    kind: VenueKind
    target: str  # the address the controller call names: vault, aToken, or PSM3 asset
    decimals: int
    position_wad: int
    yield_model: YieldModel
    capital_ratio_bps: int = 0
    max_exposure_wad: int = UNLIMITED
    deposit_key: str | None = None
    withdraw_key: str | None = None
    withdraw_refills_deposit: bool = True
    deposit_capacity_wad: int = UNLIMITED
    withdrawable_wad: int = UNLIMITED

    @property
    def node(self) -> Node:
        """The node its deposits come from and withdrawals go to."""
        return Node(self.chain, self.asset)


@dataclass(frozen=True, slots=True, kw_only=True)
class RouteView:
    """A controller action that moves funds from `src` to `dst`, run on `chain`.

    It spends every key in `keys` (e.g. CCTP's global and per-domain limits) and refills
    those in `refills` (a PSM swap back). `capacity_wad` bounds it beside the keys (the PSM's
    gem balance, the allocator vault's headroom). `args` are the call's fixed arguments
    (e.g. `(("destination_domain", 6),)`).
    """

    route_id: str
    kind: RouteKind
    chain: str
    src: Node
    dst: Node
    action: str
    decimals: int
    keys: tuple[str, ...] = ()
    refills: tuple[str, ...] = ()
    capacity_wad: int = UNLIMITED
    delay_s: int = 0
    args: tuple[tuple[str, int | str], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class PlannerInputs:
    """Everything the planner sees at one moment.

    `idle` holds each node's undeployed balance; `in_flight` what bridges are still carrying
    (counted in total funds, never deployable). `mint_cost_ray` is the allocator vault's debt
    rate (the Base Rate): minted funds are only deployed where they earn more. `deposits_wad`
    (savers' deposits) sets target liquidity, held as idle at `liquidity_node`.
    `total_risk_capital_wad` is the encumbrance ratio's denominator.
    """

    now_s: int
    venues: tuple[VenueView, ...]
    routes: tuple[RouteView, ...]
    limits: tuple[LimitView, ...]
    idle: tuple[tuple[Node, int], ...]
    liquidity_node: Node
    deposits_wad: int
    total_risk_capital_wad: int
    mint_cost_ray: int = 0
    in_flight: tuple[tuple[Node, int], ...] = ()

    def __post_init__(self) -> None:
        _validate(self)


def _bad(field: str, reason: str) -> ProtocolError:
    return ProtocolError(ErrorCode.PLANNER_INVALID_VIEW, field=field, reason=reason)


def _validate(inputs: PlannerInputs) -> None:
    keys = {lim.key for lim in inputs.limits}
    if len(keys) != len(inputs.limits):
        raise _bad("limits", "a key is listed twice")
    for lim in inputs.limits:
        if not 0 <= lim.current_wad <= lim.max_wad:
            raise _bad(f"limits[{lim.key}]", "current must be in [0, max]")
    ids = [v.venue_id for v in inputs.venues] + [r.route_id for r in inputs.routes]
    if len(set(ids)) != len(ids):
        raise _bad("venues/routes", "ids must be unique")
    for v in inputs.venues:
        scale_of(v.decimals)
        if min(v.position_wad, v.deposit_capacity_wad, v.withdrawable_wad) < 0:
            raise _bad(f"venues[{v.venue_id}]", "amounts must be >= 0")
        if not 0 <= v.capital_ratio_bps <= 10_000 * 100:
            raise _bad(f"venues[{v.venue_id}]", "capital ratio out of range")
        for key in (v.deposit_key, v.withdraw_key):
            if key is not None and key not in keys:
                raise _bad(f"venues[{v.venue_id}]", f"limit {key} is not in limits")
    for r in inputs.routes:
        scale_of(r.decimals)
        for key in r.keys + r.refills:
            if key not in keys:
                raise _bad(f"routes[{r.route_id}]", f"limit {key} is not in limits")
        if r.capacity_wad < 0 or r.delay_s < 0 or r.src == r.dst:
            raise _bad(f"routes[{r.route_id}]", "bad capacity, delay or endpoints")
    for field, pairs in (("idle", inputs.idle), ("in_flight", inputs.in_flight)):
        nodes = [n for n, _ in pairs]
        if len(set(nodes)) != len(nodes) or any(a < 0 for _, a in pairs):
            raise _bad(field, "one non-negative amount per node")
    if min(inputs.deposits_wad, inputs.total_risk_capital_wad, inputs.mint_cost_ray) < 0:
        raise _bad("inputs", "deposits, risk capital and mint cost must be >= 0")

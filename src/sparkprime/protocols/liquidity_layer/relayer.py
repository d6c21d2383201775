"""The relayer: read the live models into planner views, and run a plan on the controllers.

`observe(deployment, deposits_wad=..., total_risk_capital_wad=...)` reads a deployed SLL
(`SllDeployment`: the chains' controllers, the venues and routes the relayer may use) into
`PlannerInputs`, from the models themselves:

- rate-limit levels with `RateLimits.get_current_rate_limit` (scaled to wad), for every key a
  venue or route spends, named `<chain>/<key>` (`chain_key`): each chain has its own
  RateLimits and the same key exists on several;
- positions: the proxy's aTokens (SparkLend / Aave), `maxWithdraw` of an ERC-4626 (sUSDS),
  `convertToAssets(balanceOf)` of a MetaMorpho vault, `convertToAssetValue(shares)` of PSM3,
  an operated venue's own book;
- yields: a reserve's own rate strategy (`LendingYield`), sUSDS at the SSR, a MetaMorpho
  vault's `supply_rate_ray` diluted by the move (`DilutedYield`), PSM3 LP shares at 0 (they
  earn only the pool's sUSDS share; counted at nothing, the cautious side);
- free liquidity (aToken cash, `maxWithdraw`, PSM3 balance), capacity (`maxDeposit`), idle
  balances at each proxy, CCTP messages still in flight (`Network.in_flight`), the mint
  cost from the allocator ilk's Jug duty and the mint room (`allocator_room`: the line less
  the debt accrued to this second).

`execute(plan, deployment, dry_run=...)` maps each `PlannedAction` to the chain
controller's call with `sender=deployment.relayer` (spark-alm-controller `MainnetController`
/ `ForeignController` external API, as `controller_base` mirrors it). `recall_asset` is not a
controller call: a venue funded by `transferAsset` (Arkis) sends the funds back itself, so the
venue's own `recall_asset(amount, receiver)` runs. A dry run opens every chain's `Atomic`,
runs the whole plan and rolls everything back (balances, rate limits, events, bridge
outboxes), returning what would have happened and the first refusal, if any. Applying commits
each call; a refusal is a planner bug, raised as `InvariantViolation` naming the action and
the reason.

Routes are what the real controllers can do: the PSM swaps and `mintUSDS` on Ethereum, USDC
over CCTP between Ethereum and each L2, PSM3 on the L2s. USDS does not travel: no controller
action sends it through a canonical token bridge.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Protocol, runtime_checkable

from sparkprime.core.errors import ErrorCode, InvariantViolation, ProtocolError
from sparkprime.core.fixed import RAY
from sparkprime.core.ids import Address
from sparkprime.core.uint import UINT256_MAX
from sparkprime.protocols.atomic import Atomic
from sparkprime.protocols.erc20 import Erc20, TokenRegistry
from sparkprime.protocols.liquidity_layer.allocator import AllocatorVault
from sparkprime.protocols.liquidity_layer.controller_base import ControllerBase
from sparkprime.protocols.liquidity_layer.domains import Network
from sparkprime.protocols.liquidity_layer.planner import Plan, PlannedAction
from sparkprime.protocols.liquidity_layer.planner_views import (
    UNLIMITED,
    DilutedYield,
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
from sparkprime.protocols.liquidity_layer.psm3 import PSM3
from sparkprime.protocols.liquidity_layer.rate_limits import RateLimitKey, RateLimits
from sparkprime.protocols.morpho.vault import MetaMorpho
from sparkprime.protocols.savings.susds import SUsds
from sparkprime.protocols.sparklend.pool import Pool

__all__ = [
    "YEAR_S",
    "ExecutionResult",
    "OperatedVenue",
    "RouteSpec",
    "SllDeployment",
    "VenueSpec",
    "a_token_position",
    "allocator_room",
    "chain_key",
    "execute",
    "lending_yield",
    "limit_view",
    "observe",
]

YEAR_S: Final = 365 * 86_400


def limit_view(rate_limits: RateLimits, key: str, decimals: int) -> LimitView:
    """A key's current level and max in wad (unlimited stays `UNLIMITED`)."""
    data = rate_limits.get_rate_limit_data(RateLimitKey(key))
    if data.max_amount == UNLIMITED:
        return LimitView(key=key, current_wad=UNLIMITED, max_wad=UNLIMITED)
    scale = scale_of(decimals)
    current = rate_limits.get_current_rate_limit(RateLimitKey(key))
    return LimitView(key=key, current_wad=current * scale, max_wad=data.max_amount * scale)


def lending_yield(pool: Pool, asset: Address, registry: TokenRegistry) -> LendingYield:
    """The reserve's rate inputs now: what `calculateInterestRates` would be given."""
    reserve = pool.get_reserve_data(asset)
    token = registry.get(asset)
    return LendingYield(
        strategy=reserve.interest_rate_strategy,
        decimals=token.decimals,
        available_liquidity=token.balance_of(reserve.a_token_address),
        total_variable_debt=pool.variable_debt_token(asset).total_supply(),
        reserve_factor_bps=reserve.configuration.get_reserve_factor(),
        unbacked=reserve.unbacked,
    )


def a_token_position(pool: Pool, asset: Address, holder: Address) -> int:
    """`holder`'s aToken balance of `asset` in the token's units."""
    return pool.a_token(asset).balance_of(holder)


@runtime_checkable
class OperatedVenue(Protocol):
    """A venue without a standard interface, run by its own operator (Arkis): funded by
    the controller's `transferAsset`, it reports its book and sends funds back itself."""

    def position_units(self, holder: Address) -> int:
        """What `holder` is owed, in the asset's units."""
        ...

    def withdrawable_units(self, holder: Address) -> int:
        """What it can send back now."""
        ...

    def supply_rate_ray(self) -> int:
        """The APR it pays (ray)."""
        ...

    def recall_asset(self, amount: int, receiver: Address) -> int:
        """Send `amount` back to `receiver` (the ALM proxy); return it."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class VenueSpec:
    """A venue the relayer may use: its contract (a `Pool`, `SUsds`, `MetaMorpho`, `PSM3`
    or an `OperatedVenue`), the address the controller call names (`target`: aToken, vault,
    PSM3 asset, transfer destination), the asset by symbol, and its keys and risk terms."""

    venue_id: str
    chain: str
    kind: VenueKind
    asset: str
    contract: object
    target: Address
    deposit_key: str | None
    withdraw_key: str | None
    capital_ratio_bps: int = 0
    max_exposure_wad: int = UNLIMITED
    withdraw_refills_deposit: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class RouteSpec:
    """A route and, where the venue bounds it, what it can carry now (token units)."""

    view: RouteView
    capacity_units: Callable[[], int] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SllDeployment:
    """What the relayer acts on: each chain's controller, the idle assets it watches at
    each proxy (chain -> symbol -> token), its venues and routes, the node that holds
    target liquidity, the network (for bridge messages) and the allocator vault (mint cost).
    `operators` may run `recall_asset` for operated venues (default: the venue itself)."""

    relayer: Address
    controllers: Mapping[str, ControllerBase]
    tokens: Mapping[str, Mapping[str, Erc20]]
    venues: tuple[VenueSpec, ...]
    routes: tuple[RouteSpec, ...]
    liquidity_node: Node
    network: Network | None = None
    vault: AllocatorVault | None = None
    operators: Mapping[str, Address] = field(default_factory=dict)

    def proxy(self, chain: str) -> Address:
        """The chain's ALM proxy."""
        return self.controllers[chain].proxy.address

    def atomics(self) -> list[Atomic]:
        """Each chain's `Atomic`, once."""
        seen: dict[int, Atomic] = {}
        for controller in self.controllers.values():
            seen.setdefault(id(controller.atomic), controller.atomic)
        return list(seen.values())


# --- observe --------------------------------------------------------------------------------


def _venue_view(d: SllDeployment, v: VenueSpec) -> VenueView:
    token = d.tokens[v.chain][v.asset]
    scale, proxy = scale_of(token.decimals), d.proxy(v.chain)
    c = v.contract
    capacity = UNLIMITED
    model: YieldModel
    if isinstance(c, Pool):
        pos = c.a_token(token.address).balance_of(proxy)
        free = min(pos, token.balance_of(c.a_token(token.address).address))
        model = lending_yield(c, token.address, _registry(d, v.chain))
    elif isinstance(c, MetaMorpho):
        pos, free = c.convert_to_assets(c.balance_of(proxy)), c.max_withdraw(proxy)
        capacity = c.max_deposit(proxy) * scale
        model = DilutedYield(rate_ray=c.supply_rate_ray(), total_wad=c.total_assets() * scale)
    elif isinstance(c, SUsds):
        pos = free = c.max_withdraw(proxy)
        model = FlatYield(rate_ray=(c.ssr - RAY) * YEAR_S)
    elif isinstance(c, PSM3):
        pos = c.convert_to_asset_value(c.shares(proxy)) // scale
        free = min(pos, token.balance_of(c.pocket))
        model = FlatYield(rate_ray=0)
    elif isinstance(c, OperatedVenue):
        pos, free = c.position_units(proxy), c.withdrawable_units(proxy)
        model = FlatYield(rate_ray=c.supply_rate_ray())
    else:
        raise ProtocolError(
            ErrorCode.RELAYER_UNREADABLE_VENUE,
            venue=v.venue_id,
            reason=f"no reader for a {type(c).__name__}",
        )
    return VenueView(
        venue_id=v.venue_id, chain=v.chain, asset=v.asset, kind=v.kind, target=v.target,
        decimals=token.decimals, position_wad=pos * scale, yield_model=model,
        capital_ratio_bps=v.capital_ratio_bps, max_exposure_wad=v.max_exposure_wad,
        deposit_key=chain_key(v.chain, v.deposit_key),
        withdraw_key=chain_key(v.chain, v.withdraw_key),
        withdraw_refills_deposit=v.withdraw_refills_deposit,
        deposit_capacity_wad=capacity, withdrawable_wad=free * scale,
    )  # fmt: skip


def _registry(d: SllDeployment, chain: str) -> TokenRegistry:
    """The chain's token registry (the controller's)."""
    return d.controllers[chain].contracts.registry


def allocator_room(vault: AllocatorVault) -> int:
    """What `draw` can still mint now (wad): the ilk's line less the debt with the Jug's fee
    accrued to this second. `slot()` reads the debt at the last drip; a draw drips first, so
    the relayer drips inside the vault's `Atomic` and rolls it back."""
    jug = vault.jug
    if jug is None:
        return vault.slot()
    mark = vault.atomic.begin()
    try:
        jug.drip(vault.ilk)
        return vault.slot()
    finally:
        vault.atomic.rollback(mark)


def _route_view(r: RouteSpec, d: SllDeployment) -> RouteView:
    v = r.view
    cap = v.capacity_wad
    if r.capacity_units is not None:
        cap = min(cap, r.capacity_units() * scale_of(v.decimals))
    if v.kind is RouteKind.MINT and d.vault is not None:
        cap = min(cap, allocator_room(d.vault))
    return RouteView(
        route_id=v.route_id, kind=v.kind, chain=v.chain, src=v.src, dst=v.dst, action=v.action,
        decimals=v.decimals, keys=tuple(f"{v.chain}/{k}" for k in v.keys),
        refills=tuple(f"{v.chain}/{k}" for k in v.refills), capacity_wad=cap,
        delay_s=v.delay_s, args=v.args,
    )  # fmt: skip


def chain_key(chain: str, key: str | None) -> str | None:
    """A rate-limit key as the planner sees it: `<chain>/<key>`. Each chain has its own
    RateLimits, and the same key (e.g. LIMIT_USDC_TO_CCTP) exists on several.

    >>> chain_key("base", "0xab")
    'base/0xab'
    """
    return None if key is None else f"{chain}/{key}"


def _limits(d: SllDeployment) -> tuple[LimitView, ...]:
    found: dict[str, tuple[str, str, int]] = {}
    for v in d.venues:
        decimals = d.tokens[v.chain][v.asset].decimals
        for key in (v.deposit_key, v.withdraw_key):
            if key is not None:
                found[f"{v.chain}/{key}"] = (v.chain, key, decimals)
    for r in d.routes:
        for key in r.view.keys + r.view.refills:
            found[f"{r.view.chain}/{key}"] = (r.view.chain, key, r.view.decimals)
    out = []
    for name, (chain, key, decimals) in found.items():
        lim = limit_view(d.controllers[chain].rate_limits, key, decimals)
        out.append(LimitView(key=name, current_wad=lim.current_wad, max_wad=lim.max_wad))
    return tuple(out)


def _in_flight(d: SllDeployment) -> tuple[tuple[Node, int], ...]:
    if d.network is None:
        return ()
    proxies = {d.proxy(chain): chain for chain in d.controllers}
    out: dict[Node, int] = {}
    for m in d.network.in_flight():
        chain = proxies.get(m.recipient)
        if chain == m.destination and m.token in d.tokens[chain]:
            node = Node(chain, m.token)
            out[node] = out.get(node, 0) + m.amount * scale_of(d.tokens[chain][m.token].decimals)
    return tuple(out.items())


def _mint_cost_ray(d: SllDeployment) -> int:
    jug = d.vault.jug if d.vault is not None else None
    if d.vault is None or jug is None:
        return 0
    return (jug.duty(d.vault.ilk) - RAY) * YEAR_S


def observe(
    deployment: SllDeployment, *, deposits_wad: int, total_risk_capital_wad: int
) -> PlannerInputs:
    """The planner's view of `deployment` now (see the module docstring)."""
    d = deployment
    idle = tuple(
        (Node(chain, symbol), token.balance_of(d.proxy(chain)) * scale_of(token.decimals))
        for chain, tokens in d.tokens.items()
        for symbol, token in tokens.items()
    )
    clock_now = d.network.clock.now if d.network is not None else 0
    return PlannerInputs(
        now_s=clock_now,
        venues=tuple(_venue_view(d, v) for v in d.venues),
        routes=tuple(_route_view(r, d) for r in d.routes),
        limits=_limits(d),
        idle=idle,
        liquidity_node=d.liquidity_node,
        deposits_wad=deposits_wad,
        total_risk_capital_wad=total_risk_capital_wad,
        mint_cost_ray=_mint_cost_ray(d),
        in_flight=_in_flight(d),
    )


# --- execute --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ExecutionResult:
    """What each action returned (by step), whether it was a dry run, and, for a dry run,
    the first refusal (step and error) if one came."""

    dry_run: bool
    returns: tuple[tuple[int, object], ...]
    refused: tuple[int, ProtocolError] | None = None


_Call = Callable[[Any, PlannedAction, dict[str, int | str], Address], object]

_CALLS: Final[dict[str, _Call]] = {
    "deposit_erc4626": lambda c, a, k, s: c.deposit_erc4626(k["token"], a.amount, 0, sender=s),
    "withdraw_erc4626": lambda c, a, k, s: c.withdraw_erc4626(
        k["token"], a.amount, UINT256_MAX, sender=s
    ),
    "deposit_aave": lambda c, a, k, s: c.deposit_aave(k["a_token"], a.amount, sender=s),
    "withdraw_aave": lambda c, a, k, s: c.withdraw_aave(k["a_token"], a.amount, sender=s),
    "deposit_psm": lambda c, a, k, s: c.deposit_psm(k["asset"], a.amount, sender=s),
    "withdraw_psm": lambda c, a, k, s: c.withdraw_psm(k["asset"], a.amount, sender=s),
    "mint_usds": lambda c, a, k, s: c.mint_usds(a.amount, sender=s),
    "swap_usds_to_usdc": lambda c, a, k, s: c.swap_usds_to_usdc(a.amount, sender=s),
    "swap_usdc_to_usds": lambda c, a, k, s: c.swap_usdc_to_usds(a.amount, sender=s),
    "transfer_usdc_to_cctp": lambda c, a, k, s: c.transfer_usdc_to_cctp(
        a.amount, k["destination_domain"], sender=s
    ),
    "transfer_asset": lambda c, a, k, s: c.transfer_asset(
        k["asset_address"], k["destination"], a.amount, sender=s
    ),
}


def _run(action: PlannedAction, d: SllDeployment) -> object:
    controller = d.controllers.get(action.chain)
    if controller is None:
        raise ProtocolError(ErrorCode.RELAYER_UNKNOWN_CHAIN, chain=action.chain)
    args = dict(action.args)
    if action.action == "recall_asset":
        return _recall(action, d, args)
    call = _CALLS.get(action.action)
    if call is None:
        raise ProtocolError(
            ErrorCode.RELAYER_UNKNOWN_ACTION, action=action.action, reason="no controller call"
        )
    if "asset" in args and action.action == "transfer_asset":
        args["asset_address"] = d.tokens[action.chain][str(args["asset"])].address
    return call(controller, action, args, d.relayer)


def _recall(action: PlannedAction, d: SllDeployment, args: dict[str, int | str]) -> object:
    for v in d.venues:
        if v.chain == action.chain and v.target == args.get("destination"):
            venue = v.contract
            if isinstance(venue, OperatedVenue):
                return venue.recall_asset(action.amount, d.proxy(action.chain))
    raise ProtocolError(
        ErrorCode.RELAYER_UNKNOWN_ACTION, action=action.action, reason="no operated venue there"
    )


def _precheck(plan: Plan, d: SllDeployment) -> None:
    """Refuse an unknown chain or action before touching anything."""
    for action in plan.actions:
        if action.chain not in d.controllers:
            raise ProtocolError(ErrorCode.RELAYER_UNKNOWN_CHAIN, chain=action.chain)
        if action.action not in _CALLS and action.action != "recall_asset":
            raise ProtocolError(
                ErrorCode.RELAYER_UNKNOWN_ACTION, action=action.action, reason="no controller call"
            )


def execute(plan: Plan, deployment: SllDeployment, *, dry_run: bool) -> ExecutionResult:
    """Run `plan` on `deployment`'s controllers as its relayer (see the module docstring)."""
    _precheck(plan, deployment)
    returns: list[tuple[int, object]] = []
    if not dry_run:
        for action in plan.actions:
            try:
                returns.append((action.step, _run(action, deployment)))
            except ProtocolError as err:
                raise InvariantViolation(
                    "planned action refused",
                    step=action.step,
                    chain=action.chain,
                    action=action.action,
                    amount=action.amount,
                    reason=action.reason,
                    error=str(err),
                ) from err
        return ExecutionResult(dry_run=False, returns=tuple(returns))
    atomics = deployment.atomics()
    marks = [a.begin() for a in atomics]
    refused: tuple[int, ProtocolError] | None = None
    try:
        for action in plan.actions:
            try:
                returns.append((action.step, _run(action, deployment)))
            except ProtocolError as err:
                refused = (action.step, err)
                break
    finally:
        for atomic, mark in zip(reversed(atomics), reversed(marks), strict=True):
            atomic.rollback(mark)
    return ExecutionResult(dry_run=True, returns=tuple(returns), refused=refused)

"""The planner's working state: simulated balances, limit levels and positions, and the moves.

`Work` is private to `planner`: it applies each candidate move to its copy of every
constraint (rate-limit levels, route capacities, venue room, idle balances, required risk
capital) so a later move sees what an earlier one used, and it records the controller
actions. See `planner` for the algorithm.

Example:
    >>> fmt_pct(45 * 10**24), fmt_usd(1_234_567 * 10**18)
    ('4.50%', '$1.23M')
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field

from sparkprime.core.fixed import BPS, RAY, WAD
from sparkprime.protocols.liquidity_layer.planner_views import (
    SKY_CREDIT,
    UNLIMITED,
    Node,
    PlannerInputs,
    RouteKind,
    RouteView,
    VenueKind,
    VenueView,
    scale_of,
)

__all__ = ["Path", "Work", "fmt_pct", "fmt_usd"]

Path = tuple[RouteView, ...]

_ACTIONS = {
    VenueKind.ERC4626: ("deposit_erc4626", "withdraw_erc4626", "token"),
    VenueKind.AAVE: ("deposit_aave", "withdraw_aave", "a_token"),
    VenueKind.PSM3: ("deposit_psm", "withdraw_psm", "asset"),
    VenueKind.TRANSFER: ("transfer_asset", "recall_asset", "destination"),
}


def _venue_args(v: VenueView) -> tuple[tuple[str, int | str], ...]:
    """The call's fixed arguments: the venue's address, and for a transfer the asset."""
    arg = _ACTIONS[v.kind][2]
    if v.kind is VenueKind.TRANSFER:
        return ((arg, v.target), ("asset", v.asset))
    return ((arg, v.target),)


_MAX_HOPS = 3


def fmt_pct(rate_ray: int) -> str:
    """An APR in ray as a percentage with two decimals (integer arithmetic, floored)."""
    bps = rate_ray * BPS // RAY
    sign = "-" if bps < 0 else ""
    return f"{sign}{abs(bps) // 100}.{abs(bps) % 100:02d}%"


def fmt_usd(amount_wad: int) -> str:
    """A wad amount as $x.xxM (or $x.xxK below a million), floored."""
    cents = amount_wad * 100 // WAD
    if abs(cents) >= 100_000_000:
        return f"${cents // 1_000_000 // 100}.{cents // 1_000_000 % 100:02d}M"
    return f"${cents // 1_000 // 100}.{cents // 1_000 % 100:02d}K"


class Cat(enum.IntEnum):
    """Execution order of the action kinds."""

    WITHDRAW = 0
    MINT = 1
    SWAP = 2
    BRIDGE = 3
    DEPOSIT = 4


_ROUTE_CAT = {RouteKind.MINT: Cat.MINT, RouteKind.SWAP: Cat.SWAP, RouteKind.BRIDGE: Cat.BRIDGE}


@dataclass(slots=True)
class Move:
    """A controller action being assembled: chunks with the same target merge into one."""

    cat: Cat
    seq: int
    chain: str
    action: str
    args: tuple[tuple[str, int | str], ...]
    scale: int
    subject: str
    reason: str
    amount_wad: int = 0
    count: int = 0


@dataclass(slots=True)
class Work:
    """Mutable simulation of one plan over `inputs` (see the module docstring)."""

    inputs: PlannerInputs
    chunk_wad: int
    hurdle_ray: int
    max_encumbrance_bps: int
    max_steps: int = 10_000
    steps: int = 0
    truncated: bool = False
    unit: int = 1
    venues: dict[str, VenueView] = field(default_factory=dict)
    delta: dict[str, int] = field(default_factory=dict)
    added: dict[str, int] = field(default_factory=dict)
    taken: dict[str, int] = field(default_factory=dict)
    levels: dict[str, int] = field(default_factory=dict)
    maxes: dict[str, int] = field(default_factory=dict)
    idle: dict[Node, int] = field(default_factory=dict)
    in_flight: dict[Node, int] = field(default_factory=dict)
    route_used: dict[str, int] = field(default_factory=dict)
    used_dirs: set[tuple[Node, Node]] = field(default_factory=set)
    into: set[str] = field(default_factory=set)
    out_of: set[str] = field(default_factory=set)
    dead: set[tuple[str, str]] = field(default_factory=set)
    required_x: int = 0  # sum of position x capital ratio (wad x bps)
    moves: dict[tuple[object, ...], Move] = field(default_factory=dict)
    paths: dict[tuple[Node, Node], list[Path]] = field(default_factory=dict)
    _rate_cache: dict[tuple[str, int], int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        inp = self.inputs
        self.venues = {v.venue_id: v for v in inp.venues}
        for v in inp.venues:
            self.delta[v.venue_id] = self.added[v.venue_id] = self.taken[v.venue_id] = 0
            self.required_x += v.position_wad * v.capital_ratio_bps
        for lim in inp.limits:
            self.levels[lim.key], self.maxes[lim.key] = lim.current_wad, lim.max_wad
        self.idle = dict(inp.idle)
        self.in_flight = dict(inp.in_flight)
        scales = [scale_of(v.decimals) for v in inp.venues]
        scales += [scale_of(r.decimals) for r in inp.routes]
        self.unit = max(scales, default=1)
        mint = [r for r in inp.routes if r.kind is RouteKind.MINT]
        self.idle[SKY_CREDIT] = min((r.capacity_wad for r in mint), default=0)
        self._build_paths()

    # --- graph ---

    def _build_paths(self) -> None:
        """Every simple route path of up to three hops; a bridge only as the last hop and a
        mint only as the first (funds after a bridge arrive later)."""
        frontier: list[Path] = [(r,) for r in self.inputs.routes]
        for _ in range(_MAX_HOPS):
            grown: list[Path] = []
            for path in frontier:
                self.paths.setdefault((path[0].src, path[-1].dst), []).append(path)
                if path[-1].kind is RouteKind.BRIDGE:
                    continue
                seen = {r.src for r in path} | {path[-1].dst}
                grown.extend(
                    (*path, r)
                    for r in self.inputs.routes
                    if r.src == path[-1].dst and r.dst not in seen and r.kind is not RouteKind.MINT
                )
            frontier = grown

    def floor(self, amount: int) -> int:
        return max(amount, 0) // self.unit * self.unit

    def level(self, key: str | None) -> int:
        """A key's simulated level (0 when the venue has no key: not whitelisted)."""
        if key is None:
            return 0
        return UNLIMITED if self.maxes[key] == UNLIMITED else self.levels[key]

    def _spend(self, key: str, amount: int) -> None:
        if self.maxes[key] != UNLIMITED:
            self.levels[key] -= amount

    def _refill(self, key: str, amount: int) -> None:
        if self.maxes[key] != UNLIMITED:
            self.levels[key] = min(self.levels[key] + amount, self.maxes[key])

    def route_room(self, r: RouteView) -> int:
        """What `r` can still carry: its keys' levels and its own capacity."""
        if (r.dst, r.src) in self.used_dirs:
            return 0
        room = r.capacity_wad - self.route_used.get(r.route_id, 0)
        for key in r.keys:
            room = min(room, self.level(key))
        return room

    def path_room(self, src: Node, dst: Node, *, instant: bool = False) -> tuple[Path, int]:
        """The first path from `src` to `dst` with room (only bridge-free ones when
        `instant`), and that room; the empty path when they are the same node."""
        if src == dst:
            return (), UNLIMITED
        for path in self.paths.get((src, dst), ()):
            if instant and any(r.delay_s for r in path):
                continue
            room = min(self.route_room(r) for r in path)
            if self.floor(room) > 0:
                return path, room
        return (), 0

    # --- venues ---

    def position(self, v: VenueView) -> int:
        return v.position_wad + self.delta[v.venue_id]

    def deposit_room(self, v: VenueView) -> int:
        """Room under the deposit key, max exposure, the venue's capacity and encumbrance."""
        if v.venue_id in self.out_of or v.deposit_key is None:
            return 0
        room = min(
            self.level(v.deposit_key),
            v.max_exposure_wad - self.position(v),
            v.deposit_capacity_wad - self.added[v.venue_id],
        )
        if v.capital_ratio_bps:
            cap_x = self.max_encumbrance_bps * self.inputs.total_risk_capital_wad
            room = min(room, (cap_x - self.required_x) // v.capital_ratio_bps)
        return self.floor(room)

    def withdraw_room(self, v: VenueView) -> int:
        """Room under the withdraw key, the venue's free liquidity and our position."""
        if v.venue_id in self.into or v.withdraw_key is None:
            return 0
        room = min(
            self.level(v.withdraw_key),
            v.withdrawable_wad - self.taken[v.venue_id],
            self.position(v),
        )
        return self.floor(room)

    def rate(self, v: VenueView, delta: int) -> int:
        key = (v.venue_id, delta)
        cached = self._rate_cache.get(key)
        if cached is None:
            cached = self._rate_cache[key] = v.yield_model.supply_rate_ray(delta)
        return cached

    def _income(self, v: VenueView, delta: int) -> int:
        return (v.position_wad + delta) * self.rate(v, delta)

    def _charge(self, v: VenueView) -> int:
        return v.capital_ratio_bps * self.hurdle_ray // BPS

    def gain_ray(self, v: VenueView, amount: int) -> int:
        """Risk-adjusted marginal APR of supplying `amount` more."""
        d = self.delta[v.venue_id]
        return (self._income(v, d + amount) - self._income(v, d)) // amount - self._charge(v)

    def loss_ray(self, v: VenueView, amount: int) -> int:
        """Risk-adjusted APR given up per unit by withdrawing `amount`."""
        d = self.delta[v.venue_id]
        return (self._income(v, d) - self._income(v, d - amount)) // amount - self._charge(v)

    def idle_at(self, node: Node) -> int:
        return self.idle.get(node, 0)

    # --- applying moves ---

    def tick(self) -> bool:
        """Count a step; False (and `truncated`) once the step limit is reached."""
        self.steps += 1
        if self.steps > self.max_steps:
            self.truncated = True
            return False
        return True

    def _record(
        self,
        cat: Cat,
        *,
        chain: str,
        action: str,
        args: tuple[tuple[str, int | str], ...],
        scale: int,
        subject: str,
        reason: str,
        amount: int,
    ) -> None:
        key = (cat, chain, action, args)
        move = self.moves.get(key)
        if move is None:
            move = self.moves[key] = Move(
                cat, len(self.moves), chain, action, args, scale, subject, reason
            )
        move.amount_wad += amount
        move.count += 1

    def withdraw(self, v: VenueView, amount: int, reason: str) -> None:
        vid = v.venue_id
        self._spend(v.withdraw_key or "", amount)
        if v.withdraw_refills_deposit and v.deposit_key is not None:
            self._refill(v.deposit_key, amount)
        self.delta[vid] -= amount
        self.taken[vid] += amount
        self.required_x -= amount * v.capital_ratio_bps
        self.out_of.add(vid)
        self.idle[v.node] = self.idle_at(v.node) + amount
        action = _ACTIONS[v.kind][1]
        args = _venue_args(v)
        self._record(
            Cat.WITHDRAW, chain=v.chain, action=action, args=args, scale=scale_of(v.decimals),
            subject=vid, reason=reason, amount=amount,
        )  # fmt: skip

    def route(self, path: Path, amount: int, reason: str) -> bool:
        """Carry `amount` along `path`; True when it arrives now (no bridge)."""
        for r in path:
            for key in r.keys:
                self._spend(key, amount)
            for key in r.refills:
                self._refill(key, amount)
            self.route_used[r.route_id] = self.route_used.get(r.route_id, 0) + amount
            self.used_dirs.add((r.src, r.dst))
            self.idle[r.src] -= amount
            dest = self.in_flight if r.delay_s else self.idle
            dest[r.dst] = dest.get(r.dst, 0) + amount
            self._record(
                _ROUTE_CAT[r.kind], chain=r.chain, action=r.action, args=r.args,
                scale=scale_of(r.decimals), subject=r.route_id, reason=reason, amount=amount,
            )  # fmt: skip
        return all(r.delay_s == 0 for r in path)

    def deposit(self, v: VenueView, amount: int, reason: str, *, now: bool) -> None:
        """Supply `amount`; when it is still on a bridge (`now` False) only reserve the room
        (the next plan deposits it)."""
        vid = v.venue_id
        self._spend(v.deposit_key or "", amount)
        self.delta[vid] += amount
        self.added[vid] += amount
        self.required_x += amount * v.capital_ratio_bps
        self.into.add(vid)
        if not now:
            return
        self.idle[v.node] -= amount
        deposit = _ACTIONS[v.kind][0]
        args = _venue_args(v)
        self._record(
            Cat.DEPOSIT, chain=v.chain, action=deposit, args=args, scale=scale_of(v.decimals),
            subject=vid, reason=reason, amount=amount,
        )  # fmt: skip

    # --- results ---

    def ordered_moves(self) -> Iterator[Move]:
        """Withdrawals, mints, swaps, bridges, deposits; first-planned first within each."""
        yield from sorted(self.moves.values(), key=lambda m: (m.cat, m.seq))

    def required_risk_capital_wad(self) -> int:
        return -(-self.required_x // BPS)

    def blended_yield_ray(self, *, projected: bool) -> int:
        income = total = 0
        for v in self.inputs.venues:
            d = self.delta[v.venue_id] if projected else 0
            income += self._income(v, d)
            total += v.position_wad + d
        if projected:
            pools = (self.idle, self.in_flight)
        else:
            pools = (dict(self.inputs.idle), dict(self.inputs.in_flight))
        total += sum(a for pool in pools for n, a in pool.items() if n != SKY_CREDIT)
        return income // total if total else 0

    def projected_positions(self) -> tuple[tuple[str, int], ...]:
        return tuple((v.venue_id, self.position(v)) for v in self.inputs.venues)

    def limit_levels(self) -> tuple[tuple[str, int], ...]:
        return tuple((lim.key, self.levels[lim.key]) for lim in self.inputs.limits)

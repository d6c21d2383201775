"""The Spark Liquidity Layer allocation planner: the relayer's off-chain logic.

Nothing on chain decides where SLL funds go (spark-alm-controller `docs/ARCHITECTURE.md`: the
relayer calls the controllers, bounded by governance's rate limits). This planner is that
decision, pure and deterministic over frozen `PlannerInputs`:

1. **Forced moves**: withdraw from any venue over its max exposure, then (lowest risk-adjusted
   yield first) from capital-consuming venues while the encumbrance ratio (required risk
   capital / total risk capital, Atlas SLLG/3/1) is over the cap (90%).
2. **Target liquidity** (Atlas Spark Savings v2): keep min(max(10% of deposits, 1M), 10M)
   idle at the liquidity node (Ethereum USDC): pull idle funds, then withdraw where the
   risk-adjusted yield given up is lowest, or mint, whichever costs least; what only a bridge
   can bring is sent and reported as inbound, the rest as a shortfall.
3. **Rebalance**: move a chunk out of a venue into another when the receiving venue's marginal
   risk-adjusted yield beats the giving venue's by more than the hysteresis.
4. **Deploy**: water-fill idle funds (and mint headroom, when a venue beats the mint cost by
   the hysteresis) in chunks, each to the venue with the best marginal risk-adjusted yield that
   still has room under every constraint: its deposit rate limit, every key of the route (PSM
   swap, CCTP global and per-domain, mint), its capacity, its max exposure and the
   encumbrance cap.

Risk-adjusted yield = marginal yield - capital ratio x `risk_capital_cost_ray`. A marginal
yield is the change in the venue's income on our position per unit moved, so supplying into a
lending market counts the rate it pushes down on what we already hold there.

Every move is simulated on the rate-limit levels, capacities and balances as it is added, so
the plan never asks a contract for more than it allows. A venue withdrawn from is not
deposited into in the same plan (and vice versa), and a route is not used in both directions;
so every key moves one way within a plan and the final order (withdrawals, mints, swaps,
bridges, deposits) is always executable. Amounts are 18-dp USD wad inside and whole token
units in the actions. Bridged deposits arrive after the bridge's delay: the plan sends the
funds and reserves the venue's room; the next plan deposits them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import BPS, RAY, WAD
from sparkprime.protocols.liquidity_layer.planner_views import (
    SKY_CREDIT,
    Node,
    PlannerInputs,
    VenueView,
)
from sparkprime.protocols.liquidity_layer.planner_work import Path, Work, fmt_pct, fmt_usd

__all__ = [
    "Plan",
    "PlannedAction",
    "PlannerPolicy",
    "plan_allocation",
    "plan_fixed_split",
    "target_liquidity_wad",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class PlannerPolicy:
    """The relayer's knobs (Atlas values as defaults where Atlas gives one).

    `risk_capital_cost_ray` is the hurdle charged per unit of risk capital a venue consumes;
    `hysteresis_ray` the yield gap a rebalance must beat; `min_move_wad` the smallest move
    (Atlas `MAINNET_MIN_OPERATION_SIZE` is 500,000); `chunk_wad` the water-filling step.
    """

    target_liquidity_bps: int = 1_000
    target_liquidity_floor_wad: int = 1_000_000 * WAD
    target_liquidity_cap_wad: int = 10_000_000 * WAD
    max_encumbrance_bps: int = 9_000
    risk_capital_cost_ray: int = 0
    hysteresis_ray: int = 50 * RAY // BPS
    min_move_wad: int = 500_000 * WAD
    chunk_wad: int = 5_000_000 * WAD
    max_steps: int = 10_000

    def __post_init__(self) -> None:
        checks = (
            ("target_liquidity_bps", 0 <= self.target_liquidity_bps <= BPS),
            ("target_liquidity_floor_wad", self.target_liquidity_floor_wad >= 0),
            (
                "target_liquidity_cap_wad",
                self.target_liquidity_cap_wad >= self.target_liquidity_floor_wad,
            ),
            ("max_encumbrance_bps", 0 <= self.max_encumbrance_bps <= BPS),
            ("risk_capital_cost_ray", self.risk_capital_cost_ray >= 0),
            ("hysteresis_ray", self.hysteresis_ray >= 0),
            ("min_move_wad", self.min_move_wad >= 0),
            ("chunk_wad", self.chunk_wad > 0),
            ("max_steps", 0 < self.max_steps <= 1_000_000),
        )
        for field, ok in checks:
            if not ok:
                raise ProtocolError(
                    ErrorCode.PLANNER_INVALID_POLICY, field=field, reason="is out of range"
                )


def target_liquidity_wad(deposits_wad: int, policy: PlannerPolicy) -> int:
    """Atlas target liquidity: the greater of 10% of deposits and 1M, at most 10M.

    >>> p = PlannerPolicy()
    >>> [target_liquidity_wad(d * WAD, p) // WAD for d in (0, 5_000_000, 30_000_000, 10**9)]
    [1000000, 1000000, 3000000, 10000000]
    """
    share = deposits_wad * policy.target_liquidity_bps // BPS
    return min(max(share, policy.target_liquidity_floor_wad), policy.target_liquidity_cap_wad)


@dataclass(frozen=True, slots=True, kw_only=True)
class PlannedAction:
    """One controller call: run `action` on `chain`'s controller with `args` and `amount`
    (token units; `amount_wad` the same in wad), for `reason`. `subject` is the venue or
    route id."""

    step: int
    chain: str
    action: str
    args: tuple[tuple[str, int | str], ...]
    amount: int
    amount_wad: int
    subject: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    """The ordered actions and what they are projected to give.

    `liquidity_wad` is the idle balance at the liquidity node after the plan,
    `inbound_liquidity_wad` what bridges will add later, `shortfall_wad` how far
    `liquidity_wad` stays below the target. Yields are blended over all funds (venues, idle,
    in flight). `truncated` says the step limit stopped the search early.
    """

    actions: tuple[PlannedAction, ...]
    target_liquidity_wad: int
    liquidity_wad: int
    inbound_liquidity_wad: int
    shortfall_wad: int
    required_risk_capital_wad: int
    encumbrance_bps: int
    current_yield_ray: int
    projected_yield_ray: int
    positions: tuple[tuple[str, int], ...]
    limit_levels: tuple[tuple[str, int], ...]
    truncated: bool

    def describe(self) -> str:
        """A human summary: one line per action, then the projections."""
        lines = [
            f"{a.step:>3} {a.chain:<10} {a.action:<22} {a.subject:<16} "
            f"{fmt_usd(a.amount_wad):>9}  {a.reason}"
            for a in self.actions
        ]
        lines.append(
            f"target liquidity {fmt_usd(self.target_liquidity_wad)}, projected "
            f"{fmt_usd(self.liquidity_wad)} (+{fmt_usd(self.inbound_liquidity_wad)} inbound, "
            f"shortfall {fmt_usd(self.shortfall_wad)}); encumbrance "
            f"{fmt_pct(self.encumbrance_bps * RAY // BPS)}; yield "
            f"{fmt_pct(self.current_yield_ray)} -> {fmt_pct(self.projected_yield_ray)}"
        )
        return "\n".join(lines)


def plan_allocation(inputs: PlannerInputs, policy: PlannerPolicy | None = None) -> Plan:
    """Plan the relayer's next actions for `inputs` under `policy` (pure, deterministic)."""
    pol = policy if policy is not None else PlannerPolicy()
    target = target_liquidity_wad(inputs.deposits_wad, pol)
    work = Work(inputs, pol.chunk_wad, pol.risk_capital_cost_ray, pol.max_encumbrance_bps)
    work.max_steps = pol.max_steps
    _force_exposure(work)
    _force_encumbrance(work)
    inbound = _restore_liquidity(work, target)
    _rebalance(work, pol.hysteresis_ray, max(pol.min_move_wad, work.unit))
    _deploy(work, pol.hysteresis_ray, max(pol.min_move_wad, work.unit), target)
    return _finish(inputs, work, target, inbound)


def plan_fixed_split(
    inputs: PlannerInputs, weights: Mapping[str, int], policy: PlannerPolicy | None = None
) -> Plan:
    """The baseline: hold target liquidity the same way, then spread idle funds over venues
    by fixed `weights` (venue id -> weight), whatever they yield, under the same limits."""
    pol = policy if policy is not None else PlannerPolicy()
    target = target_liquidity_wad(inputs.deposits_wad, pol)
    work = Work(inputs, pol.chunk_wad, pol.risk_capital_cost_ray, pol.max_encumbrance_bps)
    work.max_steps = pol.max_steps
    _force_exposure(work)
    _force_encumbrance(work)
    inbound = _restore_liquidity(work, target)
    total_weight = sum(weights.values())
    free = {n: a - (target if n == inputs.liquidity_node else 0) for n, a in work.idle.items()}
    pot = sum(a for n, a in free.items() if n != SKY_CREDIT and a > 0)
    for v in inputs.venues:
        want = pot * weights.get(v.venue_id, 0) // total_weight if total_weight else 0
        for node in sorted(free, key=lambda n: n != v.node):  # the venue's own node first
            path, room = work.path_room(node, v.node)
            amount = work.floor(min(want, free[node], room, work.deposit_room(v)))
            if node == SKY_CREDIT or amount < max(pol.min_move_wad, work.unit):
                continue
            reason = f"fixed split: {weights[v.venue_id]}/{total_weight} to {v.venue_id}"
            work.deposit(v, amount, reason, now=work.route(path, amount, reason))
            free[node] -= amount
            want -= amount
    return _finish(inputs, work, target, inbound)


def _finish(inputs: PlannerInputs, work: Work, target: int, inbound: int) -> Plan:
    liquidity = work.idle_at(inputs.liquidity_node)
    actions = tuple(
        PlannedAction(
            step=i,
            chain=m.chain,
            action=m.action,
            args=m.args,
            amount=m.amount_wad // m.scale,
            amount_wad=m.amount_wad,
            subject=m.subject,
            reason=m.reason if m.count == 1 else f"{m.reason} ({m.count} chunks)",
        )
        for i, m in enumerate(work.ordered_moves())
    )
    required = work.required_risk_capital_wad()
    trc = inputs.total_risk_capital_wad
    return Plan(
        actions=actions,
        target_liquidity_wad=target,
        liquidity_wad=liquidity,
        inbound_liquidity_wad=inbound,
        shortfall_wad=max(target - liquidity, 0),
        required_risk_capital_wad=required,
        encumbrance_bps=-(-required * BPS // trc) if trc else (0 if required == 0 else BPS * 100),
        current_yield_ray=work.blended_yield_ray(projected=False),
        projected_yield_ray=work.blended_yield_ray(projected=True),
        positions=work.projected_positions(),
        limit_levels=work.limit_levels(),
        truncated=work.truncated,
    )


# --- the phases ---------------------------------------------------------------------------


def _ceil_unit(work: Work, amount: int) -> int:
    return -(-amount // work.unit) * work.unit


def _force_exposure(work: Work) -> None:
    for v in work.inputs.venues:
        over = work.position(v) - v.max_exposure_wad
        amount = min(_ceil_unit(work, over), work.withdraw_room(v)) if over > 0 else 0
        if amount > 0:
            reason = (
                f"{v.venue_id} exposure {fmt_usd(work.position(v))} is over its max "
                f"{fmt_usd(v.max_exposure_wad)}"
            )
            work.withdraw(v, amount, reason)


def _force_encumbrance(work: Work) -> None:
    cap_x = work.max_encumbrance_bps * work.inputs.total_risk_capital_wad
    while work.required_x > cap_x and work.tick():
        best: tuple[int, VenueView, int] | None = None
        for v in work.inputs.venues:
            room = min(work.withdraw_room(v), work.chunk_wad) if v.capital_ratio_bps else 0
            if room > 0:
                loss = work.loss_ray(v, room)
                if best is None or loss < best[0]:
                    best = (loss, v, room)
        if best is None:
            return
        loss, v, room = best
        amount = min(room, _ceil_unit(work, -(-(work.required_x - cap_x) // v.capital_ratio_bps)))
        reason = (
            f"encumbrance over {fmt_pct(work.max_encumbrance_bps * RAY // BPS)}: "
            f"{v.venue_id} frees the most risk capital for the least yield ({fmt_pct(loss)})"
        )
        work.withdraw(v, amount, reason)


def _liquidity_sources(
    work: Work, liq: Node, need: int, *, instant: bool
) -> tuple[int, str, VenueView | None, Node, Path, int] | None:
    """The cheapest way to bring up to `need` to `liq`: (cost, label, venue or None, source
    node, path, amount)."""
    best: tuple[int, str, VenueView | None, Node, Path, int] | None = None
    for node, avail in work.idle.items():
        if node == liq or avail <= 0 or (node == SKY_CREDIT and not instant):
            continue
        path, room = work.path_room(node, liq, instant=instant)
        amount = work.floor(min(avail, room, need, work.chunk_wad))
        cost = work.inputs.mint_cost_ray if node == SKY_CREDIT else 0
        label = "mint" if node == SKY_CREDIT else f"idle {node.asset} on {node.chain}"
        if amount > 0 and (best is None or cost < best[0]):
            best = (cost, label, None, node, path, amount)
    for v in work.inputs.venues:
        wroom = work.withdraw_room(v)
        if wroom <= 0:
            continue
        path, room = work.path_room(v.node, liq, instant=instant)
        amount = work.floor(min(wroom, room, need, work.chunk_wad))
        if amount > 0:
            cost = work.loss_ray(v, amount)
            if best is None or cost < best[0]:
                best = (cost, v.venue_id, v, v.node, path, amount)
    return best


def _restore_liquidity(work: Work, target: int) -> int:
    """Bring the liquidity node up to `target`; return what bridges bring later."""
    liq = work.inputs.liquidity_node
    inbound = 0
    for instant in (True, False):
        while work.tick():
            need = _ceil_unit(work, target - work.idle_at(liq) - inbound)
            found = _liquidity_sources(work, liq, need, instant=instant) if need > 0 else None
            if found is None:
                break
            cost, label, v, _, path, amount = found
            reason = (
                f"restore target liquidity {fmt_usd(target)} (short {fmt_usd(need)}): "
                f"{label} gives up the least ({fmt_pct(cost)})"
            )
            if v is not None:
                work.withdraw(v, amount, reason)
            if not work.route(path, amount, reason):
                inbound += amount
    return inbound


def _rebalance(work: Work, hysteresis_ray: int, min_move_wad: int) -> None:
    venues = work.inputs.venues
    while work.tick():
        gains = []
        for d in venues:
            room = min(work.deposit_room(d), work.chunk_wad)
            if room > 0:
                gains.append((work.gain_ray(d, room), d))
        gains.sort(key=lambda g: -g[0])
        best: tuple[int, int, VenueView, VenueView, Path, int] | None = None
        for w in venues:
            wroom = min(work.withdraw_room(w), work.chunk_wad)
            if wroom <= 0:
                continue
            loss = work.loss_ray(w, wroom)
            for gain, d in gains:
                if gain - loss <= hysteresis_ray or (best is not None and gain - loss <= best[0]):
                    break
                if d is w or (w.venue_id, d.venue_id) in work.dead:
                    continue
                path, room = work.path_room(w.node, d.node)
                if room > 0:
                    best = (gain - loss, loss, w, d, path, min(wroom, room, work.deposit_room(d)))
                    break
        if best is None:
            return
        diff, loss, w, d, path, amount = best
        amount = work.floor(amount)
        if amount < min_move_wad:
            work.dead.add((w.venue_id, d.venue_id))
            continue
        reason = (
            f"{w.venue_id} yields {fmt_pct(loss)} vs {d.venue_id} {fmt_pct(loss + diff)} "
            f"risk-adjusted: gain {fmt_pct(diff)} > hysteresis {fmt_pct(hysteresis_ray)}"
        )
        work.withdraw(w, amount, reason)
        work.deposit(d, amount, reason, now=work.route(path, amount, reason))


def _deploy(work: Work, hysteresis_ray: int, min_move_wad: int, target: int) -> None:
    liq = work.inputs.liquidity_node
    while work.tick():
        sources = []
        for node, avail in work.idle.items():
            free = avail - target if node == liq else avail
            if free >= min_move_wad:
                mint = node == SKY_CREDIT
                sources.append(
                    (node, free, work.inputs.mint_cost_ray + hysteresis_ray if mint else 0)
                )
        scored: list[tuple[int, VenueView, Node, Path, int]] = []
        for d in work.inputs.venues:
            droom = work.deposit_room(d)
            if droom <= 0:
                continue
            gain = work.gain_ray(d, min(droom, work.chunk_wad))
            for node, free, cost in sources:
                if gain <= cost or (str(node), d.venue_id) in work.dead:
                    continue
                path, room = work.path_room(node, d.node)
                if room > 0:
                    scored.append((gain - cost, d, node, path, min(free, room, droom)))
        if not scored:
            return
        scored.sort(key=lambda c: -c[0])
        score, d, node, path, amount = scored[0]
        amount = work.floor(min(amount, work.chunk_wad))
        if amount < min_move_wad:
            work.dead.add((str(node), d.venue_id))
            continue
        runner = next((c for c in scored if c[1] is not d), None)
        alt = f"; next {runner[1].venue_id} {fmt_pct(runner[0])}" if runner else ""
        source = "minted USDS" if node == SKY_CREDIT else f"idle {node.asset} on {node.chain}"
        reason = (
            f"{d.venue_id} earns {fmt_pct(score)} risk-adjusted on {source}{alt}; "
            f"target liquidity {fmt_usd(target)} kept"
        )
        work.deposit(d, amount, reason, now=work.route(path, amount, reason))

"""Done-means test of the SLL allocation planner: a simulated month on a multi-chain world.

Ethereum, Base, Arbitrum, Avalanche and Gnosis on one clock (`sll_world.SllWorld`), with other
borrowers moving every lending market, SSR steps and savers' deposits and withdrawals. Every
6 hours the relayer observes, plans and applies; after each step every rate limit level is in
[0, max], every venue's exposure is within its max, encumbrance <= 90%, and target liquidity
is held or the shortfall is reported. A fixed-split baseline runs on an identical world (same
seed) and the planner must earn more. `SPARKPRIME_FUZZ` runs more seeds.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

from sparkprime.core.fixed import RAY
from sparkprime.protocols.liquidity_layer.planner import (
    Plan,
    PlannerPolicy,
    plan_allocation,
    plan_fixed_split,
)
from sparkprime.protocols.liquidity_layer.planner_views import PlannerInputs
from sparkprime.protocols.liquidity_layer.planner_work import fmt_pct
from tests.protocols.liquidity_layer.sll_world import ETH_USDC, SllWorld

STEP_S = 6 * 3_600
DAYS = 30
POLICY = PlannerPolicy(risk_capital_cost_ray=2 * RAY // 100)
SEEDS = range(1 + 4 * int(os.environ.get("SPARKPRIME_FUZZ", "0") or 0))


def _check(world: SllWorld, plan: Plan) -> None:
    """Every limit, exposure, encumbrance and liquidity rule, on the live models."""
    inputs = world.observe()
    for lim in inputs.limits:
        assert 0 <= lim.current_wad <= lim.max_wad, lim.key
    required_x = 0
    for v in inputs.venues:
        assert v.position_wad <= v.max_exposure_wad, v.venue_id
        required_x += v.position_wad * v.capital_ratio_bps
    assert required_x <= 9_000 * inputs.total_risk_capital_wad
    idle = dict(inputs.idle)[ETH_USDC]
    assert (
        idle >= plan.target_liquidity_wad or plan.shortfall_wad == plan.target_liquidity_wad - idle
    )


def _fixed(inputs: PlannerInputs) -> Plan:
    """Equal weights over every venue but Arkis's capital-hungry one, which gets a 10% slot."""
    weights = {v.venue_id: (10 if v.venue_id == "Arkis" else 100) for v in inputs.venues}
    return plan_fixed_split(inputs, weights, POLICY)


def run_month(seed: int, strategy: Callable[[PlannerInputs], Plan]) -> tuple[int, int, int]:
    """Run 30 days; return (earned wad, average funds wad, steps short of target)."""
    world = SllWorld(seed)
    start = world.value_wad()
    funds = 0
    steps = DAYS * 86_400 // STEP_S
    for _ in range(steps):
        plan = strategy(world.observe())
        world.apply(plan)
        _check(world, plan)
        world.flows.short_steps += plan.shortfall_wad > 0
        funds += world.value_wad()
        world.step(STEP_S)
    earned = world.value_wad() - start - world.flows.net_deposits_wad
    return earned, funds // steps, world.flows.short_steps


def month_yields(seed: int = 0) -> tuple[int, int]:
    """(planner APR, fixed-split APR) in ray over the simulated month, same world and seed."""
    out = []
    for strategy in (lambda i: plan_allocation(i, POLICY), _fixed):
        earned, funds, _ = run_month(seed, strategy)
        out.append(earned * RAY * 365 // (DAYS * funds))
    return out[0], out[1]


@pytest.mark.parametrize("seed", SEEDS)
def test_planner_beats_fixed_split_over_a_month(seed: int) -> None:
    planner, fixed = month_yields(seed)
    print(f"\nseed {seed}: planner {fmt_pct(planner)} APR vs fixed split {fmt_pct(fixed)} APR")
    assert planner > fixed
    assert planner > 0
    assert fixed > 0

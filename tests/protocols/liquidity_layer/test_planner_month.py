"""Done-means test of the SLL allocation planner: a simulated month on the live models.

`sll_live_world.LiveSll`: Ethereum, Base, Arbitrum and Avalanche on one `Network` clock, every
venue a real model behind the real ALM controllers (allocator vault, lite PSM, sUSDS,
SparkLend-like markets, MetaMorpho vaults over Morpho Blue with the AdaptiveCurveIrm, PSM3,
CCTP with its attestation delays) plus the Arkis loan book funded by `transferAsset`; other
borrowers move every market, the SSR steps, savers deposit and withdraw. Every 6 hours the
relayer observes the live models (`relayer.observe`), plans, dry-runs the plan (which must
change nothing and be refused nowhere) and applies it through the controllers
(`relayer.execute`). After each step, on the live models: every rate-limit level is in
[0, max], every venue's exposure is within its max, encumbrance <= 90%, and target liquidity
is held or the shortfall reported. A fixed-split baseline runs on an identical world (same
seed) through the same controllers, and the planner must earn more. `SPARKPRIME_FUZZ` runs
more seeds.

Run and print both: .venv/bin/pytest -s tests/protocols/liquidity_layer/test_planner_month.py
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
from sparkprime.protocols.liquidity_layer.planner_views import PlannerInputs, VenueKind
from sparkprime.protocols.liquidity_layer.planner_work import fmt_pct
from sparkprime.protocols.liquidity_layer.relayer import execute
from tests.protocols.liquidity_layer.sll_live_world import LiveSll

STEP_S = 6 * 3_600
DAYS = 30
POLICY = PlannerPolicy(risk_capital_cost_ray=2 * RAY // 100)
SEEDS = range(2 + 8 * int(os.environ.get("SPARKPRIME_FUZZ", "0") or 0))


def check_live(world: LiveSll, plan: Plan) -> None:
    """Every limit, exposure, encumbrance and liquidity rule, read again from the models."""
    inputs = world.observe()
    assert inputs.limits
    for lim in inputs.limits:
        assert 0 <= lim.current_wad <= lim.max_wad, lim.key
    required_x = 0
    for v in inputs.venues:
        assert v.position_wad <= v.max_exposure_wad, v.venue_id
        required_x += v.position_wad * v.capital_ratio_bps
    assert required_x <= 9_000 * inputs.total_risk_capital_wad
    idle = dict(inputs.idle)[inputs.liquidity_node]
    assert idle == plan.liquidity_wad  # the controllers moved exactly what was planned
    target = plan.target_liquidity_wad
    assert idle >= target or plan.shortfall_wad == target - idle


def fixed_split(inputs: PlannerInputs) -> Plan:
    """Equal weights over every earning venue (PSM3 LP shares earn ~nothing: left out),
    Arkis's capital-hungry book a 10% slot."""
    weights = {
        v.venue_id: 10 if v.venue_id == "Arkis" else 100
        for v in inputs.venues
        if v.kind is not VenueKind.PSM3
    }
    return plan_fixed_split(inputs, weights, POLICY)


def planner(inputs: PlannerInputs) -> Plan:
    return plan_allocation(inputs, POLICY)


def run_month(
    seed: int, strategy: Callable[[PlannerInputs], Plan], *, days: int = DAYS
) -> tuple[int, int, int]:
    """Run `days`; return (earned wad, average funds wad, steps short of target)."""
    world = LiveSll(seed)
    start = world.value_wad()
    funds = short = 0
    steps = days * 86_400 // STEP_S
    for _ in range(steps):
        plan = strategy(world.observe())
        dry = execute(plan, world.deployment, dry_run=True)
        assert dry.refused is None, dry.refused
        execute(plan, world.deployment, dry_run=False)
        check_live(world, plan)
        short += plan.shortfall_wad > 0
        funds += world.value_wad()
        world.step(STEP_S)
    earned = world.value_wad() - start - world.net_deposits_wad
    return earned, funds // steps, short


def month_yields(seed: int = 0, *, days: int = DAYS) -> tuple[int, int]:
    """(planner APR, fixed-split APR) in ray over the simulated month, same world and seed."""
    out = []
    for strategy in (planner, fixed_split):
        earned, funds, _ = run_month(seed, strategy, days=days)
        out.append(earned * RAY * 365 // (days * funds))
    return out[0], out[1]


@pytest.mark.parametrize("seed", SEEDS)
def test_planner_beats_fixed_split_over_a_month(seed: int) -> None:
    ours, fixed = month_yields(seed)
    print(f"\nseed {seed}: planner {fmt_pct(ours)} APR vs fixed split {fmt_pct(fixed)} APR")
    assert ours > fixed
    assert ours > 0
    assert fixed > 0

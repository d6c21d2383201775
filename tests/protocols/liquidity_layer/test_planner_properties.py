"""Hypothesis properties of the SLL planner on random views.

- replayed action by action on an independent ledger of limit levels, balances and positions,
  a plan never spends more than a key's level, a route's capacity, a node's balance or a
  venue's room, and never leaves an exposure or the encumbrance cap worse than it found it;
- every action is a whole number of token units;
- more deposit headroom never lowers the projected yield (venues on one node);
- the plan is a function of its inputs.
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sparkprime.protocols.liquidity_layer.planner import Plan, plan_allocation
from sparkprime.protocols.liquidity_layer.planner_views import UNLIMITED, PlannerInputs, scale_of
from tests.protocols.liquidity_layer.sll_world import (
    BASE_USDC,
    ETH_USDC,
    ETH_USDS,
    M,
    lending,
    synthetic_inputs,
    venue,
    with_level,
)

EXAMPLES = 40 * (1 + int(os.environ.get("SPARKPRIME_FUZZ", "0") or 0))
NODES = (ETH_USDC, ETH_USDS, BASE_USDC)


@st.composite
def worlds(draw: st.DrawFn) -> PlannerInputs:
    venues = []
    for i in range(draw(st.integers(1, 6))):
        node = draw(st.sampled_from(NODES))
        extra: dict[str, Any] = {}
        if draw(st.booleans()):
            debt, cash = draw(st.integers(1, 200)), draw(st.integers(1, 200))
            extra["yield_model"] = (
                lending(debt_units=debt * 10**12, cash_units=cash * 10**12)
                if node.asset == "USDC"
                else lending(debt_units=debt * M, cash_units=cash * M, decimals=18)
            )
        venues.append(venue(
            f"v{i}", node, apr_bps=draw(st.integers(0, 1_500)),
            position=draw(st.integers(0, 60)) * M // 2,
            capital_ratio_bps=draw(st.sampled_from((0, 5_000, 10_000))),
            max_exposure_wad=draw(st.sampled_from((UNLIMITED, 20 * M, 50 * M))),
            withdrawable_wad=draw(st.sampled_from((UNLIMITED, 5 * M))),
            **extra,
        ))  # fmt: skip
    levels = {f"dep:{v.venue_id}": draw(st.integers(0, 40)) * M for v in venues}
    levels |= {k: draw(st.integers(0, 30)) * M for k in ("psm", "cctp:base", "base:cctp")}
    idle = {n: draw(st.integers(0, 100)) * M for n in NODES}
    return synthetic_inputs(
        tuple(venues), idle=idle, levels=levels, deposits=draw(st.integers(0, 200)) * M,
        risk_capital=draw(st.integers(1, 40)) * M,
    )  # fmt: skip


def _replay(inputs: PlannerInputs, plan: Plan) -> None:
    level = {lim.key: lim.current_wad for lim in inputs.limits}
    cap = {lim.key: lim.max_wad for lim in inputs.limits}
    idle = dict(inputs.idle)
    pos = {v.venue_id: v.position_wad for v in inputs.venues}
    venues = {v.venue_id: v for v in inputs.venues}
    routes = {r.route_id: r for r in inputs.routes}

    def spend(key: str | None, amount: int) -> None:
        assert key is not None
        if cap[key] != UNLIMITED:
            assert amount <= level[key], key
            level[key] -= amount

    for a in plan.actions:
        assert a.amount > 0
        if a.subject in venues:
            v = venues[a.subject]
            assert a.amount * scale_of(v.decimals) == a.amount_wad
            if a.action.startswith("deposit"):
                spend(v.deposit_key, a.amount_wad)
                idle[v.node] -= a.amount_wad
                assert idle[v.node] >= 0
                pos[v.venue_id] += a.amount_wad
                assert pos[v.venue_id] <= max(v.max_exposure_wad, v.position_wad)
            else:
                spend(v.withdraw_key, a.amount_wad)
                assert a.amount_wad <= v.withdrawable_wad
                pos[v.venue_id] -= a.amount_wad
                assert pos[v.venue_id] >= 0
                idle[v.node] = idle.get(v.node, 0) + a.amount_wad
        else:
            r = routes[a.subject]
            assert a.amount * scale_of(r.decimals) == a.amount_wad
            for key in r.keys:
                spend(key, a.amount_wad)
            idle[r.src] -= a.amount_wad
            assert idle[r.src] >= 0
            if not r.delay_s:
                idle[r.dst] = idle.get(r.dst, 0) + a.amount_wad
    before = sum(v.position_wad * v.capital_ratio_bps for v in inputs.venues)
    after = sum(p * venues[vid].capital_ratio_bps for vid, p in plan.positions)
    assert after <= max(before, 9_000 * inputs.total_risk_capital_wad)
    for vid, p in plan.positions:
        assert p <= max(venues[vid].max_exposure_wad, venues[vid].position_wad)


@settings(max_examples=EXAMPLES, deadline=None)
@given(worlds())
def test_a_plan_never_exceeds_any_limit(inputs: PlannerInputs) -> None:
    plan = plan_allocation(inputs)
    _replay(inputs, plan)
    assert plan == plan_allocation(inputs)


@settings(max_examples=EXAMPLES, deadline=None)
@given(
    st.lists(st.integers(0, 1_500), min_size=2, max_size=5),
    st.lists(st.integers(0, 30), min_size=5, max_size=5),
    st.integers(0, 4),
    st.integers(1, 30),
)
def test_more_headroom_never_lowers_projected_yield(
    aprs: list[int], levels_m: list[int], which: int, extra_m: int
) -> None:
    venues = tuple(venue(f"v{i}", ETH_USDC, apr_bps=apr) for i, apr in enumerate(aprs))
    levels = {f"dep:v{i}": levels_m[i] * M for i in range(len(aprs))}
    inputs = synthetic_inputs(venues, idle={ETH_USDC: 101 * M}, levels=levels)
    key = f"dep:v{which % len(aprs)}"
    more = with_level(inputs, key, levels[key] + extra_m * M)
    assert plan_allocation(more).projected_yield_ray >= plan_allocation(inputs).projected_yield_ray

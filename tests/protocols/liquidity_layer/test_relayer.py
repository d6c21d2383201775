"""The relayer on a live multi-chain SLL (`sll_live_world.LiveSll`): `observe` reads the real
models, `execute` drives the real Mainnet/Foreign controllers as the relayer.

A dry run must leave every chain byte-for-byte as it was (the pickled network, controllers and
venues: balances, rate-limit data, events, bridge outboxes), and applying the same plan must
move the state exactly as planned: idle balances, rate-limit levels and CCTP messages to the
unit, positions to the venue's own rounding (one token unit). A refused action is reported by a
dry run and is an `InvariantViolation` naming the action and its reason when applied.
"""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from sparkprime.core.errors import ErrorCode, InvariantViolation, ProtocolError
from sparkprime.core.fixed import RAY
from sparkprime.protocols.liquidity_layer.domains import Network
from sparkprime.protocols.liquidity_layer.mainnet_controller import (
    LIMIT_USDS_MINT,
    LIMIT_USDS_TO_USDC,
)
from sparkprime.protocols.liquidity_layer.planner import Plan, plan_allocation
from sparkprime.protocols.liquidity_layer.planner_views import UNLIMITED, Node, scale_of
from sparkprime.protocols.liquidity_layer.rate_limits import RateLimitKey
from sparkprime.protocols.liquidity_layer.relayer import YEAR_S, execute, observe
from sparkprime.protocols.morpho.vault import MetaMorpho
from sparkprime.protocols.sparklend.addresses import make_addr
from sparkprime.protocols.sparklend.pool import Pool
from tests.protocols.liquidity_layer.sll_live_world import LiveSll, M
from tests.protocols.liquidity_layer.test_planner_month import POLICY


def _canon(obj: object, memo: dict[int, int]) -> object:
    """`obj` as nested tuples, independent of dict and set insertion order; a shared object
    is written once, then referred to by its number."""
    if obj is None or isinstance(obj, (bool, int, str, bytes, float)):
        return obj
    if isinstance(obj, dict):
        items = [(repr(k), _canon(v, memo)) for k, v in obj.items()]
        return ("dict", tuple(sorted(items, key=lambda kv: kv[0])))
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__, tuple(_canon(x, memo) for x in obj))
    if isinstance(obj, (set, frozenset)):
        return ("set", tuple(sorted(repr(x) for x in obj)))
    if (callable(obj) and not hasattr(obj, "__dict__")) or isinstance(obj, type):
        return ("fn", getattr(obj, "__qualname__", type(obj).__name__))
    if id(obj) in memo:
        return ("ref", memo[id(obj)])
    memo[id(obj)] = len(memo)
    fields: dict[str, object] = dict(getattr(obj, "__dict__", {}))
    for cls in type(obj).__mro__:
        for slot in getattr(cls, "__slots__", ()):
            if hasattr(obj, slot):
                fields[slot] = getattr(obj, slot)
    if isinstance(obj, Network):
        # The network-wide message counter orders deliveries across chains; it is no chain's
        # state and by design not rolled back ("a gap after a revert is harmless").
        fields.pop("_seq")
    if callable(obj) and not fields:
        return ("fn", getattr(obj, "__qualname__", type(obj).__name__))
    return (type(obj).__name__, tuple((k, _canon(fields[k], memo)) for k in sorted(fields)))


def _state(world: LiveSll) -> bytes:
    """Every chain's state, canonical: the network (tokens, outboxes, clock), each
    controller (its rate limits, events, proxy) and every venue contract."""
    controllers = [world.controller(c.name) for c in world.sll.chains()]
    venues = [v.contract for v in world.deployment.venues]
    return pickle.dumps(_canon((world.network, controllers, venues, world.sll), {}))


def _first_plan() -> tuple[LiveSll, Plan]:
    world = LiveSll(0, deposits=400 * M)  # enough to reach every chain at once
    plan = plan_allocation(world.observe(), POLICY)
    kinds = {a.action for a in plan.actions}
    # The plan touches every kind of controller call the world offers at the start.
    assert {"swap_usdc_to_usds", "transfer_usdc_to_cctp", "transfer_asset"} <= kinds
    assert {"deposit_erc4626", "deposit_aave"} <= kinds
    return world, plan


def test_dry_run_leaves_every_chain_unchanged() -> None:
    world, plan = _first_plan()
    before = _state(world)
    events_before = [len(world.controller(c.name).events) for c in world.sll.chains()]
    result = execute(plan, world.deployment, dry_run=True)
    assert result.dry_run
    assert result.refused is None
    assert [step for step, _ in result.returns] == [a.step for a in plan.actions]
    assert _state(world) == before
    assert [len(world.controller(c.name).events) for c in world.sll.chains()] == events_before
    assert world.network.in_flight() == []


def test_apply_moves_the_state_as_planned() -> None:
    world, plan = _first_plan()
    start = world.observe()
    before = _state(world)
    execute(plan, world.deployment, dry_run=False)
    assert _state(world) != before
    after = world.observe()
    assert dict(after.idle) == plan_idle(plan, after.idle)
    assert dict(after.idle)[Node("ethereum", "USDC")] == plan.liquidity_wad
    # Keys of the actions run are where the plan put them; a deposit still on a bridge has
    # only reserved its venue's key in the plan (the next plan deposits), so that key is
    # unchanged and at least the plan's level.
    acted = {a.subject for a in plan.actions}
    used: set[str] = set()
    for v in start.venues:
        if v.venue_id in acted:
            used |= {k for k in (v.deposit_key, v.withdraw_key) if k is not None}
    for r in start.routes:
        if r.route_id in acted:
            used |= set(r.keys + r.refills)
    planned, was = dict(plan.limit_levels), {lim.key: lim.current_wad for lim in start.limits}
    assert used
    for lim in after.limits:
        if lim.key in used:
            assert lim.current_wad == planned[lim.key], lim.key
        else:
            assert lim.current_wad == was[lim.key] >= planned[lim.key], lim.key
    old = {v.venue_id: v.position_wad for v in start.venues}
    for v in after.venues:
        projected = dict(plan.positions)[v.venue_id]
        if v.venue_id in acted:  # to the venue's own rounding, never above the plan
            assert projected - scale_of(v.decimals) <= v.position_wad <= projected, v.venue_id
        else:
            assert v.position_wad == old[v.venue_id] <= projected, v.venue_id
    sent = sum(a.amount for a in plan.actions if a.action == "transfer_usdc_to_cctp")
    assert sum(m.amount for m in world.network.in_flight("USDC")) == sent
    assert sum(a for _, a in after.in_flight) == sent * 10**12
    cctp_events = world.controller("ethereum").events.named("CCTPTransferInitiated")
    assert sum(e.args[3] for e in cctp_events) == sent
    # After the attestation delay the USDC is at each L2 proxy.
    world.network.advance(3_600)
    for node, amount in after.in_flight:
        assert dict(world.observe().idle)[node] == amount


def plan_idle(plan: Plan, observed: tuple[tuple[Node, int], ...]) -> dict[Node, int]:
    """The idle balances the plan leaves: the liquidity node at `plan.liquidity_wad`, every
    other node as observed (the plan's deposits spend what its swaps and bridges bring)."""
    out = dict(observed)
    out[Node("ethereum", "USDC")] = plan.liquidity_wad
    return out


def _oversized(world: LiveSll, plan: Plan) -> Plan:
    """`plan` with its Arkis transfer ten times over the key's level."""
    level = world.controller("ethereum").rate_limits.get_current_rate_limit(
        RateLimitKey(world.deployment.venues[4].deposit_key or "")
    )
    actions = tuple(
        dataclasses.replace(a, amount=10 * level) if a.subject == "Arkis" else a
        for a in plan.actions
    )
    return dataclasses.replace(plan, actions=actions)


def test_refusal_is_reported_by_a_dry_run_and_raised_on_apply() -> None:
    world, plan = _first_plan()
    assert world.deployment.venues[4].venue_id == "Arkis"
    bad = _oversized(world, plan)
    step = next(a.step for a in bad.actions if a.subject == "Arkis")
    before = _state(world)
    result = execute(bad, world.deployment, dry_run=True)
    assert result.refused is not None
    assert result.refused[0] == step
    assert result.refused[1].code is ErrorCode.RATE_LIMITS_RATE_LIMIT_EXCEEDED
    assert _state(world) == before
    with pytest.raises(InvariantViolation) as info:
        execute(bad, world.deployment, dry_run=False)
    text = str(info.value)
    assert "transfer_asset" in text
    assert "Arkis earns" in text  # the planner's reason for the action


def test_unknown_chain_or_action_is_refused_before_anything_runs() -> None:
    world, plan = _first_plan()
    before = _state(world)
    final = plan.actions[-1]
    for last, code in (
        (dataclasses.replace(final, chain="gnosis"), ErrorCode.RELAYER_UNKNOWN_CHAIN),
        (
            dataclasses.replace(final, action="transfer_token_bridge"),
            ErrorCode.RELAYER_UNKNOWN_ACTION,
        ),
    ):
        bad = dataclasses.replace(plan, actions=(*plan.actions[:-1], last))
        for dry_run in (True, False):
            with pytest.raises(ProtocolError) as info:
                execute(bad, world.deployment, dry_run=dry_run)
            assert info.value.code is code
    assert _state(world) == before


def test_observe_reads_the_live_models() -> None:
    world, plan = _first_plan()
    execute(plan, world.deployment, dry_run=False)
    world.step(6 * 3_600)
    d = world.deployment
    spusdc = next(v.contract for v in d.venues if v.venue_id == "SparkLend USDC")
    assert isinstance(spusdc, Pool)
    usdc = d.tokens["ethereum"]["USDC"]
    someone = make_addr("someone")  # a touch now: the stored rate is the reserve's as of now
    usdc.mint(someone, 10**6)
    usdc.approve(spusdc.address, 10**6, sender=someone)
    spusdc.supply(usdc.address, 10**6, someone, sender=someone)
    inputs = world.observe()
    owners: dict[str, tuple[str, str, int]] = {}
    for v in d.venues:
        for key in (v.deposit_key, v.withdraw_key):
            if key is not None:
                owners[f"{v.chain}/{key}"] = (v.chain, key, d.tokens[v.chain][v.asset].decimals)
    for r in d.routes:
        for key in r.view.keys + r.view.refills:
            owners[f"{r.view.chain}/{key}"] = (r.view.chain, key, r.view.decimals)
    assert {lim.key for lim in inputs.limits} == set(owners)
    # The same key lives on several chains (LIMIT_USDC_TO_CCTP, the domain-0 key on each L2).
    assert len({raw for _, raw, _ in owners.values()}) < len(owners)
    for lim in inputs.limits:
        chain, raw, decimals = owners[lim.key]
        rl = world.controller(chain).rate_limits
        key = RateLimitKey(raw)
        if rl.get_rate_limit_data(key).max_amount == UNLIMITED:
            assert lim.current_wad == lim.max_wad == UNLIMITED
        else:
            assert lim.current_wad == rl.get_current_rate_limit(key) * scale_of(decimals)
    eth, proxy = world.sll.ethereum, world.proxy("ethereum")
    venues = {v.venue_id: v for v in inputs.venues}
    assert venues["sUSDS"].yield_model.supply_rate_ray(0) == (eth.susds.ssr - RAY) * YEAR_S
    assert venues["sUSDS"].position_wad == eth.susds.max_withdraw(proxy)
    assert venues["sUSDS"].position_wad > 0
    morpho = next(v.contract for v in d.venues if v.venue_id == "Morpho USDC")
    assert isinstance(morpho, MetaMorpho)
    assert venues["Morpho USDC"].yield_model.supply_rate_ray(0) == morpho.supply_rate_ray()
    assert venues["Morpho USDC"].deposit_capacity_wad == morpho.max_deposit(proxy) * 10**12
    arkis = world.arkis.position_units(proxy)
    assert arkis > 0
    assert venues["Arkis"].position_wad == arkis * 10**12
    assert (
        venues["SparkLend USDC"].position_wad
        == spusdc.a_token(usdc.address).balance_of(proxy) * 10**12
    )
    assert venues["SparkLend USDC"].yield_model.supply_rate_ray(0) == (
        spusdc.get_reserve_data(usdc.address).current_liquidity_rate
    )
    jug = eth.vault.jug
    assert jug is not None
    assert inputs.mint_cost_ray == (jug.duty(eth.vault.ilk) - RAY) * YEAR_S > 0
    assert inputs.in_flight == ()  # delivered: now idle (or deposited) on the L2s
    for name in world.sll.l2s:
        node = Node(name, "USDC")
        assert (
            dict(inputs.idle)[node] == d.tokens[name]["USDC"].balance_of(world.proxy(name)) * 10**12
        )


def test_a_venue_the_relayer_cannot_read_is_refused() -> None:
    world = LiveSll(0)
    d = world.deployment
    odd = dataclasses.replace(d.venues[0], contract=object())
    with pytest.raises(ProtocolError) as info:
        observe(
            dataclasses.replace(d, venues=(odd, *d.venues[1:])),
            deposits_wad=0,
            total_risk_capital_wad=1,
        )
    assert info.value.code is ErrorCode.RELAYER_UNREADABLE_VENUE


def test_a_mint_goes_through_the_allocator_vault_and_the_psm() -> None:
    """Too few savers' funds for Arkis's room: the planner mints USDS (LIMIT_USDS_MINT),
    buys USDC at the lite PSM (LIMIT_USDS_TO_USDC) and sends it to Arkis."""
    world = LiveSll(0, deposits=5 * M)
    eth = world.sll.ethereum
    plan = plan_allocation(world.observe(), POLICY)
    minted = sum(a.amount for a in plan.actions if a.action == "mint_usds")
    bought = sum(a.amount for a in plan.actions if a.action == "swap_usds_to_usdc")
    assert minted > 0
    assert bought * 10**12 == minted
    rl = eth.sll.rate_limits
    mint_level = rl.get_current_rate_limit(LIMIT_USDS_MINT)
    swap_level = rl.get_current_rate_limit(LIMIT_USDS_TO_USDC)
    pocket = eth.chain.token("USDC").balance_of(eth.psm.pocket)
    execute(plan, world.deployment, dry_run=False)
    assert eth.vault.debt() == minted  # drawn this second: the rate is still 1
    assert rl.get_current_rate_limit(LIMIT_USDS_MINT) == mint_level - minted
    assert rl.get_current_rate_limit(LIMIT_USDS_TO_USDC) == swap_level - bought
    assert eth.chain.token("USDC").balance_of(eth.psm.pocket) == pocket - bought
    sent = sum(a.amount for a in plan.actions if a.action == "transfer_asset")
    assert world.arkis.position_units(world.proxy("ethereum")) == sent
    assert eth.chain.token("USDS").balance_of(world.proxy("ethereum")) == 0

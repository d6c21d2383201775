"""The live SLL beside a replay (`sim.replay_sll`): allocations on several venues and chains,
every rate limit in [0, max] at every step, the planner running on its cadence, the Arkis
book following the prime book's funding, and determinism."""

from __future__ import annotations

import dataclasses
import datetime
import functools

import pytest

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.ledger import SqlJournalStore
from sparkprime.protocols.liquidity_layer.sll_network import RELAYER_ADDRESS
from sparkprime.sim.replay import ReplayOptions, run_replay
from sparkprime.sim.replay_sll import (
    ARKIS_VENUE,
    IDLE_VENUE,
    IN_FLIGHT_VENUE,
    SllReplay,
)
from sparkprime.sim.replay_steps import SLL_VENUE, StepRecorder
from sparkprime.sim.replay_world import open_prime
from sparkprime.sim.result import ReplayResult
from sparkprime.sim.sll_world import ArkisBook
from tests.sim.test_replay import book, crash_path

WAD = 10**18
M = 10**6 * WAD
T0 = 1_784_505_600  # 2026-07-20: Arkis at $50M / 50%
AS_OF = datetime.date(2026, 7, 20)
STEP_S = 2 * 3_600


def check_live(sll: SllReplay) -> None:
    """Every rate-limit level in [0, max] and every exposure within its max, on the models."""
    inputs = sll.observe()
    assert inputs.limits
    for lim in inputs.limits:
        assert 0 <= lim.current_wad <= lim.max_wad, lim.key
    for v in inputs.venues:
        assert v.position_wad <= v.max_exposure_wad, v.venue_id


@functools.cache
def replayed() -> ReplayResult:
    """The small book through an 8-step crash, SLL on (the default)."""
    return run_replay(book(), crash_path(book()), seed=3)


def test_replay_records_allocations_on_several_venues_and_chains() -> None:
    r = replayed()
    times = [s.ts_s for s in r.steps]
    by_ts: dict[int, dict[str, int]] = {}
    for rec in r.sll:
        by_ts.setdefault(rec.ts_s, {})[rec.venue] = rec.allocated_usd_wad
    assert sorted(by_ts) == times
    names = set(by_ts[times[0]])
    assert all(set(rows) == names for rows in by_ts.values())  # the same rows every step
    assert {ARKIS_VENUE, IDLE_VENUE, IN_FLIGHT_VENUE} <= names
    assert SLL_VENUE not in names
    chains = {n.split("/", 1)[0] for n in names - {IDLE_VENUE, IN_FLIGHT_VENUE}}
    assert chains == {"ethereum", "base", "arbitrum", "avalanche"}
    held = {n for rows in by_ts.values() for n, a in rows.items() if a > 0}
    assert len(held - {ARKIS_VENUE, IDLE_VENUE, IN_FLIGHT_VENUE}) >= 2  # the planner deployed
    # the Arkis book is the prime book's funding used, to the USDC unit
    for step in r.steps:
        arkis = by_ts[step.ts_s][ARKIS_VENUE]
        assert arkis == step.funding_used_usd_wad // 10**12 * 10**12
        assert arkis > 0
    assert not [x for x in r.rejections if x.journal == "sll"]
    # the allocation moves: some venue other than Arkis changes between steps
    moved = {n for n in names if len({rows[n] for rows in by_ts.values()}) > 1}
    assert moved - {ARKIS_VENUE}


def test_replay_sll_is_deterministic_and_off_switch() -> None:
    again = run_replay(book(), crash_path(book()), seed=3)
    assert again.to_json() == replayed().to_json()
    off = run_replay(book(), crash_path(book()), seed=3, options=ReplayOptions(sll=False))
    assert [r.venue for r in off.sll] == [SLL_VENUE] * len(off.steps)
    assert [r.allocated_usd_wad for r in off.sll] == [s.funding_used_usd_wad for s in off.steps]
    # the SLL changes nothing on the prime side
    assert [s.to_json_value() for s in off.steps] == [s.to_json_value() for s in again.steps]


def test_replay_sll_matches_a_driven_world_with_live_limits_every_step() -> None:
    """Driving `SllReplay` with the replay's own funding path gives the replay's records; on
    the live models every limit stays in [0, max] after every step and the planner runs
    every 6 h of simulated time."""
    r = replayed()
    steps = r.steps
    sll = SllReplay(
        start_ts_s=steps[0].ts_s, as_of=book().as_of, ssr_bps=book().ssr_bps or 0, seed=3,
        funding_usd_wad=steps[0].funding_used_usd_wad,
    )  # fmt: skip
    rows = []
    for s in steps:
        got, draw = sll.step(s.ts_s, s.funding_used_usd_wad)
        assert draw.short == 0
        rows += got
        check_live(sll)
    assert tuple(rows) == r.sll
    span = steps[-1].ts_s - steps[0].ts_s
    assert sll.plans == span // (6 * 3_600) + 1
    assert sll.last_plan is not None


def test_opening_draw_goes_through_the_rate_limit_before_the_replay() -> None:
    """$46M at $5M a day: ten draws over nine days, ending at the replay's first time."""
    sll = SllReplay(start_ts_s=T0, as_of=AS_OF, ssr_bps=450, funding_usd_wad=46 * M, seed=0)
    assert sll.world.network.clock.now == T0
    # the slope is floored to 57,870,370 units a second: the key refills $5M in 86,401 s
    assert sll.world.config.start_ts_s == T0 - 9 * 86_401
    rows, draw = sll.step(T0, 46 * M)
    assert (draw.wanted, draw.drawn, draw.short) == (1_000_000 * 10**6, 1_000_000 * 10**6, 0)
    assert {r.venue: r.allocated_usd_wad for r in rows}[ARKIS_VENUE] == 46 * M
    check_live(sll)


def test_a_jump_in_funding_is_drawn_within_the_rate_limit_and_the_rest_is_short() -> None:
    sll = SllReplay(start_ts_s=T0, as_of=AS_OF, ssr_bps=450, funding_usd_wad=10 * M, seed=0)
    sll.step(T0, 10 * M)
    key = sll.arkis.deposit_key or ""
    limits = sll.world.controller("ethereum").rate_limits
    assert limits.get_current_rate_limit(key) == 0  # the second opening draw spent the key
    data = limits.get_rate_limit_data(key)
    assert (data.max_amount, data.slope) == (5_000_000 * 10**6, 5_000_000 * 10**6 // 86_400)
    _, draw = sll.step(T0 + STEP_S, 30 * M)
    assert draw.wanted == 20_000_000 * 10**6
    assert draw.drawn == data.slope * STEP_S  # what the key refilled in two hours
    assert limits.get_current_rate_limit(key) == 0
    assert draw.short == draw.wanted - draw.drawn > 0
    assert draw.bound == "the Arkis inflow rate limit"
    check_live(sll)
    # a day later the key has refilled a day's slope: the rest comes at that pace
    _, later = sll.step(T0 + STEP_S + 86_400, 30 * M)
    assert later.drawn == data.slope * 86_400
    assert later.wanted == draw.short
    # a fall (repayments, liquidations) is recalled at once, whatever the inflow key says
    rows, down = sll.step(T0 + 2 * STEP_S + 86_400, 4 * M)
    assert (down.wanted, down.drawn) == (0, 0)
    assert {r.venue: r.allocated_usd_wad for r in rows}[ARKIS_VENUE] == 4 * M
    check_live(sll)


def test_a_short_draw_is_a_recorded_rejection() -> None:
    """Funding over the instance's $50M max: Arkis holds $50M and the replay records the
    rest as a REPLAY_SLL_DRAW_SHORT rejection of journal "sll"."""
    b = book()
    prime = open_prime(b, b.policy, SqlJournalStore("sqlite://"))
    recorder = StepRecorder(b, prime, b.policy)
    recorder.step(0, b.now_ts_s, dict(b.prices))
    recorder.steps[-1] = dataclasses.replace(recorder.steps[-1], funding_used_usd_wad=60 * M)
    sll = SllReplay(
        start_ts_s=b.now_ts_s, as_of=b.as_of, ssr_bps=450, funding_usd_wad=60 * M, seed=0
    )
    recorder.sll_step(sll, b.now_ts_s)
    book_of_arkis = sll.arkis.contract
    assert isinstance(book_of_arkis, ArkisBook)
    assert book_of_arkis.position_units(sll.proxy) == 50_000_000 * 10**6
    [rej] = recorder.rejections
    assert (rej.journal, rej.kind, rej.code) == (
        "sll",
        "sll.transfer_asset",
        "REPLAY_SLL_DRAW_SHORT",
    )
    assert rej.message == (
        "the SLL drew 0 of the 10000000000000 USDC the prime book uses at Arkis: "
        "10000000000000 short, bounded by the instance's max exposure"
    )
    assert {r.venue: r.allocated_usd_wad for r in recorder.sll}[ARKIS_VENUE] == 50 * M
    check_live(sll)
    prime.close()


def test_only_the_relayer_moves_funds() -> None:
    sll = SllReplay(start_ts_s=T0, as_of=AS_OF, ssr_bps=450, funding_usd_wad=5 * M, seed=0)
    controller = sll.world.controller("ethereum")
    with pytest.raises(ProtocolError):
        controller.transfer_asset(sll.usdc.address, sll.arkis.target, 1, sender=sll.arkis.target)
    assert sll.world.deployment.relayer == RELAYER_ADDRESS


def test_plan_cadence_option_is_checked() -> None:
    with pytest.raises(ProtocolError) as err:
        ReplayOptions(sll_plan_every_s=0)
    assert err.value.code is ErrorCode.REPLAY_INVALID_OPTION

"""The Spark Liquidity Layer beside a replay: the live four-chain world on its own clock.

`SllReplay` holds a `sim.sll_world.SllWorld` (real models behind the real ALM controllers on
Ethereum, Base, Arbitrum and Avalanche) and, at each replay step (`step(ts_s, funding)`):

1. advances the world's `Network` to the step's time: markets, sUSDS and the allocator's
   duty accrue when next touched, CCTP delivers what fell due;
2. ties the Arkis venue to the prime book: its book follows the prime book's funding used
   (USD wad, taken as USDC at par). More is drawn through the Mainnet controller's
   `transfer_asset` (key LIMIT_ASSET_TRANSFER(USDC, Arkis), the Atlas inflow limit: $5M,
   $5M a day), within the key's level, the idle USDC at the Ethereum proxy and the
   instance's max exposure; what those leave undrawn is the step's `shortfall` (the replay
   records it as a REPLAY_SLL_DRAW_SHORT rejection). Less is sent back by the Arkis book
   (`recall_asset`). The Arkis book accrues nothing itself: the prime book's debt already
   carries its loans' interest, so interest reaches the SLL's claim as a draw; what a
   liquidation repays and what it writes off both come back (a loss is Arkis's first-loss
   capital's, not the SLL's);
3. every `plan_every_s` of simulated time (and at the first step): other borrowers move every
   market (seeded), the relayer observes the live models, the planner plans
   (`planner.plan_allocation`) with the Arkis venue pinned (its position counts for
   encumbrance; the planner may neither deposit into it nor withdraw from it, since the
   prime book drives it), and the plan is applied through the controllers
   (`relayer.execute(..., dry_run=False)`);
4. returns one `SllAllocationRecord` per venue (named `<chain>/<venue>`), the idle balances
   of every proxy and what CCTP still carries, USDC and USDS both at $1.

The world starts before the replay: the book's opening funding is drawn through the same
rate limit, one draw per refill of the key (a day for Arkis), ending at the replay's first
time; the planner first runs at that time. Savers' deposits are `DEPOSITS_WAD` of idle USDC at
the Ethereum proxy; the risk capital (`RISK_CAPITAL_WAD`) lets the whole $50M / 50% Arkis
instance sit under the 90% encumbrance cap. The SLL is not journaled: it is rebuilt from the
book, the seed and the prime book's funding path, so the same inputs give the same records.

Example:
    >>> import datetime
    >>> sll = SllReplay(start_ts_s=1_784_505_600, as_of=datetime.date(2026, 7, 20), ssr_bps=450,
    ...                 funding_usd_wad=12 * 10**24, seed=0)
    >>> rows, draw = sll.step(1_784_505_600, 12 * 10**24)
    >>> draw.short, sll.plans
    (0, 1)
    >>> next(r.allocated_usd_wad for r in rows if r.venue == ARKIS_VENUE) == 12 * 10**24
    True
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass
from typing import Final

from sparkprime.core.fixed import RAY
from sparkprime.core.rng import Rng
from sparkprime.presets.sll_limits import sll_limits_preset
from sparkprime.protocols.liquidity_layer.planner import Plan, PlannerPolicy, plan_allocation
from sparkprime.protocols.liquidity_layer.planner_views import PlannerInputs
from sparkprime.protocols.liquidity_layer.relayer import VenueSpec, execute
from sparkprime.protocols.liquidity_layer.sll_network import RELAYER_ADDRESS
from sparkprime.sim.result import SllAllocationRecord
from sparkprime.sim.sll_world import ArkisBook, M, SllWorld, SllWorldConfig

__all__ = [
    "ARKIS_VENUE",
    "DEPOSITS_WAD",
    "IDLE_VENUE",
    "IN_FLIGHT_VENUE",
    "PLANNER_POLICY",
    "RISK_CAPITAL_WAD",
    "ArkisDraw",
    "SllReplay",
]

ARKIS_VENUE: Final = "ethereum/Arkis (prime book)"
IDLE_VENUE: Final = "idle (every proxy)"
IN_FLIGHT_VENUE: Final = "in flight (CCTP)"
DEPOSITS_WAD: Final = 150 * M
RISK_CAPITAL_WAD: Final = 30 * M  # $50M at 50% needs $25M: 83% encumbered, under 90%
#: The planner month test's hurdle: 2% a year per unit of risk capital a venue consumes.
PLANNER_POLICY: Final = PlannerPolicy(risk_capital_cost_ray=2 * RAY // 100)
_ARKIS_ID: Final = "Arkis"
_USDC_TO_WAD: Final = 10**12


@dataclass(frozen=True, slots=True, kw_only=True)
class ArkisDraw:
    """One step's draw for the Arkis book (USDC units): what the prime book wanted beyond
    what Arkis held, what the controller sent, and what stopped it ("" when nothing did)."""

    wanted: int
    drawn: int
    bound: str

    @property
    def short(self) -> int:
        """What was left undrawn."""
        return self.wanted - self.drawn


class SllReplay:
    """The SLL world driven by a replay's steps (module docstring)."""

    def __init__(
        self, *, start_ts_s: int, as_of: datetime.date, ssr_bps: int, funding_usd_wad: int,
        seed: int, plan_every_s: int = 6 * 3_600, policy: PlannerPolicy = PLANNER_POLICY,
    ) -> None:  # fmt: skip
        self.rng = Rng(seed)
        self.plan_every_s, self.policy = plan_every_s, policy
        self.plans = 0  # how many plans were applied
        self.last_plan: Plan | None = None
        self._next_plan_ts = start_ts_s
        inflow = sll_limits_preset(as_of).instance("arkis").rate_limit("inflow")
        target = funding_usd_wad // _USDC_TO_WAD
        draws = -(-target // inflow.max_amount) if inflow.max_amount else 1
        refill_s = -(-inflow.max_amount // inflow.slope_per_s) if inflow.slope_per_s else 0
        config = SllWorldConfig(
            start_ts_s=start_ts_s - max(draws - 1, 0) * refill_s, deposits_wad=DEPOSITS_WAD,
            risk_capital_wad=RISK_CAPITAL_WAD, ssr_bps=max(ssr_bps, 0), limits_as_of=as_of,
            arkis_rate_bps=0,
        )  # fmt: skip
        self.world = SllWorld(config)
        self.arkis: VenueSpec = next(
            v for v in self.world.deployment.venues if v.venue_id == _ARKIS_ID
        )
        self.usdc = self.world.chain("ethereum").token("USDC")
        self.proxy = self.world.proxy("ethereum")
        while self.world.network.clock.now < start_ts_s:  # the opening draws, one per refill
            self.follow(funding_usd_wad)
            self.world.advance_to(min(self.world.network.clock.now + refill_s, start_ts_s))

    # --- one step ---------------------------------------------------------------------------

    def follow(self, funding_usd_wad: int) -> ArkisDraw:
        """Bring the Arkis book to the prime book's funding (module docstring, point 2)."""
        book = self.arkis.contract
        assert isinstance(book, ArkisBook)
        target = funding_usd_wad // _USDC_TO_WAD
        held = book.position_units(self.proxy)
        if target <= held:
            if target < held:
                book.recall_asset(held - target, self.proxy)
            return ArkisDraw(wanted=0, drawn=0, bound="")
        controller = self.world.controller("ethereum")
        bounds = {
            "the Arkis inflow rate limit": controller.rate_limits.get_current_rate_limit(
                self.arkis.deposit_key or ""
            ),
            "the idle USDC at the Ethereum proxy": self.usdc.balance_of(self.proxy),
            "the instance's max exposure": self.arkis.max_exposure_wad // _USDC_TO_WAD - held,
        }
        amount = max(min(target - held, *bounds.values()), 0)
        if amount:
            controller.transfer_asset(
                self.usdc.address, self.arkis.target, amount, sender=RELAYER_ADDRESS
            )
        bound = "" if amount == target - held else min(bounds, key=lambda k: bounds[k])
        return ArkisDraw(wanted=target - held, drawn=amount, bound=bound)

    def step(self, ts_s: int, funding_usd_wad: int) -> tuple[list[SllAllocationRecord], ArkisDraw]:
        """The SLL at `ts_s` with the prime book at `funding_usd_wad` (module docstring):
        the records and the step's Arkis draw."""
        self.world.advance_to(ts_s)
        draw = self.follow(funding_usd_wad)
        if ts_s >= self._next_plan_ts:
            self.world.move_markets(self.rng)
            plan = plan_allocation(_pinned(self.observe()), self.policy)
            execute(plan, self.world.deployment, dry_run=False)
            self.plans += 1
            self.last_plan = plan
            self._next_plan_ts = ts_s + self.plan_every_s
        return self.records(ts_s), draw

    def observe(self) -> PlannerInputs:
        """The relayer's view of the live models now."""
        return self.world.observe()

    def records(self, ts_s: int) -> list[SllAllocationRecord]:
        """One record per venue, then every proxy's idle balance and what CCTP carries."""
        inputs = self.observe()
        rows = [
            SllAllocationRecord(
                ts_s=ts_s, allocated_usd_wad=v.position_wad,
                venue=ARKIS_VENUE if v.venue_id == _ARKIS_ID else f"{v.chain}/{v.venue_id}",
            )
            for v in inputs.venues
        ]  # fmt: skip
        idle = sum(a for _, a in inputs.idle)
        flying = sum(a for _, a in inputs.in_flight)
        rows.append(SllAllocationRecord(ts_s=ts_s, venue=IDLE_VENUE, allocated_usd_wad=idle))
        rows.append(SllAllocationRecord(ts_s=ts_s, venue=IN_FLIGHT_VENUE, allocated_usd_wad=flying))
        return rows


def _pinned(inputs: PlannerInputs) -> PlannerInputs:
    """`inputs` with the Arkis venue closed to the planner both ways (the prime book drives
    it); its position still counts for encumbrance."""
    venues = tuple(
        dataclasses.replace(v, deposit_capacity_wad=0, withdrawable_wad=0)
        if v.venue_id == _ARKIS_ID
        else v
        for v in inputs.venues
    )
    return dataclasses.replace(inputs, venues=venues)

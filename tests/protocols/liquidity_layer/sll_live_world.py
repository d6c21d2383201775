"""The planner month's live world: `sim.sll_world.SllWorld` (Ethereum, Base, Arbitrum and
Avalanche on real models behind the real controllers, one clock) plus the month's test glue:
a seeded `Rng` that moves other borrowers, steps the SSR and makes savers deposit and
withdraw at the Ethereum proxy (`LiveSll.step`).

The builder itself lives in `sparkprime.sim.sll_world`, which the stress replay uses too.
"""

from __future__ import annotations

from sparkprime.core.fixed import BPS, WAD
from sparkprime.core.rng import Rng
from sparkprime.protocols.savings.rates_conv import Conv
from sparkprime.sim.sll_world import START_TS, ArkisBook, M, SllWorld, SllWorldConfig

__all__ = ["START_TS", "ArkisBook", "LiveSll", "M"]


class LiveSll(SllWorld):
    """The world with `seed`'s savers, borrowers and SSR steps; `step(dt_s)` moves it."""

    def __init__(self, seed: int, *, deposits: int = 150 * M, risk_capital: int = 20 * M) -> None:
        self.rng = Rng(seed)
        super().__init__(SllWorldConfig(deposits_wad=deposits, risk_capital_wad=risk_capital))
        self.net_deposits_wad = 0
        self.unpaid_wad = 0

    def step(self, dt_s: int) -> None:
        """Time passes (CCTP delivers), borrowers move, the SSR may step, savers flow."""
        self.network.advance(dt_s)
        self.move_markets(self.rng)
        self.arkis.settle()
        susds = self.sll.ethereum.susds
        if self.rng.randint(0, 19) == 0:  # an SSR step every ~5 days, within 200..800 bps
            bps = min(max(Conv().rtob(susds.ssr) + self.rng.choice((-50, -25, 25, 50)), 200), 800)
            self.set_ssr(bps)
        usdc, proxy = self.chain("ethereum").token("USDC"), self.proxy("ethereum")
        flow = self.deposits_wad * self.rng.randint(-150, 160) // BPS // WAD * WAD
        if flow < 0:
            paid = min(-flow, usdc.balance_of(proxy) * 10**12)
            usdc.burn(proxy, paid // 10**12)
            self.unpaid_wad += -flow - paid
            flow = -paid
        else:
            usdc.mint(proxy, flow // 10**12)
        self.deposits_wad += flow
        self.net_deposits_wad += flow

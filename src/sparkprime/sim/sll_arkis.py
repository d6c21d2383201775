"""The Arkis SLL instance's loan book (`ArkisBook`): glue for `sim.sll_world`, not a protocol
model.

The SLL funds it through the controller's `transferAsset` (key LIMIT_ASSET_TRANSFER(USDC,
Arkis)); it lends at a fixed `rate_bps` (simple interest, its borrowers' payments minted to it
on each touch) and sends funds back to the SLL's proxy on recall. Its writes go through the
chain's `Atomic`, so a dry run rolls them back.

Example:
    >>> from sparkprime.protocols.erc20 import TokenRegistry
    >>> from sparkprime.protocols.sparklend.addresses import make_addr
    >>> clock, registry = Clock(0), TokenRegistry()
    >>> usdc = registry.register(Erc20(make_addr("usdc"), "USDC", 6))
    >>> book = ArkisBook(usdc, clock=clock, atomic=registry.atomic, rate_bps=900,
    ...                  address=make_addr("arkis"))
    >>> usdc.mint(book.address, 1_000_000 * 10**6)
    >>> _ = clock.skip(YEAR_S)
    >>> book.position_units(make_addr("proxy")) == 1_090_000 * 10**6
    True
"""

from __future__ import annotations

from sparkprime.core.clock import Clock
from sparkprime.core.fixed import BPS, RAY
from sparkprime.core.ids import Address
from sparkprime.protocols.atomic import Atomic
from sparkprime.protocols.erc20 import Erc20
from sparkprime.protocols.liquidity_layer.relayer import YEAR_S

__all__ = ["ArkisBook"]


class ArkisBook:
    """Glue for the Arkis SLL instance, not a protocol model: a USDC loan book at `rate_bps`
    (simple interest, its borrowers' payments minted to it on each touch). Writes go through
    the chain's `Atomic`, so a dry run rolls them back."""

    def __init__(
        self, usdc: Erc20, *, clock: Clock, atomic: Atomic, rate_bps: int, address: Address
    ) -> None:
        self.usdc, self.clock, self.atomic, self.rate_bps = usdc, clock, atomic, rate_bps
        self.address = address
        self._ts: dict[str, int] = {"ts": clock.now}

    def _due(self) -> int:
        held = self.usdc.balance_of(self.address)
        return held * self.rate_bps * (self.clock.now - self._ts["ts"]) // (BPS * YEAR_S)

    def settle(self) -> None:
        """Collect the borrowers' interest since the last touch."""
        due = self._due()
        if due:
            self.usdc.mint(self.address, due)
        self.atomic.set_item(self._ts, "ts", self.clock.now)

    def position_units(self, holder: Address) -> int:
        """Funds lent plus interest due (one lender: the SLL)."""
        return self.usdc.balance_of(self.address) + self._due()

    def withdrawable_units(self, holder: Address) -> int:
        """All of it: the book recalls on demand."""
        return self.position_units(holder)

    def supply_rate_ray(self) -> int:
        """The loan rate."""
        return self.rate_bps * RAY // BPS

    def recall_asset(self, amount: int, receiver: Address) -> int:
        """Send `amount` back to the SLL's proxy."""
        self.settle()
        self.usdc.transfer(receiver, amount, sender=self.address)
        return amount

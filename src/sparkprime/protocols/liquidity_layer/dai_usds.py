"""The DAI <-> USDS converter (`DaiUsds`), 1:1 through the Vat.

Source: makerdao/usds (sky-ecosystem) `src/DaiUsds.sol` at
86532cbb1bf674c7f61b886c58649443d208aa26. `dai_to_usds(usr, wad)` pulls `wad` DAI from the
caller, joins it (burning it for internal dai) and exits `wad` USDS to `usr`; `usds_to_dai` is
the reverse. Neither has a check of its own: a short balance or allowance reverts in the token
(`INSUFFICIENT_BALANCE` / `INSUFFICIENT_ALLOWANCE`), and the call changes nothing.

Example:
    >>> from sparkprime.protocols.erc20 import Erc20, TokenRegistry
    >>> from sparkprime.protocols.sparklend.addresses import make_addr
    >>> reg, alice = TokenRegistry(), make_addr("alice")
    >>> dai = reg.register(Erc20(make_addr("dai"), "DAI", 18))
    >>> usds = reg.register(Erc20(make_addr("usds"), "USDS", 18))
    >>> conv = DaiUsds(make_addr("daiUsds"), dai=dai, usds=usds, atomic=reg.atomic)
    >>> dai.mint(alice, 10)
    >>> _ = dai.approve(conv.address, 10, sender=alice)
    >>> conv.dai_to_usds(alice, 10, sender=alice)
    >>> usds.balance_of(alice), dai.total_supply
    (10, 0)
"""

from __future__ import annotations

from sparkprime.core.ids import Address
from sparkprime.core.uint import check_uint256
from sparkprime.protocols.atomic import Atomic
from sparkprime.protocols.erc20 import Erc20
from sparkprime.protocols.liquidity_layer.allocator import Join, Vat
from sparkprime.protocols.sparklend.addresses import make_addr
from sparkprime.protocols.sparklend.transaction import transact

__all__ = ["DaiUsds"]


class DaiUsds:
    """`DaiUsds`: swaps DAI and USDS one for one."""

    __slots__ = ("address", "atomic", "dai", "dai_join", "usds", "usds_join", "vat")

    def __init__(
        self,
        address: Address,
        *,
        dai: Erc20,
        usds: Erc20,
        atomic: Atomic,
        vat: Vat | None = None,
    ) -> None:
        self.address, self.dai, self.usds, self.atomic = address, dai, usds, atomic
        # One Vat for both joins: the contract requires daiJoin.vat() == usdsJoin.vat().
        self.vat = vat if vat is not None else Vat(atomic=atomic)
        self.dai_join = Join(make_addr(f"{address}:daiJoin"), dai, self.vat)
        self.usds_join = Join(make_addr(f"{address}:usdsJoin"), usds, self.vat)

    def dai_to_usds(self, usr: Address, wad: int, *, sender: Address) -> None:
        """`daiToUsds(usr, wad)`: `sender`'s `wad` DAI become `usr`'s `wad` USDS."""
        transact(self.atomic, self._convert, self.dai_join, self.usds_join, usr, wad, sender)

    def usds_to_dai(self, usr: Address, wad: int, *, sender: Address) -> None:
        """`usdsToDai(usr, wad)`: `sender`'s `wad` USDS become `usr`'s `wad` DAI."""
        transact(self.atomic, self._convert, self.usds_join, self.dai_join, usr, wad, sender)

    def _convert(self, src: Join, dst: Join, usr: Address, wad: int, sender: Address) -> None:
        wad = check_uint256(wad, field="wad")
        src.token.transfer_from(sender, self.address, wad, sender=self.address)
        src.join(self.address, wad, sender=self.address)
        dst.exit(usr, wad, sender=self.address)

"""sDAI (`SavingsDai.sol`): an ERC-4626 vault over DAI whose shares are Pot `pie`.

`chi_now = rpow(dsr, now - rho) * chi // RAY` when now > pot.rho, else pot.chi; the mutating
calls call `pot.drip()` when now > rho. A deposit pulls DAI, joins it into the Vat (burns the
ERC-20, credits the vault assets * RAY rad) and `pot.join`s the shares; a withdrawal
`pot.exit`s the shares and exits the assets as DAI to the receiver (the rad the rounding
leaves stays with the vault in the Vat).

Example:
    >>> from sparkprime.core.clock import Clock
    >>> from sparkprime.protocols.erc20 import TokenRegistry
    >>> reg = TokenRegistry()
    >>> dai = reg.register(Erc20(Address("0x" + "6b" * 20), "DAI", 18))
    >>> gov, alice = Address("0x" + "01" * 20), Address("0x" + "aa" * 20)
    >>> clock = Clock(1_700_000_000)
    >>> pot = Pot(clock, ward=gov, atomic=reg.atomic)
    >>> sdai = SavingsDai(dai, pot)
    >>> dai.mint(alice, 10**18)
    >>> _ = dai.approve(sdai.address, 10**18, sender=alice)
    >>> sdai.deposit(10**18, alice, sender=alice)
    1000000000000000000
"""

from __future__ import annotations

from typing import Final

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY
from sparkprime.core.ids import Address
from sparkprime.protocols.erc20 import Erc20
from sparkprime.protocols.savings.accrual import accrued_chi
from sparkprime.protocols.savings.erc4626 import SavingsVault
from sparkprime.protocols.savings.pot import Pot

__all__ = ["DAI_JOIN", "SDAI_ADDRESS", "SavingsDai"]

SDAI_ADDRESS: Final = Address("0x83f20f44975d03b1b09e64809b757c47f942beea")
DAI_JOIN: Final = Address("0x9759a6ac90977b93b58547b4a71c78317f391a28")


class SavingsDai(SavingsVault):
    """sDAI over a `Pot` (which must share the DAI token's `Atomic`)."""

    def __init__(self, dai: Erc20, pot: Pot, *, address: Address = SDAI_ADDRESS) -> None:
        super().__init__(dai, pot.clock, address=address, atomic=pot.atomic)
        self.pot = pot

    def chi_now(self) -> int:
        pot, now = self.pot, self.clock.now
        if now <= pot.rho:
            return pot.chi
        return accrued_chi(pot.dsr, pot.chi, now - pot.rho, op="sdai.chi")

    def _drip(self) -> int:
        pot = self.pot
        return pot.drip() if self.clock.now > pot.rho else pot.chi

    def _take(self, assets: int, shares: int, sender: Address) -> None:
        self.asset.transfer_from(sender, self.address, assets, sender=self.address)
        if assets:  # daiJoin.join burns the ERC-20 (Erc20.burn of 0 from an empty account fails)
            self.asset.burn(self.address, assets)
        self.pot.suck(self.address, assets * RAY)
        self.pot.join(shares, sender=self.address)

    def _give(self, assets: int, shares: int, receiver: Address) -> None:
        self.pot.exit(shares, sender=self.address)
        rad = assets * RAY
        balance = self.pot.vat_dai(self.address)
        if balance < rad:
            raise ProtocolError(
                ErrorCode.INSUFFICIENT_BALANCE,
                account=self.address,
                balance=balance,
                amount=rad,
                token="vat.dai",
            )
        self.pot.move(self.address, DAI_JOIN, rad)  # daiJoin.exit
        self.asset.mint(receiver, assets)

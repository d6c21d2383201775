"""sUSDS (`SUsds.sol`): an ERC-4626 vault over USDS with its own savings rate accumulator.

State: `ssr` (ray, per second), `chi` (ray), `rho` (last drip); `initialize` sets
ssr = chi = RAY and rho = now. `drip()`: when now > rho,
nChi = rpow(ssr, now - rho, RAY) * chi // RAY and the vault is minted
diff = total_supply * nChi // RAY - total_supply * chi // RAY USDS (vat.suck + usdsJoin.exit;
`sucked` counts it). `file("ssr", v)` requires v >= RAY ("SUsds/wrong-ssr-value") and
rho == now ("SUsds/chi-not-up-to-date"). The contract has no upper bound; `max_ssr` (None by
default) adds one, like the deploy script's `[RAY, RATES_ONE_HUNDRED_PCT]` check.

Example:
    >>> from sparkprime.core.clock import Clock
    >>> from sparkprime.protocols.erc20 import TokenRegistry
    >>> reg = TokenRegistry()
    >>> usds = reg.register(Erc20(Address("0x" + "dc" * 20), "USDS", 18))
    >>> gov, alice = Address("0x" + "01" * 20), Address("0x" + "aa" * 20)
    >>> clock = Clock(1_700_000_000)
    >>> susds = SUsds(usds, clock, atomic=reg.atomic, ward=gov)
    >>> usds.mint(alice, 100 * 10**18)
    >>> _ = usds.approve(susds.address, 2**256 - 1, sender=alice)
    >>> susds.deposit(100 * 10**18, alice, sender=alice)
    100000000000000000000
"""

from __future__ import annotations

from typing import Final

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY
from sparkprime.core.ids import Address
from sparkprime.core.uint import UINT256_MAX, check_uint256
from sparkprime.protocols.atomic import Atomic
from sparkprime.protocols.erc20 import Erc20
from sparkprime.protocols.savings.accrual import accrued_chi
from sparkprime.protocols.savings.erc4626 import SavingsVault
from sparkprime.protocols.sparklend.transaction import transact

__all__ = ["RATES_ONE_HUNDRED_PCT", "SUSDS_ADDRESS", "SUsds"]

SUSDS_ADDRESS: Final = Address("0xa3931d71877c0e7a3148cb7eb4463524fec27fbd")
RATES_ONE_HUNDRED_PCT: Final = 1000000021979553151239153027


class SUsds(SavingsVault):
    """sUSDS, exact to the wei."""

    def __init__(
        self,
        usds: Erc20,
        clock: Clock,
        *,
        atomic: Atomic,
        ward: Address,
        address: Address = SUSDS_ADDRESS,
        max_ssr: int | None = None,
    ) -> None:
        super().__init__(usds, clock, address=address, atomic=atomic)
        self.max_ssr = max_ssr
        self._wards: dict[Address, int] = {ward: 1}
        self._s: dict[str, int] = {"ssr": RAY, "chi": RAY, "rho": clock.now, "sucked": 0}

    @property
    def ssr(self) -> int:
        """The per-second savings rate (ray)."""
        return self._s["ssr"]

    @property
    def chi(self) -> int:
        """The stored accumulator (ray)."""
        return self._s["chi"]

    @property
    def rho(self) -> int:
        """The time of the last drip."""
        return self._s["rho"]

    @property
    def sucked(self) -> int:
        """USDS minted to the vault as interest (wad)."""
        return self._s["sucked"]

    def wards(self, account: Address) -> int:
        """1 if `account` may call the auth functions."""
        return self._wards.get(account, 0)

    def chi_now(self) -> int:
        s, now = self._s, self.clock.now
        return (
            accrued_chi(s["ssr"], s["chi"], now - s["rho"], op="drip")
            if now > s["rho"]
            else s["chi"]
        )

    def _drip(self) -> int:
        s, now = self._s, self.clock.now
        chi = s["chi"]
        if now <= s["rho"]:
            return chi
        n_chi = accrued_chi(s["ssr"], chi, now - s["rho"], op="drip")
        supply = self.total_supply
        diff = supply * n_chi // RAY - supply * chi // RAY
        if supply * n_chi > UINT256_MAX:
            raise ProtocolError(ErrorCode.MATH_OVERFLOW, op="drip", supply=supply, chi=n_chi)
        self.asset.mint(self.address, diff)
        atomic = self.atomic
        atomic.set_item(s, "sucked", s["sucked"] + diff)
        atomic.set_item(s, "chi", n_chi)
        atomic.set_item(s, "rho", now)
        return n_chi

    # --- auth ---

    def _auth(self, sender: Address) -> None:
        if self._wards.get(sender, 0) != 1:
            raise ProtocolError(ErrorCode.SAVINGS_NOT_AUTHORIZED, sender=sender)

    def rely(self, usr: Address, *, sender: Address) -> None:
        """Make `usr` a ward."""
        self._auth(sender)
        self.atomic.set_item(self._wards, usr, 1)

    def deny(self, usr: Address, *, sender: Address) -> None:
        """Remove `usr` as a ward."""
        self._auth(sender)
        self.atomic.set_item(self._wards, usr, 0)

    def file(self, what: str, data: int, *, sender: Address) -> None:
        """Set `ssr`: RAY <= data (<= max_ssr when set), after a drip in this block."""
        self._auth(sender)
        data = check_uint256(data, field="data")
        if what != "ssr":
            raise ProtocolError(ErrorCode.SAVINGS_FILE_UNRECOGNIZED_PARAM, what=what)
        if data < RAY or (self.max_ssr is not None and data > self.max_ssr):
            raise ProtocolError(ErrorCode.SAVINGS_WRONG_SSR_VALUE, value=data)
        if self._s["rho"] != self.clock.now:
            raise ProtocolError(
                ErrorCode.SAVINGS_CHI_NOT_UP_TO_DATE, rho=self._s["rho"], now=self.clock.now
            )
        transact(self.atomic, self.atomic.set_item, self._s, "ssr", data)

    def __repr__(self) -> str:
        return f"SUsds(ssr={self.ssr}, chi={self.chi}, rho={self.rho}, supply={self.total_supply})"

"""The dss Pot: the Dai Savings Rate accumulator, to the wei.

State as in `src/pot.sol`: `pie[u]` and `Pie` (normalised savings, wad), `chi` and `dsr`
(ray, both start at RAY), `rho` (the last drip), `live`. The Vat is modelled by what the Pot
touches: the internal DAI balances in rad (`vat_dai`), moved by `join`/`exit`, and `sucked`,
the rad of DAI minted as interest (the vow's `sin`). `rmul` in the Pot is a floor:
`x * y / RAY`.

- `drip()`: requires now >= rho; chi' = rpow(dsr, now - rho, RAY) * chi // RAY; the Pot gets
  Pie * (chi' - chi) rad.
- `join(wad)` requires rho == now and moves chi * wad rad in; `exit(wad)` moves it out.
- `file("dsr", v)` requires live and rho == now; there is no cap. `cage()` sets dsr = RAY.

Every call is all-or-nothing (an undo log shared with the vaults over it).

Example:
    >>> from sparkprime.core.clock import Clock
    >>> gov = Address("0x" + "01" * 20)
    >>> pot = Pot(Clock(604_411_200), ward=gov)
    >>> pot.file("dsr", 1000000564701133626865910626, sender=gov)
    >>> pot.chi
    1000000000000000000000000000
"""

from __future__ import annotations

from typing import Final

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY
from sparkprime.core.ids import Address
from sparkprime.core.uint import UINT256_MAX, check_uint256
from sparkprime.protocols.atomic import Atomic
from sparkprime.protocols.savings.accrual import accrued_chi
from sparkprime.protocols.sparklend.transaction import transact

__all__ = ["POT_ADDRESS", "Pot"]

_MAX: Final = UINT256_MAX
POT_ADDRESS: Final = Address("0x197e90f9fad81970ba7976f33cbd77088e5d7cf7")


def _checked(value: int, op: str) -> int:
    if value > _MAX:
        raise ProtocolError(ErrorCode.MATH_OVERFLOW, op=op, value=value)
    return value


class Pot:
    """dss `Pot`, with the Vat's DAI balances it moves."""

    __slots__ = ("_pie", "_s", "_vat_dai", "_wards", "address", "atomic", "clock")

    def __init__(
        self,
        clock: Clock,
        *,
        ward: Address,
        address: Address = POT_ADDRESS,
        atomic: Atomic | None = None,
    ) -> None:
        self.clock = clock
        self.address = address
        self.atomic = atomic if atomic is not None else Atomic()
        self._wards: dict[Address, int] = {ward: 1}
        self._pie: dict[Address, int] = {}
        self._vat_dai: dict[Address, int] = {}
        self._s: dict[str, int] = {
            "Pie": 0,
            "dsr": RAY,
            "chi": RAY,
            "rho": clock.now,
            "live": 1,
            "sucked": 0,
        }

    # --- views ---

    @property
    def Pie(self) -> int:  # noqa: N802 - the contract's name
        """Total normalised savings (wad)."""
        return self._s["Pie"]

    @property
    def dsr(self) -> int:
        """The per-second savings rate (ray)."""
        return self._s["dsr"]

    @property
    def chi(self) -> int:
        """The rate accumulator (ray)."""
        return self._s["chi"]

    @property
    def rho(self) -> int:
        """The time of the last drip."""
        return self._s["rho"]

    @property
    def live(self) -> int:
        """1 until caged."""
        return self._s["live"]

    @property
    def sucked(self) -> int:
        """DAI (rad) minted by the Vat to the Pot as interest (the vow's sin)."""
        return self._s["sucked"]

    def pie(self, account: Address) -> int:
        """`account`'s normalised savings (wad)."""
        return self._pie.get(account, 0)

    def wards(self, account: Address) -> int:
        """1 if `account` may call the auth functions."""
        return self._wards.get(account, 0)

    def vat_dai(self, account: Address) -> int:
        """`account`'s internal Vat DAI (rad)."""
        return self._vat_dai.get(account, 0)

    # --- the Vat's side (what `suck` and DaiJoin do) ---

    def suck(self, to: Address, rad: int) -> None:
        """Mint `rad` internal DAI to `to` (vat.suck; a genesis and test helper)."""
        rad = check_uint256(rad, field="rad")
        self.atomic.set_item(self._vat_dai, to, _checked(self.vat_dai(to) + rad, "vat.suck"))

    def move(self, src: Address, dst: Address, rad: int) -> None:
        """vat.move: internal DAI from `src` to `dst`."""
        balance = self.vat_dai(src)
        if balance < rad:
            raise ProtocolError(
                ErrorCode.INSUFFICIENT_BALANCE,
                account=src,
                balance=balance,
                amount=rad,
                token="vat.dai",
            )
        atomic = self.atomic
        atomic.set_item(self._vat_dai, src, balance - rad)
        atomic.set_item(self._vat_dai, dst, _checked(self.vat_dai(dst) + rad, "vat.move"))

    # --- auth ---

    def _auth(self, sender: Address) -> None:
        if self._wards.get(sender, 0) != 1:
            raise ProtocolError(ErrorCode.POT_NOT_AUTHORIZED, sender=sender)

    def rely(self, usr: Address, *, sender: Address) -> None:
        """Make `usr` a ward."""
        self._auth(sender)
        self.atomic.set_item(self._wards, usr, 1)

    def deny(self, usr: Address, *, sender: Address) -> None:
        """Remove `usr` as a ward."""
        self._auth(sender)
        self.atomic.set_item(self._wards, usr, 0)

    def file(self, what: str, data: int, *, sender: Address) -> None:
        """Set `dsr` (requires live and a drip in this block)."""
        transact(self.atomic, self._file, what, data, sender)

    def _file(self, what: str, data: int, sender: Address) -> None:
        self._auth(sender)
        data = check_uint256(data, field="data")
        if self._s["live"] != 1:
            raise ProtocolError(ErrorCode.POT_NOT_LIVE)
        if self.clock.now != self._s["rho"]:
            raise ProtocolError(ErrorCode.POT_RHO_NOT_UPDATED, now=self.clock.now, rho=self.rho)
        if what != "dsr":
            raise ProtocolError(ErrorCode.POT_FILE_UNRECOGNIZED_PARAM, what=what)
        self.atomic.set_item(self._s, "dsr", data)

    def cage(self, *, sender: Address) -> None:
        """Shut the Pot: live = 0, dsr = RAY."""
        self._auth(sender)
        self.atomic.set_item(self._s, "live", 0)
        self.atomic.set_item(self._s, "dsr", RAY)

    # --- savings ---

    def drip(self) -> int:
        """Accrue the rate since rho; return the new chi."""
        return transact(self.atomic, self._drip)

    def _drip(self) -> int:
        now, s = self.clock.now, self._s
        if now < s["rho"]:
            raise ProtocolError(ErrorCode.POT_INVALID_NOW, now=now, rho=s["rho"])
        chi = s["chi"]
        tmp = accrued_chi(s["dsr"], chi, now - s["rho"], op="pot.rmul")
        if tmp < chi:  # sub() reverts: only a dsr below RAY can get here
            raise ProtocolError(ErrorCode.MATH_OVERFLOW, op="pot.drip.sub", a=tmp, b=chi)
        rad = _checked(s["Pie"] * (tmp - chi), "pot.drip.mul")
        atomic = self.atomic
        atomic.set_item(s, "chi", tmp)
        atomic.set_item(s, "rho", now)
        atomic.set_item(s, "sucked", _checked(s["sucked"] + rad, "vat.suck"))
        atomic.set_item(
            self._vat_dai, self.address, _checked(self.vat_dai(self.address) + rad, "vat.suck")
        )
        return tmp

    def join(self, wad: int, *, sender: Address) -> None:
        """Save `wad` pie: move chi * wad rad from `sender` into the Pot."""
        transact(self.atomic, self._join, wad, sender)

    def _join(self, wad: int, sender: Address) -> None:
        wad = check_uint256(wad, field="wad")
        s = self._s
        if self.clock.now != s["rho"]:
            raise ProtocolError(ErrorCode.POT_RHO_NOT_UPDATED, now=self.clock.now, rho=s["rho"])
        atomic = self.atomic
        atomic.set_item(self._pie, sender, _checked(self.pie(sender) + wad, "pot.join"))
        atomic.set_item(s, "Pie", _checked(s["Pie"] + wad, "pot.join"))
        self.move(sender, self.address, _checked(s["chi"] * wad, "pot.join.mul"))

    def exit(self, wad: int, *, sender: Address) -> None:
        """Withdraw `wad` pie: move chi * wad rad from the Pot to `sender`."""
        transact(self.atomic, self._exit, wad, sender)

    def _exit(self, wad: int, sender: Address) -> None:
        wad = check_uint256(wad, field="wad")
        s = self._s
        pie = self.pie(sender)
        if pie < wad:  # sub() reverts
            raise ProtocolError(
                ErrorCode.INSUFFICIENT_BALANCE,
                account=sender,
                balance=pie,
                amount=wad,
                token="pot.pie",
            )
        atomic = self.atomic
        atomic.set_item(self._pie, sender, pie - wad)
        atomic.set_item(s, "Pie", s["Pie"] - wad)
        self.move(self.address, sender, _checked(s["chi"] * wad, "pot.exit.mul"))

    def __repr__(self) -> str:
        return f"Pot(chi={self.chi}, dsr={self.dsr}, rho={self.rho}, Pie={self.Pie})"

"""Sky allocation system: `AllocatorVault` and `AllocatorBuffer`, with the slice of the dss
`Vat`, `Jug` and token joins they need.

Sources: makerdao/dss-allocator `src/AllocatorVault.sol` (the usdsJoin/buffer version, search
index file 40116980887; test `test/AllocatorVault.t.sol`, file 39775510170 and the earlier
`line()/debt()/slot()` version, file 40760495547) and `src/AllocatorBuffer.sol` at
04b616ba3c7803cda92bf7688c22f5eef9f181fe; dss `vat.sol` / `jug.sol` for `frob`, `fold`, `drip`.

The vault is an urn of its own ilk. `draw(wad)` drips the jug, adds
`dart = divup(wad * RAY, rate)` normalized debt (rounded UP, so the protocol never records less
debt than the USDS it mints) and mints `wad` USDS to the buffer; `wipe(wad)` pulls `wad` USDS
from the buffer, burns it and removes `dart = wad * RAY // rate` (rounded DOWN), so a dust of
normalized debt can be left that no wipe can clear (the upstream test ends with `art == 1`).

The Vat kept here is the minimum those calls touch: per ilk `Art`, `rate`, `spot`, `line`
(rad) and `dust`; per urn `ink`, `art`; internal dai balances (rad); global `debt` and `Line`.
`frob` enforces "Vat/ceiling-exceeded" (on a debt increase, `Art * rate <= line` and
`debt <= Line`) and "Vat/not-safe" (`art * rate <= ink * spot` when the urn gets riskier); an
underflow is the EVM's Panic (`MATH_OVERFLOW`). The Jug keeps a per-ilk `duty` (ray, per
second) and compounds it with `rpow` on `drip`, as dss `jug.sol` does (`base` is 0).

Deviations, all documented: the joins do not keep their own Vat dai balance (they only move the
caller's), `AllocatorRoles.canCall` is modelled as a set of `buds` (`kiss`/`diss`), and
`AllocatorVault.init` (ink for the urn) is done at construction: the urn gets `ink_wad` (10**12
WAD by default) of ilk collateral at `spot = RAY`.

Example:
    >>> from sparkprime.core.clock import Clock
    >>> from sparkprime.protocols.erc20 import Erc20, TokenRegistry
    >>> from sparkprime.protocols.sparklend.addresses import make_addr
    >>> reg, gov = TokenRegistry(), make_addr("gov")
    >>> usds = reg.register(Erc20(make_addr("usds"), "USDS", 18))
    >>> buffer = AllocatorBuffer(make_addr("buffer"), atomic=reg.atomic, ward=gov)
    >>> vault = AllocatorVault(make_addr("vault"), usds=usds, buffer=buffer, clock=Clock(1),
    ...                        atomic=reg.atomic, ward=gov, line_wad=1_000 * 10**18)
    >>> vault.draw(50 * 10**18, sender=gov)
    >>> usds.balance_of(buffer.address), vault.debt()
    (50000000000000000000, 50000000000000000000)
"""

from __future__ import annotations

import dataclasses
from typing import Final

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY, WAD
from sparkprime.core.ids import Address
from sparkprime.core.rpow import rpow
from sparkprime.core.uint import UINT256_MAX, check_uint256
from sparkprime.protocols.atomic import Atomic
from sparkprime.protocols.erc20 import Erc20
from sparkprime.protocols.sparklend.addresses import make_addr
from sparkprime.protocols.sparklend.transaction import transact

__all__ = [
    "INT256_MAX",
    "AllocatorBuffer",
    "AllocatorVault",
    "Join",
    "Jug",
    "Vat",
    "VatIlk",
    "divup",
]

INT256_MAX: Final = 2**255 - 1
_ILK_FIELDS: Final = ("Art", "rate", "spot", "line", "dust")


def divup(x: int, y: int) -> int:
    """dss `_divup`: x ? (x - 1) // y + 1 : 0."""
    return (x - 1) // y + 1 if x else 0


def _underflow(op: str, value: int) -> int:
    if value < 0 or value > UINT256_MAX:
        raise ProtocolError(ErrorCode.MATH_OVERFLOW, op=op, reason="Panic(0x11)")
    return value


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class VatIlk:
    """`vat.ilks(ilk)`: Art (wad), rate (ray), spot (ray), line (rad), dust (rad)."""

    art: int
    rate: int
    spot: int
    line: int
    dust: int


class Vat:
    """The dss Vat's ilk, urn and dai accounting (no gem balances, no liquidations)."""

    __slots__ = ("_dai", "_global", "_ilks", "_urns", "atomic")

    def __init__(self, *, atomic: Atomic, line_rad: int = UINT256_MAX) -> None:
        self.atomic = atomic
        self._ilks: dict[str, dict[str, int]] = {}
        self._urns: dict[tuple[str, Address], dict[str, int]] = {}
        self._dai: dict[Address, int] = {}
        self._global: dict[str, int] = {"debt": 0, "Line": check_uint256(line_rad, field="Line")}

    # --- views ---

    @property
    def debt(self) -> int:
        """Total debt (rad)."""
        return self._global["debt"]

    @property
    def line(self) -> int:
        """The global debt ceiling `Line` (rad)."""
        return self._global["Line"]

    def ilks(self, ilk: str) -> VatIlk:
        """`vat.ilks(ilk)`."""
        i = self._ilk(ilk)
        return VatIlk(art=i["Art"], rate=i["rate"], spot=i["spot"], line=i["line"], dust=i["dust"])

    def urns(self, ilk: str, urn: Address) -> tuple[int, int]:
        """`vat.urns(ilk, urn)`: (ink, art)."""
        u = self._urns.get((ilk, urn))
        return (u["ink"], u["art"]) if u else (0, 0)

    def dai(self, usr: Address) -> int:
        """`vat.dai(usr)` (rad)."""
        return self._dai.get(usr, 0)

    # --- admin (genesis, governance) ---

    def init(self, ilk: str) -> None:
        """`vat.init`: rate = RAY."""
        if ilk in self._ilks:
            raise ProtocolError(
                ErrorCode.VAT_ILK_ALREADY_INIT, ilk=ilk, reason="Vat/ilk-already-init"
            )
        self.atomic.set_item(
            self._ilks, ilk, {"Art": 0, "rate": RAY, "spot": 0, "line": 0, "dust": 0}
        )

    def file(self, ilk: str, what: str, data: int) -> None:
        """`vat.file(ilk, what, data)` for spot, line, dust; `ilk == ""` files `Line`."""
        data = check_uint256(data, field=what)
        if ilk == "" and what == "Line":
            self.atomic.set_item(self._global, "Line", data)
            return
        if what not in ("spot", "line", "dust"):
            raise ProtocolError(ErrorCode.UNKNOWN_FIELD, kind="Vat.file", fields=what)
        i = dict(self._ilk(ilk))
        i[what] = data
        self.atomic.set_item(self._ilks, ilk, i)

    def slip_ink(self, ilk: str, urn: Address, ink_wad: int) -> None:
        """`slip` + `grab` of collateral straight into `urn` (genesis of a vault's ink)."""
        self._ilk(ilk)
        ink, art = self.urns(ilk, urn)
        self.atomic.set_item(self._urns, (ilk, urn), {"ink": ink + ink_wad, "art": art})

    def credit(self, usr: Address, rad: int) -> None:
        """Credit `usr` with internal dai (a join's side of `move`; a test helper)."""
        self.atomic.set_item(self._dai, usr, self.dai(usr) + rad)

    def debit(self, usr: Address, rad: int) -> None:
        """Debit `usr`'s internal dai (a join's side of `move`)."""
        self.atomic.set_item(self._dai, usr, _underflow("vat.move", self.dai(usr) - rad))

    # --- core ---

    def move(self, src: Address, dst: Address, rad: int) -> None:
        """`vat.move`: internal dai from `src` to `dst`."""
        self.atomic.set_item(self._dai, src, _underflow("vat.move", self.dai(src) - rad))
        self.atomic.set_item(self._dai, dst, self.dai(dst) + rad)

    def fold(self, ilk: str, u: Address, rate: int) -> None:
        """`vat.fold`: raise the ilk rate by `rate`, crediting `u` with Art * rate."""
        i = dict(self._ilk(ilk))
        i["rate"] = _underflow("vat.fold", i["rate"] + rate)
        rad = i["Art"] * rate
        self.atomic.set_item(self._ilks, ilk, i)
        self.atomic.set_item(self._dai, u, _underflow("vat.fold", self.dai(u) + rad))
        self.atomic.set_item(self._global, "debt", _underflow("vat.fold", self.debt + rad))

    def frob(self, ilk: str, u: Address, dink: int, dart: int, w: Address) -> None:
        """`vat.frob(ilk, u, u, w, dink, dart)`: change `u`'s ink and art; the dai goes to
        (or comes from) `w`."""
        i = dict(self._ilk(ilk))
        ink, art = self.urns(ilk, u)
        ink = _underflow("vat.frob ink", ink + dink)
        art = _underflow("vat.frob art", art + dart)
        i["Art"] = _underflow("vat.frob Art", i["Art"] + dart)
        dtab = i["rate"] * dart
        tab = i["rate"] * art
        debt = _underflow("vat.frob debt", self.debt + dtab)
        if dart > 0 and (i["Art"] * i["rate"] > i["line"] or debt > self.line):
            raise ProtocolError(
                ErrorCode.VAT_CEILING_EXCEEDED, ilk=ilk, reason="Vat/ceiling-exceeded"
            )
        if (dart > 0 or dink < 0) and tab > ink * i["spot"]:
            raise ProtocolError(ErrorCode.VAT_NOT_SAFE, ilk=ilk, reason="Vat/not-safe")
        atomic = self.atomic
        atomic.set_item(self._ilks, ilk, i)
        atomic.set_item(self._urns, (ilk, u), {"ink": ink, "art": art})
        atomic.set_item(self._global, "debt", debt)
        atomic.set_item(self._dai, w, _underflow("vat.frob dai", self.dai(w) + dtab))

    def _ilk(self, ilk: str) -> dict[str, int]:
        i = self._ilks.get(ilk)
        if i is None:
            raise ProtocolError(ErrorCode.VAT_ILK_NOT_INIT, ilk=ilk)
        return i


class Jug:
    """dss `Jug` with `base = 0`: rate *= rpow(duty, now - rho) on `drip`."""

    __slots__ = ("_ilks", "clock", "vat", "vow")

    def __init__(self, vat: Vat, clock: Clock, *, vow: Address) -> None:
        self.vat, self.clock, self.vow = vat, clock, vow
        self._ilks: dict[str, dict[str, int]] = {}

    def init(self, ilk: str, duty_ray: int = RAY) -> None:
        """`jug.init` then `file(ilk, "duty", duty_ray)`."""
        self.vat.atomic.set_item(self._ilks, ilk, {"duty": duty_ray, "rho": self.clock.now})

    def duty(self, ilk: str) -> int:
        """The per-second stability fee of `ilk` (ray)."""
        return self._ilks[ilk]["duty"]

    def file_duty(self, ilk: str, duty_ray: int) -> None:
        """Drip, then set a new duty (the contract requires rho == now)."""
        self.drip(ilk)
        self.vat.atomic.set_item(self._ilks, ilk, {"duty": duty_ray, "rho": self.clock.now})

    def drip(self, ilk: str) -> int:
        """Compound `ilk`'s rate up to now; return it."""
        j = self._ilks[ilk]
        prev = self.vat.ilks(ilk).rate
        now = self.clock.now
        rate = rpow(j["duty"], now - j["rho"], RAY) * prev // RAY
        self.vat.fold(ilk, self.vow, rate - prev)
        self.vat.atomic.set_item(self._ilks, ilk, {"duty": j["duty"], "rho": now})
        return rate


class Join:
    """`DaiJoin` / `UsdsJoin`: token <-> internal Vat dai, 1 wad = RAY rad."""

    __slots__ = ("address", "token", "vat")

    def __init__(self, address: Address, token: Erc20, vat: Vat) -> None:
        self.address, self.token, self.vat = address, token, vat

    def join(self, usr: Address, wad: int, *, sender: Address) -> None:
        """Burn `sender`'s `wad` tokens; credit `usr` with wad * RAY internal dai."""
        self.token.burn(sender, wad)
        self.vat.credit(usr, wad * RAY)

    def exit(self, usr: Address, wad: int, *, sender: Address) -> None:
        """Debit `sender`'s wad * RAY internal dai; mint `wad` tokens to `usr`."""
        self.vat.debit(sender, wad * RAY)
        self.token.mint(usr, wad)


class _Wards:
    """dss `wards` + `rely`/`deny`."""

    _NOT_AUTHORIZED: ErrorCode = ErrorCode.ALLOCATOR_NOT_AUTHORIZED
    _REASON: str = ""

    def __init__(self, *, atomic: Atomic, ward: Address) -> None:
        self.atomic = atomic
        self._wards: dict[Address, int] = {ward: 1}

    def wards(self, usr: Address) -> int:
        """1 if `usr` is a ward."""
        return self._wards.get(usr, 0)

    def _can_call(self, sender: Address) -> bool:
        return self._wards.get(sender, 0) == 1

    def _auth(self, sender: Address) -> None:
        if not self._can_call(sender):
            raise ProtocolError(self._NOT_AUTHORIZED, sender=sender, reason=self._REASON)

    def rely(self, usr: Address, *, sender: Address) -> None:
        """Make `usr` a ward."""
        self._auth(sender)
        self.atomic.set_item(self._wards, usr, 1)

    def deny(self, usr: Address, *, sender: Address) -> None:
        """Remove `usr` as a ward."""
        self._auth(sender)
        self.atomic.set_item(self._wards, usr, 0)


class AllocatorBuffer(_Wards):
    """`AllocatorBuffer`: holds the allocator's USDS; wards approve spenders."""

    _REASON = "AllocatorBuffer/not-authorized"

    def __init__(self, address: Address, *, atomic: Atomic, ward: Address) -> None:
        super().__init__(atomic=atomic, ward=ward)
        self.address = address

    def approve(self, asset: Erc20, spender: Address, amount: int, *, sender: Address) -> None:
        """`approve(token, spender, amount)`: the buffer approves `spender` on `asset`."""
        self._auth(sender)
        transact(self.atomic, asset.approve, spender, amount, sender=self.address)

    def deposit(self, asset: Erc20, amount: int, *, sender: Address) -> None:
        """`deposit(token, amount, owner)`: pull `amount` of `asset` from `sender`."""
        transact(
            self.atomic, asset.transfer_from, sender, self.address, amount, sender=self.address
        )


class AllocatorVault(_Wards):
    """`AllocatorVault`: draws and wipes USDS against its own ilk, to and from the buffer."""

    _REASON = "AllocatorVault/not-authorized"

    def __init__(
        self,
        address: Address,
        *,
        usds: Erc20,
        buffer: AllocatorBuffer,
        clock: Clock,
        atomic: Atomic,
        ward: Address,
        ilk: str = "ALLOCATOR-SPARK-A",
        line_wad: int = 0,
        duty_ray: int = RAY,
        ink_wad: int = 10**12 * WAD,
        vat: Vat | None = None,
        vow: Address | None = None,
    ) -> None:
        super().__init__(atomic=atomic, ward=ward)
        self.address, self.usds, self.buffer, self.clock, self.ilk = (
            address,
            usds,
            buffer,
            clock,
            ilk,
        )
        self.vat = vat if vat is not None else Vat(atomic=atomic)
        self.usds_join = Join(make_addr(f"{address}:usdsJoin"), usds, self.vat)
        self.vat.init(ilk)
        self.vat.file(ilk, "spot", RAY)
        self.vat.file(ilk, "line", line_wad * RAY)
        self.vat.slip_ink(ilk, address, ink_wad)
        self._jug_box: dict[str, Jug | None] = {"jug": None}
        self.default_jug = Jug(self.vat, clock, vow=vow if vow is not None else address)
        self.default_jug.init(ilk, duty_ray)
        self._jug_box["jug"] = self.default_jug
        self._buds: dict[Address, int] = {}

    # --- roles ---

    def buds(self, usr: Address) -> int:
        """1 if `usr` may call draw/wipe/file through the roles module."""
        return self._buds.get(usr, 0)

    def _can_call(self, sender: Address) -> bool:
        return self._buds.get(sender, 0) == 1 or self._wards.get(sender, 0) == 1

    def kiss(self, usr: Address, *, sender: Address) -> None:
        """Allow `usr` (the ALM proxy) to draw and wipe (AllocatorRoles.setUserRole)."""
        self._auth(sender)
        self.atomic.set_item(self._buds, usr, 1)

    def diss(self, usr: Address, *, sender: Address) -> None:
        """Revoke `usr`'s role."""
        self._auth(sender)
        self.atomic.set_item(self._buds, usr, 0)

    @property
    def jug(self) -> Jug | None:
        """The jug `draw`/`wipe` drip (None after `file("jug", None)`)."""
        return self._jug_box["jug"]

    def file(self, what: str, data: Jug | None, *, sender: Address) -> None:
        """`file("jug", jug)`."""
        self._auth(sender)
        if what != "jug":
            raise ProtocolError(
                ErrorCode.ALLOCATOR_FILE_UNRECOGNIZED_PARAM,
                what=what,
                reason="AllocatorVault/file-unrecognized-param",
            )
        self.atomic.set_item(self._jug_box, "jug", data)

    # --- views ---

    @property
    def line(self) -> int:
        """The ilk's debt ceiling in wad (`line / RAY`)."""
        return self.vat.ilks(self.ilk).line // RAY

    def debt(self) -> int:
        """USDS owed at the last drip, rounded up: divup(art * rate, RAY)."""
        _, art = self.vat.urns(self.ilk, self.address)
        return divup(art * self.vat.ilks(self.ilk).rate, RAY)

    def slot(self) -> int:
        """What can still be drawn under the line: max(line - debt, 0)."""
        return max(self.line - self.debt(), 0)

    # --- actions ---

    def draw(self, wad: int, *, sender: Address) -> None:
        """Mint `wad` USDS to the buffer, adding divup(wad * RAY, rate) normalized debt."""
        wad = check_uint256(wad, field="wad")
        self._auth(sender)
        transact(self.atomic, self._draw, wad)

    def _draw(self, wad: int) -> None:
        rate = self._drip()
        dart = divup(wad * RAY, rate)
        self._check_int256(dart)
        self.vat.frob(self.ilk, self.address, 0, dart, self.address)
        self.usds_join.exit(self.buffer.address, wad, sender=self.address)

    def wipe(self, wad: int, *, sender: Address) -> None:
        """Take `wad` USDS from the buffer, burn it and remove wad * RAY // rate debt."""
        wad = check_uint256(wad, field="wad")
        self._auth(sender)
        transact(self.atomic, self._wipe, wad)

    def _wipe(self, wad: int) -> None:
        self.usds.transfer_from(self.buffer.address, self.address, wad, sender=self.address)
        self.usds_join.join(self.address, wad, sender=self.address)
        rate = self._drip()
        dart = wad * RAY // rate
        self._check_int256(dart)
        self.vat.frob(self.ilk, self.address, 0, -dart, self.address)

    def _drip(self) -> int:
        jug = self._jug_box["jug"]
        if jug is None:
            raise ProtocolError(ErrorCode.ALLOCATOR_JUG_NOT_SET, reason="call to address(0)")
        return jug.drip(self.ilk)

    @staticmethod
    def _check_int256(dart: int) -> None:
        if dart > INT256_MAX:
            raise ProtocolError(
                ErrorCode.ALLOCATOR_OVERFLOW, dart=dart, reason="AllocatorVault/overflow"
            )

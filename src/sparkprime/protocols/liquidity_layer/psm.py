"""Sky's lite PSM (`DssLitePsm`): swaps a stablecoin gem (USDC) for DAI one to one.

Source: makerdao/dss-lite-psm `src/DssLitePsm.sol`, the deployed design with `pocket`, `buf`,
`HALTED`, `rush/gush/cut` (search-index file 1250815002); tests `src/DssLitePsm.t.sol` of the
same design (file 1282308908). The gem sits in `pocket`; DAI is pre-minted into the PSM up to
`buf` above the pocket's gem by `fill()` (permissionless) and burnt back by `trim()`; fees
accrue as surplus DAI and go to the vow with `chug()`.

- `sell_gem(usr, gem_amt)`: dai_out = gem_amt * to18 - fee, fee = gem_amt * to18 * tin // WAD;
  the gem goes to the pocket, DAI from the PSM's own balance (no fill inside the swap);
- `buy_gem(usr, gem_amt)`: dai_in = gem_amt * to18 + gem_amt * to18 * tout // WAD;
- `sell_gem_no_fee` / `buy_gem_no_fee`: the same with no fee, for `bud`s only
  ("DssLitePsm/not-whitelisted");
- `rush()` = min(tArt - Art, line / RAY - Art, (Line - debt) / RAY), each capped at 0, with
  tArt = pocket gem * to18 + buf; `gush()` = min(max(Art - tArt, Art - line / RAY), cash);
  `cut()` = min(cash, cash + pocket gem * to18 - art); all need the ilk rate == RAY.
- `tin` / `tout` are <= WAD or `HALTED` (2**256 - 1), which stops that side.

Revert strings map to the LITE_PSM_* codes (`reason=` carries the string); token failures are
the tokens' (`INSUFFICIENT_BALANCE` / `INSUFFICIENT_ALLOWANCE`). Every call is all-or-nothing.
`approve_pocket=True` stands for `DssPocket.hope(psm)`: the pocket lets the PSM move its gem.

Example:
    >>> from sparkprime.protocols.erc20 import Erc20, TokenRegistry
    >>> from sparkprime.protocols.sparklend.addresses import make_addr
    >>> reg, gov, alice = TokenRegistry(), make_addr("gov"), make_addr("alice")
    >>> usdc = reg.register(Erc20(make_addr("usdc"), "USDC", 6))
    >>> dai = reg.register(Erc20(make_addr("dai"), "DAI", 18))
    >>> psm = DssLitePsm(make_addr("psm"), gem=usdc, dai=dai, pocket=make_addr("pocket"),
    ...                  atomic=reg.atomic, ward=gov, line_wad=10**9 * 10**18)
    >>> psm.file("buf", 1_000 * 10**18, sender=gov)
    >>> psm.fill()
    1000000000000000000000
    >>> usdc.mint(alice, 10**6)
    >>> _ = usdc.approve(psm.address, 10**6, sender=alice)
    >>> psm.sell_gem(alice, 10**6, sender=alice)
    1000000000000000000
"""

from __future__ import annotations

from typing import Final

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY, WAD
from sparkprime.core.ids import Address
from sparkprime.core.uint import UINT256_MAX, check_uint256
from sparkprime.protocols.atomic import Atomic
from sparkprime.protocols.erc20 import Erc20
from sparkprime.protocols.liquidity_layer.allocator import Join, Vat, VatIlk
from sparkprime.protocols.sparklend.addresses import ZERO_ADDRESS, make_addr
from sparkprime.protocols.sparklend.transaction import transact

__all__ = ["HALTED", "DssLitePsm"]

HALTED: Final = UINT256_MAX


def _subcap(x: int, y: int) -> int:
    return x - y if x > y else 0


def _mul(a: int, b: int, op: str) -> int:
    p = a * b
    if p > UINT256_MAX:
        raise ProtocolError(ErrorCode.MATH_OVERFLOW, op=op, reason="Panic(0x11)")
    return p


class DssLitePsm:
    """`DssLitePsm` over one gem, with its own ilk in a (minimal) Vat."""

    HALTED: Final = HALTED

    def __init__(
        self,
        address: Address,
        *,
        gem: Erc20,
        dai: Erc20,
        pocket: Address,
        atomic: Atomic,
        ward: Address,
        ilk: str = "LITE-PSM-USDC-A",
        vat: Vat | None = None,
        line_wad: int = 0,
        ink_wad: int = 10**12 * WAD,
        approve_pocket: bool = True,
    ) -> None:
        self.address, self.gem, self.dai, self.pocket, self.atomic = (
            address,
            gem,
            dai,
            pocket,
            atomic,
        )
        self.ilk = ilk
        self.vat = vat if vat is not None else Vat(atomic=atomic)
        self.dai_join = Join(make_addr(f"{address}:daiJoin"), dai, self.vat)
        self.to18_conversion_factor: int = 10 ** (18 - int(gem.decimals))
        # Genesis as DssLitePsmInit does it: the ilk, a 1:1 spot and "unlimited" ink.
        self.vat.init(ilk)
        self.vat.file(ilk, "spot", RAY)
        self.vat.file(ilk, "line", line_wad * RAY)
        self.vat.slip_ink(ilk, address, ink_wad)
        if approve_pocket:
            gem.approve(address, UINT256_MAX, sender=pocket)
        self._wards: dict[Address, int] = {ward: 1}
        self._bud: dict[Address, int] = {}
        self._s: dict[str, int] = {"tin": 0, "tout": 0, "buf": 0}
        self._vow: dict[str, Address] = {"vow": ZERO_ADDRESS}

    # --- views ---

    @property
    def tin(self) -> int:
        """Fee on selling gem (wad; HALTED stops sells)."""
        return self._s["tin"]

    @property
    def tout(self) -> int:
        """Fee on buying gem (wad; HALTED stops buys)."""
        return self._s["tout"]

    @property
    def buf(self) -> int:
        """Pre-minted DAI to keep above the pocket's gem (wad)."""
        return self._s["buf"]

    @property
    def vow(self) -> Address:
        """Where `chug` sends fees."""
        return self._vow["vow"]

    def wards(self, usr: Address) -> int:
        """1 if `usr` is a ward."""
        return self._wards.get(usr, 0)

    def bud(self, usr: Address) -> int:
        """1 if `usr` may swap without fees."""
        return self._bud.get(usr, 0)

    def rush(self) -> int:
        """DAI `fill` would mint now."""
        i = self._ilk_checked()
        t_art = self._gem_wad() + self.buf
        return min(
            _subcap(t_art, i.art),
            _subcap(i.line // RAY, i.art),
            _subcap(self.vat.line, self.vat.debt) // RAY,
        )

    def gush(self) -> int:
        """DAI `trim` would burn now."""
        i = self._ilk_checked()
        t_art = self._gem_wad() + self.buf
        cash = self.dai.balance_of(self.address)
        return min(max(_subcap(i.art, t_art), _subcap(i.art, i.line // RAY)), cash)

    def cut(self) -> int:
        """Fees `chug` can send now (at most the DAI on hand)."""
        _, art = self.vat.urns(self.ilk, self.address)
        cash = self.dai.balance_of(self.address)
        total = cash + self._gem_wad() - art
        if total < 0:
            raise ProtocolError(ErrorCode.MATH_OVERFLOW, op="cut", reason="Panic(0x11)")
        return min(cash, total)

    # --- administration ---

    def _auth(self, sender: Address) -> None:
        if self._wards.get(sender, 0) != 1:
            raise ProtocolError(
                ErrorCode.LITE_PSM_NOT_AUTHORIZED, sender=sender, reason="DssLitePsm/not-authorized"
            )

    def rely(self, usr: Address, *, sender: Address) -> None:
        """Make `usr` a ward."""
        self._auth(sender)
        self.atomic.set_item(self._wards, usr, 1)

    def deny(self, usr: Address, *, sender: Address) -> None:
        """Remove `usr` as a ward."""
        self._auth(sender)
        self.atomic.set_item(self._wards, usr, 0)

    def kiss(self, usr: Address, *, sender: Address) -> None:
        """Let `usr` swap without fees."""
        self._auth(sender)
        self.atomic.set_item(self._bud, usr, 1)

    def diss(self, usr: Address, *, sender: Address) -> None:
        """Stop `usr` swapping without fees."""
        self._auth(sender)
        self.atomic.set_item(self._bud, usr, 0)

    def file(self, what: str, data: int | Address, *, sender: Address) -> None:
        """`file("vow", address)` or `file("tin" | "tout" | "buf", uint)`."""
        self._auth(sender)
        if what == "vow" and isinstance(data, str):
            self.atomic.set_item(self._vow, "vow", data)
            return
        if what not in ("tin", "tout", "buf") or not isinstance(data, int):
            raise ProtocolError(
                ErrorCode.LITE_PSM_FILE_UNRECOGNIZED_PARAM,
                what=what,
                reason="DssLitePsm/file-unrecognized-param",
            )
        data = check_uint256(data, field=what)
        if what != "buf" and data != HALTED and data > WAD:
            raise ProtocolError(
                ErrorCode.LITE_PSM_FEE_OUT_OF_RANGE,
                what=what,
                value=data,
                reason=f"DssLitePsm/{what}-out-of-range",
            )
        self.atomic.set_item(self._s, what, data)

    # --- swaps ---

    def sell_gem(self, usr: Address, gem_amt: int, *, sender: Address) -> int:
        """Sell `gem_amt` gem for DAI to `usr`, paying `tin`; return the DAI out (wad)."""
        if self.tin == HALTED:
            raise ProtocolError(
                ErrorCode.LITE_PSM_SELL_GEM_HALTED, reason="DssLitePsm/sell-gem-halted"
            )
        return transact(self.atomic, self._sell_gem, usr, gem_amt, self.tin, sender)

    def sell_gem_no_fee(self, usr: Address, gem_amt: int, *, sender: Address) -> int:
        """`sellGemNoFee`: `sell_gem` with no fee, for buds."""
        self._toll(sender)
        return transact(self.atomic, self._sell_gem, usr, gem_amt, 0, sender)

    def buy_gem(self, usr: Address, gem_amt: int, *, sender: Address) -> int:
        """Buy `gem_amt` gem for `usr` with DAI, paying `tout`; return the DAI in (wad)."""
        if self.tout == HALTED:
            raise ProtocolError(
                ErrorCode.LITE_PSM_BUY_GEM_HALTED, reason="DssLitePsm/buy-gem-halted"
            )
        return transact(self.atomic, self._buy_gem, usr, gem_amt, self.tout, sender)

    def buy_gem_no_fee(self, usr: Address, gem_amt: int, *, sender: Address) -> int:
        """`buyGemNoFee`: `buy_gem` with no fee, for buds."""
        self._toll(sender)
        return transact(self.atomic, self._buy_gem, usr, gem_amt, 0, sender)

    def _toll(self, sender: Address) -> None:
        if self._bud.get(sender, 0) != 1:
            raise ProtocolError(
                ErrorCode.LITE_PSM_NOT_WHITELISTED,
                sender=sender,
                reason="DssLitePsm/not-whitelisted",
            )

    def _sell_gem(self, usr: Address, gem_amt: int, tin: int, sender: Address) -> int:
        gem_amt = check_uint256(gem_amt, field="gem_amt")
        dai_out = _mul(gem_amt, self.to18_conversion_factor, "sellGem")
        if tin > 0:
            dai_out -= _mul(dai_out, tin, "sellGem fee") // WAD
        self.gem.transfer_from(sender, self.pocket, gem_amt, sender=self.address)
        self.dai.transfer(usr, dai_out, sender=self.address)
        return dai_out

    def _buy_gem(self, usr: Address, gem_amt: int, tout: int, sender: Address) -> int:
        gem_amt = check_uint256(gem_amt, field="gem_amt")
        dai_in = _mul(gem_amt, self.to18_conversion_factor, "buyGem")
        if tout > 0:
            dai_in += _mul(dai_in, tout, "buyGem fee") // WAD
            if dai_in > UINT256_MAX:
                raise ProtocolError(ErrorCode.MATH_OVERFLOW, op="buyGem", reason="Panic(0x11)")
        self.dai.transfer_from(sender, self.address, dai_in, sender=self.address)
        self.gem.transfer_from(self.pocket, usr, gem_amt, sender=self.address)
        return dai_in

    # --- bookkeeping (permissionless) ---

    def fill(self) -> int:
        """Mint `rush()` DAI into the PSM; return it."""
        return transact(self.atomic, self._fill)

    def _fill(self) -> int:
        wad = self.rush()
        if wad == 0:
            raise ProtocolError(
                ErrorCode.LITE_PSM_NOTHING_TO_FILL, reason="DssLitePsm/nothing-to-fill"
            )
        self.vat.frob(self.ilk, self.address, 0, wad, self.address)
        self.dai_join.exit(self.address, wad, sender=self.address)
        return wad

    def trim(self) -> int:
        """Burn `gush()` DAI from the PSM; return it."""
        return transact(self.atomic, self._trim)

    def _trim(self) -> int:
        wad = self.gush()
        if wad == 0:
            raise ProtocolError(
                ErrorCode.LITE_PSM_NOTHING_TO_TRIM, reason="DssLitePsm/nothing-to-trim"
            )
        self.dai_join.join(self.address, wad, sender=self.address)
        self.vat.frob(self.ilk, self.address, 0, -wad, self.address)
        return wad

    def chug(self) -> int:
        """Send `cut()` DAI of fees to the vow (as Vat dai); return it."""
        return transact(self.atomic, self._chug)

    def _chug(self) -> int:
        vow = self.vow
        if vow == ZERO_ADDRESS:
            raise ProtocolError(
                ErrorCode.LITE_PSM_CHUG_MISSING_VOW, reason="DssLitePsm/chug-missing-vow"
            )
        wad = self.cut()
        if wad == 0:
            raise ProtocolError(
                ErrorCode.LITE_PSM_NOTHING_TO_CHUG, reason="DssLitePsm/nothing-to-chug"
            )
        self.dai_join.join(vow, wad, sender=self.address)
        return wad

    # --- internals ---

    def _gem_wad(self) -> int:
        return self.gem.balance_of(self.pocket) * self.to18_conversion_factor

    def _ilk_checked(self) -> VatIlk:
        i = self.vat.ilks(self.ilk)
        if i.rate != RAY:
            raise ProtocolError(
                ErrorCode.LITE_PSM_RATE_NOT_RAY, rate=i.rate, reason="DssLitePsm/rate-not-RAY"
            )
        return i

"""The Direct Deposit Module (D3M): a hub that mints DAI/USDS debt into a lending market.

makerdao/dss-direct-deposit `src/D3MHub.sol` (commit 4634ab10), with the Aave v3 pool adapter
`src/pools/D3MAaveV3NoSupplyCapTypePool.sol` (05f6d184) over our SparkLend `Pool`. The plans
are in `d3m_plans.py`.

`D3MHub.exec(ilk)` reads the ilk's debt (`Art`, rate and spot fixed at RAY) and the pool's
assets, books fees (aToken interest above `ink`) as collateral and surplus, then:

- caged (`tic != 0`) or plan inactive: unwind as much as `max_withdraw` allows;
- otherwise unwind `max(art - line, divup(debt - Line, RAY), current - target)` if positive,
  capped by `max_withdraw`; else wind `min(target - current, line - art, (Line - debt) / RAY,
  max_deposit)`;
- culled: a full unwind whose DAI goes to the vow.

Winding mints DAI to the pool adapter (the Vat `frob` + `daiJoin.exit`) which supplies it to
the market; unwinding withdraws it and burns it (`daiJoin.join` + `frob`). `cage` starts the
`tau` countdown; `cull` writes the urn off to the vow (`grab`). Global settlement (`vat.live
== 0`: `End.skim`, `uncull`, `exit`) is not modelled: `exec` then reverts `D3M_SHUTDOWN`.

`D3MVat` is the slice of the Vat the hub uses: the ilk, the pool's urn and gem, the vow's
surplus (`dai`) and bad debt (`sin`), and the global `Line`/`debt`. It also serves as
SparkLend's `DaiInterestRateStrategy` Vat (`ilks`, `live`). Every write goes through the
chain's `Atomic`, so a refused `exec` changes nothing, market included.

Example (see tests/protocols/liquidity_layer/test_d3m.py for a market):
    >>> vat = D3MVat()
    >>> vat.init_ilk(b"DIRECT-SPARK-DAI", line_rad=10**45)
    >>> vat.ilks(b"DIRECT-SPARK-DAI")[:3] == (0, RAY, RAY)
    True
"""

from __future__ import annotations

import dataclasses
from typing import Final, Protocol

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY
from sparkprime.core.ids import Address
from sparkprime.core.uint import UINT256_MAX, check_uint256
from sparkprime.protocols.atomic import Atomic
from sparkprime.protocols.erc20 import Erc20
from sparkprime.protocols.sparklend.pool import Pool
from sparkprime.protocols.sparklend.transaction import transact

__all__ = [
    "MAXINT256",
    "D3MAaveV3Pool",
    "D3MHub",
    "D3MPlan",
    "D3MVat",
    "IlkConfig",
]

MAXINT256: Final = 2**255 - 1


def _bytes32(ilk: bytes) -> bytes:
    if type(ilk) is not bytes or len(ilk) > 32:
        raise ProtocolError(ErrorCode.INVALID_ID, field="ilk", value=ilk, reason="not a bytes32")
    return ilk.ljust(32, b"\x00")


def _divup(x: int, y: int) -> int:
    return (x - 1) // y + 1 if x else 0


class D3MPlan(Protocol):
    """`ID3MPlan`: what the hub asks a plan."""

    def get_target_assets(self, current_assets: int, /) -> int: ...

    def active(self) -> bool: ...


class D3MVat:
    """The Vat state a D3M touches (amounts: wad for ink/art/gem, rad for dai/sin/lines)."""

    __slots__ = ("_atomic", "_g", "_gem", "_ilks", "_urns", "dai", "sin")

    def __init__(self, *, atomic: Atomic | None = None) -> None:
        self._atomic = atomic if atomic is not None else Atomic()
        self._g: dict[str, int] = {"Line": UINT256_MAX, "debt": 0, "live": 1}
        self._ilks: dict[bytes, tuple[int, int]] = {}  # ilk -> (Art, line_rad)
        self._urns: dict[tuple[bytes, Address], tuple[int, int]] = {}  # -> (ink, art)
        self._gem: dict[tuple[bytes, Address], int] = {}
        self.dai: dict[Address, int] = {}  # rad
        self.sin: dict[Address, int] = {}  # rad

    # --- governance ---

    def init_ilk(self, ilk: bytes, *, line_rad: int) -> None:
        """`vat.init` + `file(ilk, "line")`: a D3M ilk (rate and spot RAY)."""
        k = _bytes32(ilk)
        art = self._ilks.get(k, (0, 0))[0]
        self._atomic.set_item(self._ilks, k, (art, check_uint256(line_rad, field="line")))

    def file_line(self, line_rad: int) -> None:
        """`file("Line")`: the global debt ceiling [rad]."""
        self._atomic.set_item(self._g, "Line", check_uint256(line_rad, field="Line"))

    def add_other_debt(self, rad: int) -> None:
        """Debt of the rest of the system (other ilks), which counts toward `Line`."""
        self._atomic.set_item(self._g, "debt", self._g["debt"] + rad)

    def cage(self) -> None:
        self._atomic.set_item(self._g, "live", 0)

    # --- views (the Vat's getters) ---

    def ilks(self, ilk: bytes) -> tuple[int, int, int, int, int]:
        art, line = self._ilks.get(_bytes32(ilk), (0, 0))
        return art, RAY, RAY, line, 0

    def urns(self, ilk: bytes, urn: Address) -> tuple[int, int]:
        return self._urns.get((_bytes32(ilk), urn), (0, 0))

    def gem(self, ilk: bytes, usr: Address) -> int:
        return self._gem.get((_bytes32(ilk), usr), 0)

    def live(self) -> int:
        return self._g["live"]

    @property
    def Line(self) -> int:  # noqa: N802 - the Vat's name
        return self._g["Line"]

    @property
    def debt(self) -> int:
        return self._g["debt"]

    # --- the hub's moves (rate = RAY, so art == dai in wad) ---

    def slip(self, ilk: bytes, usr: Address, wad: int) -> None:
        key = (ilk, usr)
        self._atomic.set_item(self._gem, key, self._gem.get(key, 0) + wad)

    def frob(self, ilk: bytes, urn: Address, dink: int, dart: int) -> None:
        """Lock `dink` gem as ink and draw `dart` debt (DAI to the hub, burnt/minted outside)."""
        ink, art = self._urns.get((ilk, urn), (0, 0))
        total, line = self._ilks[ilk]
        self.slip(ilk, urn, -dink)
        self._atomic.set_item(self._urns, (ilk, urn), (ink + dink, art + dart))
        self._atomic.set_item(self._ilks, ilk, (total + dart, line))
        self._atomic.set_item(self._g, "debt", self._g["debt"] + dart * RAY)

    def grab(self, ilk: bytes, urn: Address, vow: Address, dink: int, dart: int) -> None:
        """Move `dink`/`dart` between the urn and the vow's gem/sin without DAI."""
        ink, art = self._urns.get((ilk, urn), (0, 0))
        total, line = self._ilks[ilk]
        self._atomic.set_item(self._urns, (ilk, urn), (ink + dink, art + dart))
        self._atomic.set_item(self._ilks, ilk, (total + dart, line))
        self.slip(ilk, urn, -dink)
        self._atomic.set_item(self.sin, vow, self.sin.get(vow, 0) - dart * RAY)

    def suck(self, vow: Address, rad: int) -> None:
        """`suck(vow, vow, rad)`: sin and dai to the vow (system debt grows by `rad`)."""
        self._atomic.set_item(self.sin, vow, self.sin.get(vow, 0) + rad)
        self._atomic.set_item(self.dai, vow, self.dai.get(vow, 0) + rad)
        self._atomic.set_item(self._g, "debt", self._g["debt"] + rad)

    def move_to(self, usr: Address, rad: int) -> None:
        self._atomic.set_item(self.dai, usr, self.dai.get(usr, 0) + rad)


class D3MAaveV3Pool:
    """`D3MAaveV3NoSupplyCapTypePool` over a SparkLend `Pool`: holds the aDAI, supplies and
    withdraws for the hub. `max_deposit` is unlimited; `max_withdraw` is
    `min(DAI held by the aToken, asset_balance)`."""

    __slots__ = ("a_token", "address", "dai", "hub", "market")

    def __init__(self, *, address: Address, hub: Address, dai: Erc20, market: Pool) -> None:
        data = market.get_reserve_data(dai.address)  # INVALID reserve raises in the Pool
        self.address: Final = address
        self.hub: Final = hub
        self.dai: Final = dai
        self.market: Final = market
        self.a_token: Final = market.a_token(dai.address)
        dai.approve(market.address, UINT256_MAX, sender=address)  # as the constructor does
        if data.a_token_address != self.a_token.address:
            raise ProtocolError(
                ErrorCode.D3M_INVALID_RESERVE,
                contract="D3MAaveV3NoSupplyCapTypePool",
                reason="D3MAaveV3NoSupplyCapTypePool/invalid-adai",
            )

    def _only_hub(self, sender: Address, fn: str) -> None:
        if sender != self.hub:
            raise ProtocolError(
                ErrorCode.D3M_ONLY_HUB,
                contract="D3MAaveV3NoSupplyCapTypePool",
                fn=fn,
                reason="D3MAaveV3NoSupplyCapTypePool/only-hub",
            )

    def deposit(self, wad: int, *, sender: Address) -> None:
        """Supply `wad` DAI held by this adapter; check the scaled aToken balance grew by at
        least `rdiv(wad, index)` (floored)."""
        self._only_hub(sender, "deposit")
        prev = self.a_token.scaled_balance_of(self.address)
        self.market.supply(self.dai.address, wad, self.address, 0, sender=self.address)
        index = self.market.get_reserve_normalized_income(self.dai.address)
        if self.a_token.scaled_balance_of(self.address) < prev + wad * RAY // index:
            raise ProtocolError(
                ErrorCode.D3M_INCORRECT_BALANCE,
                contract="D3MAaveV3NoSupplyCapTypePool",
                reason="D3MAaveV3NoSupplyCapTypePool/incorrect-adai-balance-received",
            )

    def withdraw(self, wad: int, *, sender: Address) -> None:
        """Withdraw `wad` DAI to the hub."""
        self._only_hub(sender, "withdraw")
        prev = self.dai.balance_of(sender)
        self.market.withdraw(self.dai.address, wad, sender, sender=self.address)
        if self.dai.balance_of(sender) != prev + wad:
            raise ProtocolError(
                ErrorCode.D3M_INCORRECT_BALANCE,
                contract="D3MAaveV3NoSupplyCapTypePool",
                reason="D3MAaveV3NoSupplyCapTypePool/incorrect-dai-balance-received",
            )

    def asset_balance(self) -> int:
        return self.a_token.balance_of(self.address)

    def max_deposit(self) -> int:
        return UINT256_MAX

    def max_withdraw(self) -> int:
        return min(self.dai.balance_of(self.a_token.address), self.asset_balance())


@dataclasses.dataclass(slots=True)
class IlkConfig:
    """`D3MHub.Ilk`: pool, plan, tau [s], culled (0/1), tic (caged at + tau; 0 = live)."""

    pool: D3MAaveV3Pool
    plan: D3MPlan
    tau: int = 0
    culled: int = 0
    tic: int = 0


class D3MHub:
    """`D3MHub`: winds and unwinds each D3M ilk toward its plan's target."""

    __slots__ = ("_atomic", "_clock", "_ilks", "_wards", "address", "dai", "vat", "vow")

    def __init__(
        self,
        *,
        address: Address,
        vat: D3MVat,
        dai: Erc20,
        vow: Address,
        clock: Clock,
        atomic: Atomic,
        sender: Address,
    ) -> None:
        self.address: Final = address
        self.vat: Final = vat
        self.dai: Final = dai
        self.vow: Final = vow
        self._clock = clock
        self._atomic = atomic
        self._wards: dict[Address, int] = {sender: 1}
        self._ilks: dict[bytes, IlkConfig] = {}

    # --- auth ---

    def _auth(self, sender: Address) -> None:
        if self._wards.get(sender, 0) != 1:
            raise ProtocolError(
                ErrorCode.D3M_NOT_AUTHORIZED, contract="D3MHub", reason="D3MHub/not-authorized"
            )

    def rely(self, usr: Address, *, sender: Address) -> None:
        self._auth(sender)
        self._atomic.set_item(self._wards, usr, 1)

    def deny(self, usr: Address, *, sender: Address) -> None:
        self._auth(sender)
        self._atomic.set_item(self._wards, usr, 0)

    def wards(self, usr: Address) -> int:
        return self._wards.get(usr, 0)

    # --- administration ---

    def file_ilk(
        self, ilk: bytes, *, pool: D3MAaveV3Pool, plan: D3MPlan, tau: int = 0, sender: Address
    ) -> None:
        """`file(ilk, "pool" | "plan" | "tau", ...)` at once (both address files require a
        live Vat and an uncaged ilk)."""
        self._auth(sender)
        k = _bytes32(ilk)
        if self.vat.live() != 1:
            raise ProtocolError(ErrorCode.D3M_SHUTDOWN, reason="D3MHub/no-file-during-shutdown")
        current = self._ilks.get(k)
        if current is not None and current.tic != 0:
            raise ProtocolError(ErrorCode.D3M_POOL_NOT_LIVE, ilk=k, reason="D3MHub/pool-not-live")
        cfg = IlkConfig(pool=pool, plan=plan, tau=check_uint256(tau, field="tau"))
        self._atomic.set_item(self._ilks, k, cfg)

    def ilk(self, ilk: bytes) -> IlkConfig:
        """A copy of the ilk's configuration."""
        cfg = self._ilks.get(_bytes32(ilk))
        if cfg is None:
            raise ProtocolError(ErrorCode.INVALID_ID, field="ilk", value=ilk, reason="not filed")
        return dataclasses.replace(cfg)

    # --- exec ---

    def exec(self, ilk: bytes) -> None:
        """`exec(ilk)`: wind or unwind toward the plan's target, all-or-nothing."""
        transact(self._atomic, self._exec, self.ilk(ilk), _bytes32(ilk))

    def _exec(self, cfg: IlkConfig, ilk: bytes) -> None:
        art_total, rate, spot, line, _ = self.vat.ilks(ilk)
        if rate != RAY:
            raise ProtocolError(ErrorCode.D3M_RATE_NOT_ONE, rate=rate, reason="D3MHub/rate-not-one")
        if spot != RAY:
            raise ProtocolError(ErrorCode.D3M_SPOT_NOT_ONE, spot=spot, reason="D3MHub/spot-not-one")
        if self.vat.live() == 0:
            raise ProtocolError(ErrorCode.D3M_SHUTDOWN, reason="global settlement not modelled")
        if cfg.culled == 1:
            self._full_unwind(ilk, cfg.pool)
        else:
            self._normal(ilk, cfg, art_total, line // RAY)

    def _wind(self, ilk: bytes, pool: D3MAaveV3Pool, amount: int) -> None:
        if amount > 0:
            self.vat.slip(ilk, pool.address, amount)
            self.vat.frob(ilk, pool.address, amount, amount)
            self.dai.mint(pool.address, amount)  # daiJoin.exit to the pool
            pool.deposit(amount, sender=self.address)

    def _unwind(self, ilk: bytes, pool: D3MAaveV3Pool, amount: int) -> None:
        if amount > 0:
            pool.withdraw(amount, sender=self.address)
            self.dai.burn(self.address, amount)  # daiJoin.join
            self.vat.frob(ilk, pool.address, -amount, -amount)
            self.vat.slip(ilk, pool.address, -amount)

    def _full_unwind(self, ilk: bytes, pool: D3MAaveV3Pool) -> None:
        amount = pool.max_withdraw()
        if amount > 0:
            to_slip = min(self.vat.gem(ilk, pool.address), amount)
            pool.withdraw(amount, sender=self.address)
            self.dai.burn(self.address, amount)
            self.vat.slip(ilk, pool.address, -to_slip)
            self.vat.move_to(self.vow, amount * RAY)

    def _normal(self, ilk: bytes, cfg: IlkConfig, art_total: int, line_wad: int) -> None:
        pool = cfg.pool
        ink, art = self.vat.urns(ilk, pool.address)
        if art != art_total:
            raise ProtocolError(
                ErrorCode.D3M_MORE_THAN_ONE_URN,
                art=art,
                Art=art_total,
                reason="D3MHub/more-than-one-urn",
            )
        current = pool.asset_balance()
        max_withdraw = pool.max_withdraw()
        if current > ink:  # fees: lock them as collateral, within the line plus what can leave
            room = line_wad + max_withdraw - ink if ink < line_wad else max_withdraw
            fix_ink = min(current - ink, room)
            self.vat.slip(ilk, pool.address, fix_ink)
            self.vat.frob(ilk, pool.address, fix_ink, 0)
            ink += fix_ink
        if art < ink:  # fees and permissionless repayments become debt and surplus
            fix_art = ink - art
            art += fix_art
            if art > MAXINT256:
                raise ProtocolError(ErrorCode.D3M_OVERFLOW, reason="D3MHub/overflow")
            self.vat.suck(self.vow, fix_art * RAY)
            self.vat.grab(ilk, pool.address, self.vow, 0, fix_art)

        line_all, debt = self.vat.Line, self.vat.debt
        target = 0
        to_unwind = 0
        if cfg.tic != 0 or not cfg.plan.active():
            to_unwind = UINT256_MAX
        else:
            if art > line_wad:
                to_unwind = art - line_wad
            if debt > line_all:
                to_unwind = max(to_unwind, _divup(debt - line_all, RAY))
            target = check_uint256(cfg.plan.get_target_assets(current), field="targetAssets")
            if target < current:
                to_unwind = max(to_unwind, current - target)
        if to_unwind > 0:
            self._unwind(ilk, pool, min(to_unwind, max_withdraw))
        else:
            to_wind = min(
                target - current, line_wad - art, (line_all - debt) // RAY, pool.max_deposit()
            )
            if art + to_wind > MAXINT256:
                raise ProtocolError(ErrorCode.D3M_OVERFLOW, reason="D3MHub/wind-overflow")
            self._wind(ilk, pool, to_wind)

    # --- shutdown of one ilk ---

    def cage(self, ilk: bytes, *, sender: Address) -> None:
        """`cage(ilk)`: from now `exec` only unwinds; `cull` is open after `tau`."""
        self._auth(sender)
        cfg = self.ilk(ilk)
        k = _bytes32(ilk)
        if self.vat.live() != 1:
            raise ProtocolError(ErrorCode.D3M_SHUTDOWN, reason="D3MHub/no-cage-during-shutdown")
        if cfg.tic != 0:
            raise ProtocolError(
                ErrorCode.D3M_POOL_ALREADY_CAGED, ilk=k, reason="D3MHub/pool-already-caged"
            )
        cfg.tic = self._clock.now + cfg.tau
        self._atomic.set_item(self._ilks, k, cfg)

    def cull(self, ilk: bytes, *, sender: Address) -> None:
        """`cull(ilk)`: write the urn off (its debt to the vow as sin, its ink back to gem)."""
        cfg = self.ilk(ilk)
        k = _bytes32(ilk)
        if self.vat.live() != 1:
            raise ProtocolError(ErrorCode.D3M_SHUTDOWN, reason="D3MHub/no-cull-during-shutdown")
        if cfg.tic == 0:
            raise ProtocolError(ErrorCode.D3M_POOL_LIVE, ilk=k, reason="D3MHub/pool-live")
        if cfg.tic > self._clock.now and self._wards.get(sender, 0) != 1:
            raise ProtocolError(
                ErrorCode.D3M_UNAUTHORIZED_CULL,
                ilk=k,
                tic=cfg.tic,
                reason="D3MHub/unauthorized-cull",
            )
        if cfg.culled != 0:
            raise ProtocolError(ErrorCode.D3M_ALREADY_CULLED, ilk=k, reason="D3MHub/already-culled")
        ink, art = self.vat.urns(k, cfg.pool.address)

        def write() -> None:
            self.vat.grab(k, cfg.pool.address, self.vow, -ink, -art)
            cfg.culled = 1
            self._atomic.set_item(self._ilks, k, cfg)

        transact(self._atomic, write)

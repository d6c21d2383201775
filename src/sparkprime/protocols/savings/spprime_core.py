"""spPRIME's state, views and accrual: what every part of `SparkPrimeVault` reads.

`SparkPrimeCore` holds the contract's storage (the public uint scalars as read-only
attributes, the two request queues, balances and allowances), its constants (roles, fee cap),
the views (`now_chi`, `convert_to_assets`, `available_capacity`, `available_liquid_assets`,
...) and `drip`: `vsr` compounds into `chi`, minting nothing. Source: see `spprime`. The
admin and role-gated functions are in `spprime_admin`, the ERC-20 surface in `spprime_shares`,
requests and queue processing in `spprime`.

Example:
    >>> checked_sub(5, 3, "example")
    2
    >>> try:
    ...     checked_mul(2**255, 2, "example")
    ... except ProtocolError as exc:
    ...     print(exc.code.name, exc.context["reason"])
    MATH_OVERFLOW Panic(0x11)
"""

from __future__ import annotations

from typing import Final

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY, WAD
from sparkprime.core.ids import Address
from sparkprime.core.uint import UINT256_MAX, check_uint256
from sparkprime.protocols.atomic import Atomic
from sparkprime.protocols.erc20 import Erc20
from sparkprime.protocols.savings.accrual import accrued_chi
from sparkprime.protocols.savings.spark_vault import SparkVault
from sparkprime.protocols.savings.spprime_queues import RequestQueue
from sparkprime.protocols.savings.spprime_shares import SparkPrimeShares
from sparkprime.protocols.sparklend.access_control import (
    DEFAULT_ADMIN_ROLE,
    AccessControlEnumerable,
)
from sparkprime.protocols.sparklend.addresses import make_addr
from sparkprime.protocols.sparklend.events import EventLog
from sparkprime.protocols.sparklend.transaction import transact

__all__ = [
    "GUARDIAN_ROLE",
    "MAX_REDEEM_FEE",
    "NO_REQUEST_ID",
    "REBALANCER_ROLE",
    "RISK_MANAGER_ROLE",
    "UNPAUSER_ROLE",
    "SparkPrimeCore",
    "checked_mul",
    "checked_sub",
]

MAX_REDEEM_FEE: Final = WAD // 100  # 1% [wad]
GUARDIAN_ROLE: Final = "GUARDIAN_ROLE"
REBALANCER_ROLE: Final = "REBALANCER_ROLE"
RISK_MANAGER_ROLE: Final = "RISK_MANAGER_ROLE"
UNPAUSER_ROLE: Final = "UNPAUSER_ROLE"
NO_REQUEST_ID: Final = UINT256_MAX  # returned when nothing was queued
_P: Final = "SparkPrimeVault/"  # the contract's revert-string prefix


def checked_sub(a: int, b: int, op: str) -> int:
    """Checked uint256 subtraction (the EVM's underflow panic)."""
    if b > a:
        raise ProtocolError(ErrorCode.MATH_OVERFLOW, op=op, a=a, b=b, reason="Panic(0x11)")
    return a - b


def checked_mul(a: int, b: int, op: str) -> int:
    """Checked uint256 multiplication."""
    if a * b > UINT256_MAX:
        raise ProtocolError(ErrorCode.MATH_OVERFLOW, op=op, a=a, b=b, reason="Panic(0x11)")
    return a * b


class _Stored:
    """A public uint storage variable of the contract, read from the vault's `_s`."""

    __slots__ = ("name",)

    def __init__(self) -> None:
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: SparkPrimeCore, objtype: type | None = None) -> int:
        return obj._s[self.name]


class SparkPrimeCore(SparkPrimeShares):
    """spPRIME's storage, views and accrual (the constructor of `SparkPrimeVault`)."""

    # The contract's public scalars.
    rho = _Stored()
    chi = _Stored()
    vsr = _Stored()
    min_vsr = _Stored()
    max_vsr = _Stored()
    max_capacity = _Stored()
    min_deposit = _Stored()
    min_withdraw = _Stored()
    redeem_fee = _Stored()
    max_redeem_fee = _Stored()
    total_supply = _Stored()
    total_queued_deposit_shares = _Stored()
    total_queued_redeem_shares = _Stored()

    def __init__(
        self,
        asset: Erc20,
        spusdc: SparkVault,
        clock: Clock,
        *,
        atomic: Atomic,
        admin: Address,
        address: Address | None = None,
        name: str = "Spark Prime USDC",
        symbol: str = "spPRIME",
        events: EventLog | None = None,
    ) -> None:
        if spusdc.asset is not asset:
            raise ProtocolError(ErrorCode.SPPRIME_ASSET_MISMATCH, reason=_P + "asset-mismatch")
        self.asset = asset
        self.spusdc = spusdc
        self.clock = clock
        self.atomic = atomic
        self.address = address if address is not None else make_addr("SparkPrimeVault")
        self.name, self.symbol, self.decimals = name, symbol, asset.decimals
        self.events = events if events is not None else EventLog()
        self.roles = AccessControlEnumerable(atomic=atomic, events=self.events)
        self.roles.grant(DEFAULT_ADMIN_ROLE, admin, admin)
        self._s: dict[str, int] = {
            "rho": clock.now,
            "chi": RAY,
            "vsr": RAY,
            "min_vsr": RAY,
            "max_vsr": RAY,
            "paused": 0,
            "max_capacity": 0,
            "min_deposit": 0,
            "min_withdraw": 0,
            "redeem_fee": 0,
            "max_redeem_fee": 0,
            "total_supply": 0,
            "total_queued_deposit_shares": 0,
            "total_queued_redeem_shares": 0,
        }
        self.deposit_queue = RequestQueue(atomic)
        self.redeem_queue = RequestQueue(atomic)
        self._balances: dict[Address, int] = {}
        self._allowances: dict[tuple[Address, Address], int] = {}
        asset.approve(spusdc.address, UINT256_MAX, sender=self.address)

    # --- storage views ---

    @property
    def paused(self) -> bool:
        """Whether user actions are refused."""
        return bool(self._s["paused"])

    @property
    def deposit_head(self) -> int:
        """First unfilled index of the deposit queue."""
        return self.deposit_queue.head

    @property
    def redeem_head(self) -> int:
        """First unfilled index of the redeem queue."""
        return self.redeem_queue.head

    # --- views ---

    def now_chi(self) -> int:
        """The accumulator a drip now would give."""
        s, now = self._s, self.clock.now
        if now > s["rho"]:
            return accrued_chi(s["vsr"], s["chi"], now - s["rho"], op="nowChi")
        return s["chi"]

    def convert_to_assets(self, shares: int) -> int:
        """shares * now_chi // RAY."""
        return (
            checked_mul(check_uint256(shares, field="shares"), self.now_chi(), "convertToAssets")
            // RAY
        )

    def total_assets(self) -> int:
        """convert_to_assets(total_supply), escrow included."""
        return self.convert_to_assets(self._s["total_supply"])

    def assets_of(self, owner: Address) -> int:
        """convert_to_assets(balance_of(owner))."""
        return self.convert_to_assets(self.balance_of(owner))

    def available_capacity(self) -> int:
        """Shares that may still be minted: max(max_capacity - total_supply, 0)."""
        s = self._s
        return max(s["max_capacity"] - s["total_supply"], 0)

    def available_liquid_assets(self) -> int:
        """Idle USDC plus the free spUSDC sleeve (not backing queued deposits), the sleeve
        capped by what spUSDC itself holds."""
        free = checked_sub(
            self.spusdc.balance_of(self.address),
            self._s["total_queued_deposit_shares"],
            "availableLiquidAssets",
        )
        sleeve = min(self.spusdc.convert_to_assets(free), self.spusdc.liquidity())
        return self.asset.balance_of(self.address) + sleeve

    # --- accrual ---

    def drip(self) -> int:
        """Accrue the vault savings rate; return chi."""
        return transact(self.atomic, self._drip)

    def _drip(self) -> int:
        s, now = self._s, self.clock.now
        if now <= s["rho"]:
            return s["chi"]
        n_chi = accrued_chi(s["vsr"], s["chi"], now - s["rho"], op="drip")
        supply = s["total_supply"]
        diff = checked_mul(supply, n_chi, "drip") // RAY - supply * s["chi"] // RAY
        self.atomic.set_item(s, "rho", now)
        self.atomic.set_item(s, "chi", n_chi)
        self.events.emit(self.atomic, "Drip", n_chi, diff)
        return n_chi

    # --- internals ---

    def _withdraw_from_savings(self, assets: int) -> None:
        self.spusdc.withdraw(assets, self.address, self.address, sender=self.address)
        if self.spusdc.balance_of(self.address) < self._s["total_queued_deposit_shares"]:
            raise ProtocolError(
                ErrorCode.SPPRIME_QUEUED_SHARES_LOCKED,
                assets=assets,
                reason=_P + "queued-shares-locked",
            )

    def __repr__(self) -> str:
        s = self._s
        return (
            f"SparkPrimeVault(vsr={s['vsr']}, chi={s['chi']}, supply={s['total_supply']}, "
            f"queued_deposit_shares={s['total_queued_deposit_shares']}, "
            f"queued_redeem_shares={s['total_queued_redeem_shares']}, paused={self.paused})"
        )

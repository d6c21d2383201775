"""spPRIME (`SparkPrimeVault`): a yield-bearing vault token over USDC with a spUSDC savings
sleeve and FIFO deposit and redeem queues.

Source: sparkdotfi/spark-prime-vault `src/SparkPrimeVault.sol` at
0108d0b6077e236eb81bb3f7739aecf2a198e445 (pragma 0.8.34); context from its `README.md`, and
sparkdotfi/spark-prime-vault-old `README.md` and `docs/auditor_readme.md`.

- Accrual as in SparkVault: `vsr` (ray per second) compounds into `chi` on `drip()`; a drip
  mints nothing (the interest is owed, not held). assets = shares * chi // RAY.
  `set_vsr_bounds` keeps RAY <= min_vsr <= max_vsr <= MAX_VSR (100% APY); `set_vsr` drips
  first. `set_chi` (risk manager) may only lower chi, and only while paused: it books a loss.
- Capacity: `max_capacity` caps total_supply in shares, escrowed redeem shares included.
- `request_deposit(assets, recipient)` pulls the USDC; while no deposit is queued it mints
  spPRIME at once for as much as the capacity allows (kept idle), and deposits the rest into
  spUSDC as a queued request (a remainder worth 0 spUSDC shares is absorbed, id
  2**256 - 1). `process_deposit_queue(max_assets)` (rebalancer) fills FIFO within the budget
  and the capacity, crediting the spUSDC value of each request (so the wait earns spUSDC's
  rate); `cancel_deposit_request` redeems the request's spUSDC to `recipient`.
- `request_redeem(shares, recipient)` escrows the shares with the redeem fee of the moment
  (wad, at most `max_redeem_fee` <= `MAX_REDEEM_FEE` = 1%); while nobody is queued ahead it is
  paid at once from the available liquidity (idle USDC, then the free spUSDC sleeve), the rest
  waits. Anyone may call `process_redeem_queue(max_assets)`. The net paid is
  gross - divup(gross * fee, WAD) with gross = shares * chi // RAY; the fee stays in the vault.
- Roles (admin of each is DEFAULT_ADMIN_ROLE): admin (capacity, fee cap, minimums, VSR
  bounds), SETTER (vsr), REBALANCER (sleeve, deposit queue), TAKER (`take` idle USDC),
  RISK_MANAGER (redeem fee, `set_chi`), GUARDIAN (pause; may cancel anyone's request),
  UNPAUSER. A paused vault refuses requests, cancels and both queue runs
  ("SparkPrimeVault/paused").

As in the contract: only the zero address is refused as a recipient (a recipient equal to the
vault itself is accepted and mixes new shares into the redeem escrow); a cancelled redeem
entry is stepped over by paying 0 to address(0) (real USDC reverts on a transfer to
address(0), the model's ERC-20 does not). Revert strings map to `SPPRIME_*` codes with
`reason=`; `AccessControlUnauthorizedAccount` to `MISSING_ROLE`; a token's own failure keeps
its code (e.g. spUSDC's "SparkVault/deposit-cap-exceeded"). Not modelled: `permit`, UUPS.

Example:
    >>> from sparkprime.core.clock import Clock
    >>> from sparkprime.protocols.erc20 import TokenRegistry
    >>> from sparkprime.protocols.savings.spark_vault import SparkVault
    >>> reg, clock = TokenRegistry(), Clock(1_700_000_000)
    >>> usdc = reg.register(Erc20(Address("0x" + "a0" * 20), "USDC", 6))
    >>> admin, alice = Address("0x" + "01" * 20), Address("0x" + "aa" * 20)
    >>> spusdc = SparkVault(usdc, clock, atomic=reg.atomic, admin=admin)
    >>> vault = SparkPrimeVault(usdc, spusdc, clock, atomic=reg.atomic, admin=admin)
    >>> vault.set_capacity(10**12, sender=admin)
    >>> usdc.mint(alice, 500 * 10**6)
    >>> _ = usdc.approve(vault.address, 2**256 - 1, sender=alice)
    >>> vault.request_deposit(500 * 10**6, alice, sender=alice) == 2**256 - 1  # all instant
    True
    >>> vault.balance_of(alice)
    500000000
"""

from __future__ import annotations

from typing import Final

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY, WAD
from sparkprime.core.ids import Address
from sparkprime.core.uint import UINT256_MAX, check_uint, check_uint256
from sparkprime.protocols.atomic import Atomic
from sparkprime.protocols.erc20 import Erc20
from sparkprime.protocols.savings.accrual import accrued_chi
from sparkprime.protocols.savings.erc4626 import ZERO_ADDRESS, divup
from sparkprime.protocols.savings.spark_vault import MAX_VSR, SETTER_ROLE, TAKER_ROLE, SparkVault
from sparkprime.protocols.savings.spprime_queues import Request, RequestQueue
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
    "SparkPrimeVault",
]

MAX_REDEEM_FEE: Final = WAD // 100  # 1% [wad]
GUARDIAN_ROLE: Final = "GUARDIAN_ROLE"
REBALANCER_ROLE: Final = "REBALANCER_ROLE"
RISK_MANAGER_ROLE: Final = "RISK_MANAGER_ROLE"
UNPAUSER_ROLE: Final = "UNPAUSER_ROLE"
NO_REQUEST_ID: Final = UINT256_MAX  # returned when nothing was queued
_UINT128_MAX: Final = 2**128 - 1
_SKIP_LIMIT: Final = 500  # cancelled deposit entries stepped over per processing call
_P: Final = "SparkPrimeVault/"


def _sub(a: int, b: int, op: str) -> int:
    """Checked uint256 subtraction (the EVM's underflow panic)."""
    if b > a:
        raise ProtocolError(ErrorCode.MATH_OVERFLOW, op=op, a=a, b=b, reason="Panic(0x11)")
    return a - b


def _mul(a: int, b: int, op: str) -> int:
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

    def __get__(self, obj: SparkPrimeVault, objtype: type | None = None) -> int:
        return obj._s[self.name]


class SparkPrimeVault:
    """spPRIME over `asset` (USDC) with `spusdc` as its savings sleeve, exact to the wei."""

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

    def balance_of(self, account: Address) -> int:
        """`account`'s spPRIME (the vault's own balance holds the redeem escrow)."""
        return self._balances.get(account, 0)

    def allowance(self, owner: Address, spender: Address) -> int:
        """spPRIME `spender` may still move from `owner`."""
        return self._allowances.get((owner, spender), 0)

    def has_role(self, role: str, account: Address) -> bool:
        """Whether `account` holds `role`."""
        return self.roles.has_role(role, account)

    def grant_role(self, role: str, account: Address, *, sender: Address) -> None:
        """Give `account` the role (the admin role's holders only)."""
        self.roles.grant_role(role, account, sender=sender)

    def revoke_role(self, role: str, account: Address, *, sender: Address) -> None:
        """Take the role from `account` (the admin role's holders only)."""
        self.roles.revoke_role(role, account, sender=sender)

    # --- views ---

    def now_chi(self) -> int:
        """The accumulator a drip now would give."""
        s, now = self._s, self.clock.now
        if now > s["rho"]:
            return accrued_chi(s["vsr"], s["chi"], now - s["rho"], op="nowChi")
        return s["chi"]

    def convert_to_assets(self, shares: int) -> int:
        """shares * now_chi // RAY."""
        return _mul(check_uint256(shares, field="shares"), self.now_chi(), "convertToAssets") // RAY

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
        free = _sub(
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
        diff = _mul(supply, n_chi, "drip") // RAY - supply * s["chi"] // RAY
        self.atomic.set_item(s, "rho", now)
        self.atomic.set_item(s, "chi", n_chi)
        self.events.emit(self.atomic, "Drip", n_chi, diff)
        return n_chi

    # --- admin ---

    def set_capacity(self, capacity: int, *, sender: Address) -> None:
        """`setCapacity` (admin): at most uint128 max shares."""
        capacity = check_uint256(capacity, field="capacity")
        self.roles.check_role(DEFAULT_ADMIN_ROLE, sender)
        if capacity > _UINT128_MAX:
            raise ProtocolError(
                ErrorCode.SPPRIME_CAPACITY_TOO_HIGH,
                capacity=capacity,
                reason=_P + "capacity-too-high",
            )
        transact(self.atomic, self._set, {"max_capacity": capacity}, "CapacitySet")

    def set_max_redeem_fee(self, fee: int, *, sender: Address) -> None:
        """`setMaxRedeemFee` (admin): at most MAX_REDEEM_FEE (1%)."""
        fee = check_uint256(fee, field="fee")
        self.roles.check_role(DEFAULT_ADMIN_ROLE, sender)
        self._check_fee(fee, MAX_REDEEM_FEE)
        transact(self.atomic, self._set, {"max_redeem_fee": fee}, "MaxRedeemFeeSet")

    def set_minimums(self, min_deposit: int, min_withdraw: int, *, sender: Address) -> None:
        """`setMinimums` (admin): smallest deposit and redeem, in asset units."""
        values = {
            "min_deposit": check_uint256(min_deposit, field="min_deposit"),
            "min_withdraw": check_uint256(min_withdraw, field="min_withdraw"),
        }
        self.roles.check_role(DEFAULT_ADMIN_ROLE, sender)
        transact(self.atomic, self._set, values, "MinimumsSet")

    def set_vsr_bounds(self, min_vsr: int, max_vsr: int, *, sender: Address) -> None:
        """`setVSRBounds` (admin): RAY <= min_vsr <= max_vsr <= MAX_VSR."""
        min_vsr = check_uint256(min_vsr, field="min_vsr")
        max_vsr = check_uint256(max_vsr, field="max_vsr")
        self.roles.check_role(DEFAULT_ADMIN_ROLE, sender)
        if min_vsr < RAY:
            raise self._vsr_error(ErrorCode.SPPRIME_VSR_TOO_LOW, min_vsr, "vsr-too-low")
        if max_vsr > MAX_VSR:
            raise self._vsr_error(ErrorCode.SPPRIME_VSR_TOO_HIGH, max_vsr, "vsr-too-high")
        if min_vsr > max_vsr:
            raise ProtocolError(
                ErrorCode.SPPRIME_MIN_VSR_GT_MAX_VSR,
                min=min_vsr,
                max=max_vsr,
                reason=_P + "min-vsr-gt-max-vsr",
            )
        transact(self.atomic, self._set, {"min_vsr": min_vsr, "max_vsr": max_vsr}, "VSRBoundsSet")

    # --- role-based actions ---

    def set_vsr(self, vsr: int, *, sender: Address) -> None:
        """`setVSR` (setter): within [min_vsr, max_vsr]; drips at the old rate first."""
        vsr = check_uint256(vsr, field="vsr")
        self.roles.check_role(SETTER_ROLE, sender)
        if vsr < self._s["min_vsr"]:
            raise self._vsr_error(ErrorCode.SPPRIME_VSR_TOO_LOW, vsr, "vsr-too-low")
        if vsr > self._s["max_vsr"]:
            raise self._vsr_error(ErrorCode.SPPRIME_VSR_TOO_HIGH, vsr, "vsr-too-high")
        transact(self.atomic, self._set_vsr, vsr)

    def _set_vsr(self, vsr: int) -> None:
        self._drip()
        self._set({"vsr": vsr}, "VSRSet")

    def take(self, assets: int, *, sender: Address) -> None:
        """`take` (taker): send `assets` of idle USDC to the taker."""
        assets = check_uint256(assets, field="assets")
        self.roles.check_role(TAKER_ROLE, sender)
        self._check_idle(assets)
        transact(self.atomic, self._take, assets, sender)

    def _take(self, assets: int, to: Address) -> None:
        self.asset.transfer(to, assets, sender=self.address)
        self.events.emit(self.atomic, "Take", to, assets)

    def deposit_to_savings(self, assets: int, *, sender: Address) -> None:
        """`depositToSavings` (rebalancer): move idle USDC into spUSDC."""
        assets = check_uint256(assets, field="assets")
        self.roles.check_role(REBALANCER_ROLE, sender)
        self._check_idle(assets)
        transact(self.atomic, self.spusdc.deposit, assets, self.address, sender=self.address)

    def withdraw_from_savings(self, assets: int, *, sender: Address) -> None:
        """`withdrawFromSavings` (rebalancer): pull USDC out of the free spUSDC sleeve."""
        assets = check_uint256(assets, field="assets")
        self.roles.check_role(REBALANCER_ROLE, sender)
        transact(self.atomic, self._withdraw_from_savings, assets)

    def process_deposit_queue(self, max_assets: int, *, sender: Address) -> None:
        """`processDepositQueue` (rebalancer): mint to queued depositors FIFO, up to
        `max_assets` and the capacity."""
        max_assets = check_uint256(max_assets, field="max_assets")
        self.roles.check_role(REBALANCER_ROLE, sender)
        self._when_not_paused()
        transact(self.atomic, self._process_deposit_queue, max_assets)

    def _process_deposit_queue(self, max_assets: int) -> None:
        chi = self._drip()
        budget = min(max_assets, self.available_capacity() * chi // RAY)
        queue, s = self.deposit_queue, self._s
        i, skipped = queue.head, 0
        while i < len(queue):
            request = queue[i]
            if request.amount == 0:  # cancelled: step over, a bounded number per call
                skipped += 1
                if skipped == _SKIP_LIMIT:
                    break
                i += 1
                continue
            value = self.spusdc.convert_to_assets(request.amount)
            assets = min(value, budget)
            if assets * RAY // chi == 0 and assets < value:
                break  # a partial fill must mint at least one share
            # Up, so the spUSDC accepted is always worth at least the assets credited.
            shares = divup(_mul(request.amount, assets, "processDepositQueue"), value)
            self.atomic.set_item(
                s,
                "total_queued_deposit_shares",
                _sub(s["total_queued_deposit_shares"], shares, "processDepositQueue"),
            )
            left = _sub(request.amount, shares, "processDepositQueue")
            queue.set(
                i,
                Request(
                    owner=request.owner, recipient=request.recipient, amount=left, fee=request.fee
                ),
            )
            budget -= assets
            self._mint(request.owner, request.recipient, assets)
            if left != 0:
                break  # partial fill: the entry stays at the head
            i += 1
        queue.set_head(i)

    def process_redeem_queue(self, max_assets: int, *, sender: Address) -> None:
        """`processRedeemQueue` (anyone): pay queued redeemers FIFO, up to `max_assets` net
        USDC and the available liquidity."""
        max_assets = check_uint256(max_assets, field="max_assets")
        self._when_not_paused()
        transact(self.atomic, self._process_redeem_queue, max_assets)

    def set_redeem_fee(self, fee: int, *, sender: Address) -> None:
        """`setRedeemFee` (risk manager): at most max_redeem_fee; locked into new requests."""
        fee = check_uint256(fee, field="fee")
        self.roles.check_role(RISK_MANAGER_ROLE, sender)
        self._check_fee(fee, self._s["max_redeem_fee"])
        transact(self.atomic, self._set, {"redeem_fee": fee}, "RedeemFeeSet")

    def set_chi(self, chi: int, *, sender: Address) -> None:
        """`setChi` (risk manager, paused only): lower chi to book a loss, 0 < chi < drip()."""
        chi = check_uint(chi, field="chi", bits=192)
        self.roles.check_role(RISK_MANAGER_ROLE, sender)
        if not self.paused:
            raise ProtocolError(ErrorCode.SPPRIME_NOT_PAUSED, reason=_P + "not-paused")
        transact(self.atomic, self._set_chi, chi)

    def _set_chi(self, chi: int) -> None:
        current = self._drip()
        if not 0 < chi < current:
            raise ProtocolError(
                ErrorCode.SPPRIME_INVALID_CHI, chi=chi, current=current, reason=_P + "invalid-chi"
            )
        self._set({"chi": chi}, "ChiSet")

    def pause(self, *, sender: Address) -> None:
        """`pause` (guardian)."""
        self.roles.check_role(GUARDIAN_ROLE, sender)
        transact(self.atomic, self._set, {"paused": 1}, "Paused")

    def unpause(self, *, sender: Address) -> None:
        """`unpause` (unpauser)."""
        self.roles.check_role(UNPAUSER_ROLE, sender)
        transact(self.atomic, self._set, {"paused": 0}, "Unpaused")

    # --- requests ---

    def request_deposit(
        self, assets: int, recipient: Address, *, sender: Address, referral: int | None = None
    ) -> int:
        """`requestDeposit`: mint what the capacity allows now (only while nobody is queued),
        queue the rest as spUSDC. Returns the request id, or NO_REQUEST_ID if nothing was
        queued. `referral` is the uint16 overload (it only adds a Referral event)."""
        assets = check_uint256(assets, field="assets")
        if referral is not None:
            check_uint(referral, field="referral", bits=16)
        return transact(self.atomic, self._request_deposit, assets, recipient, sender, referral)

    def _request_deposit(
        self, assets: int, recipient: Address, sender: Address, referral: int | None
    ) -> int:
        if referral is not None:
            self.events.emit(self.atomic, "Referral", referral, recipient, assets)
        self._when_not_paused()
        if recipient == ZERO_ADDRESS:
            raise ProtocolError(
                ErrorCode.SPPRIME_INVALID_RECIPIENT, reason=_P + "invalid-recipient"
            )
        if assets < self._s["min_deposit"]:
            raise ProtocolError(
                ErrorCode.SPPRIME_BELOW_MINIMUM,
                minimum=self._s["min_deposit"],
                amount=assets,
                reason=_P + "below-minimum",
            )
        chi = self._drip()
        self.asset.transfer_from(sender, self.address, assets, sender=self.address)
        instant = 0
        if self._s["total_queued_deposit_shares"] == 0:
            instant = min(assets, self.available_capacity() * chi // RAY)
        if instant * RAY // chi == 0:
            instant = 0  # below one share: queue it all instead
        else:
            self._mint(sender, recipient, instant)
        if instant == assets:
            return NO_REQUEST_ID
        shares = self.spusdc.deposit(assets - instant, self.address, sender=self.address)
        if shares == 0:
            return NO_REQUEST_ID  # a remainder below one spUSDC share is absorbed
        request_id = self.deposit_queue.push(
            Request(owner=sender, recipient=recipient, amount=shares, fee=0)
        )
        s = self._s
        self.atomic.set_item(
            s, "total_queued_deposit_shares", s["total_queued_deposit_shares"] + shares
        )
        self.events.emit(
            self.atomic, "DepositRequest", sender, recipient, request_id, assets - instant
        )
        return request_id

    def cancel_deposit_request(
        self, request_id: int, recipient: Address, *, sender: Address
    ) -> None:
        """`cancelDepositRequest` (owner or guardian): redeem the request's spUSDC, yield
        included, to `recipient`."""
        self._when_not_paused()
        request = self._cancellable(self.deposit_queue, request_id, sender)
        transact(self.atomic, self._cancel_deposit, request_id, request, recipient)

    def _cancel_deposit(self, request_id: int, request: Request, recipient: Address) -> None:
        self.deposit_queue.delete(request_id)
        s = self._s
        self.atomic.set_item(
            s,
            "total_queued_deposit_shares",
            _sub(s["total_queued_deposit_shares"], request.amount, "cancelDepositRequest"),
        )
        assets = self.spusdc.redeem(request.amount, recipient, self.address, sender=self.address)
        self.events.emit(self.atomic, "CancelDepositRequest", request_id, assets)

    def request_redeem(self, shares: int, recipient: Address, *, sender: Address) -> int:
        """`requestRedeem`: escrow `shares` with today's fee; paid at once from the available
        liquidity when nobody is queued ahead, the rest waits. Returns the request id."""
        shares = check_uint256(shares, field="shares")
        self._when_not_paused()
        if recipient == ZERO_ADDRESS:
            raise ProtocolError(
                ErrorCode.SPPRIME_INVALID_RECIPIENT, reason=_P + "invalid-recipient"
            )
        return transact(self.atomic, self._request_redeem, shares, recipient, sender)

    def _request_redeem(self, shares: int, recipient: Address, sender: Address) -> int:
        s = self._s
        if shares == 0 or _mul(shares, self._drip(), "requestRedeem") // RAY < s["min_withdraw"]:
            raise ProtocolError(
                ErrorCode.SPPRIME_BELOW_MINIMUM,
                minimum=s["min_withdraw"],
                shares=shares,
                reason=_P + "below-minimum",
            )
        instantly = s["total_queued_redeem_shares"] == 0
        self._transfer(sender, self.address, shares)
        fee = s["redeem_fee"]
        request_id = self.redeem_queue.push(
            Request(owner=sender, recipient=recipient, amount=shares, fee=fee)
        )
        self.atomic.set_item(
            s, "total_queued_redeem_shares", s["total_queued_redeem_shares"] + shares
        )
        self.events.emit(self.atomic, "RedeemRequest", sender, recipient, request_id, shares, fee)
        if instantly:
            self._process_redeem_queue(UINT256_MAX)
        return request_id

    def cancel_redeem_request(
        self, request_id: int, recipient: Address, *, sender: Address
    ) -> None:
        """`cancelRedeemRequest` (owner or guardian): return the escrowed shares to
        `recipient`."""
        self._when_not_paused()
        request = self._cancellable(self.redeem_queue, request_id, sender)
        transact(self.atomic, self._cancel_redeem, request_id, request, recipient)

    def _cancel_redeem(self, request_id: int, request: Request, recipient: Address) -> None:
        self.redeem_queue.delete(request_id)
        self._transfer(self.address, recipient, request.amount)
        s = self._s
        self.atomic.set_item(
            s,
            "total_queued_redeem_shares",
            _sub(s["total_queued_redeem_shares"], request.amount, "cancelRedeemRequest"),
        )
        self.events.emit(self.atomic, "CancelRedeemRequest", request_id, request.amount)

    # --- ERC-20 ---

    def approve(self, spender: Address, amount: int, *, sender: Address) -> bool:
        """Let `spender` move up to `amount` of `sender`'s spPRIME."""
        amount = check_uint256(amount, field="amount")
        transact(self.atomic, self.atomic.set_item, self._allowances, (sender, spender), amount)
        return True

    def transfer(self, to: Address, amount: int, *, sender: Address) -> bool:
        """Move `amount` spPRIME from `sender` to `to` (not address(0))."""
        amount = check_uint256(amount, field="amount")
        self._check_to(to)
        transact(self.atomic, self._transfer, sender, to, amount)
        return True

    def transfer_from(self, from_: Address, to: Address, amount: int, *, sender: Address) -> bool:
        """Move `amount` of `from_`'s spPRIME to `to`, spending `sender`'s allowance."""
        amount = check_uint256(amount, field="amount")
        self._check_to(to)
        self._check_balance(from_, amount)
        allowed = self.allowance(from_, sender)
        if from_ != sender and allowed != UINT256_MAX and allowed < amount:
            raise ProtocolError(
                ErrorCode.SPPRIME_INSUFFICIENT_ALLOWANCE,
                owner=from_,
                spender=sender,
                allowance=allowed,
                amount=amount,
                reason=_P + "insufficient-allowance",
            )
        transact(self.atomic, self._transfer_from, from_, to, amount, sender, allowed)
        return True

    def _transfer_from(
        self, from_: Address, to: Address, amount: int, sender: Address, allowed: int
    ) -> None:
        if from_ != sender and allowed != UINT256_MAX:
            self.atomic.set_item(self._allowances, (from_, sender), allowed - amount)
        self._transfer(from_, to, amount)

    # --- internals ---

    def _mint(self, owner: Address, recipient: Address, assets: int) -> None:
        shares = _mul(assets, RAY, "mint") // self._drip()
        s = self._s
        self.atomic.set_item(s, "total_supply", s["total_supply"] + shares)
        self.atomic.set_item(self._balances, recipient, self.balance_of(recipient) + shares)
        self.events.emit(self.atomic, "Transfer", ZERO_ADDRESS, recipient, shares)
        self.events.emit(self.atomic, "Deposit", owner, recipient, assets, shares)

    def _process_redeem_queue(self, max_assets: int) -> None:
        chi = self._drip()
        budget = min(max_assets, self.available_liquid_assets())
        queue, s, me = self.redeem_queue, self._s, self.address
        i = queue.head
        while i < len(queue):
            request = queue[i]
            shares, fee = request.amount, request.fee
            if self._net(shares, fee, chi) > budget:
                # The largest share amount whose net fits the budget, rounded down.
                shares = _mul(budget, WAD, "processRedeemQueue") // (WAD - fee) * RAY // chi
            net = self._net(shares, fee, chi)
            if net == 0 and shares < request.amount:
                break  # the budget is too small to pay anything
            self.atomic.set_item(self._balances, me, _sub(self.balance_of(me), shares, "redeem"))
            self.atomic.set_item(s, "total_supply", _sub(s["total_supply"], shares, "redeem"))
            self.atomic.set_item(
                s,
                "total_queued_redeem_shares",
                _sub(s["total_queued_redeem_shares"], shares, "redeem"),
            )
            left = _sub(request.amount, shares, "redeem")
            queue.set(
                i, Request(owner=request.owner, recipient=request.recipient, amount=left, fee=fee)
            )
            budget = _sub(budget, net, "redeem")
            self.events.emit(self.atomic, "Transfer", me, ZERO_ADDRESS, shares)
            self.events.emit(self.atomic, "Redeem", request.owner, request.recipient, net, shares)
            self._pay(request.recipient, net)
            if left != 0:
                break  # partial fill: the entry stays at the head
            i += 1
        queue.set_head(i)

    @staticmethod
    def _net(shares: int, fee: int, chi: int) -> int:
        gross = _mul(shares, chi, "getNet") // RAY
        return gross - divup(_mul(gross, fee, "getNet"), WAD)  # the fee stays in the vault

    def _pay(self, recipient: Address, assets: int) -> None:
        balance = self.asset.balance_of(self.address)
        if balance < assets:
            self._withdraw_from_savings(assets - balance)
        self.asset.transfer(recipient, assets, sender=self.address)

    def _withdraw_from_savings(self, assets: int) -> None:
        self.spusdc.withdraw(assets, self.address, self.address, sender=self.address)
        if self.spusdc.balance_of(self.address) < self._s["total_queued_deposit_shares"]:
            raise ProtocolError(
                ErrorCode.SPPRIME_QUEUED_SHARES_LOCKED,
                assets=assets,
                reason=_P + "queued-shares-locked",
            )

    def _transfer(self, from_: Address, to: Address, amount: int) -> None:
        balance = self._check_balance(from_, amount)
        self.atomic.set_item(self._balances, from_, balance - amount)
        self.atomic.set_item(self._balances, to, self.balance_of(to) + amount)
        self.events.emit(self.atomic, "Transfer", from_, to, amount)

    def _check_balance(self, account: Address, amount: int) -> int:
        balance = self.balance_of(account)
        if balance < amount:
            raise ProtocolError(
                ErrorCode.SPPRIME_INSUFFICIENT_BALANCE,
                account=account,
                balance=balance,
                amount=amount,
                reason=_P + "insufficient-balance",
            )
        return balance

    def _check_to(self, to: Address) -> None:
        if to == ZERO_ADDRESS:
            raise ProtocolError(ErrorCode.SPPRIME_INVALID_ADDRESS, reason=_P + "invalid-address")

    def _check_idle(self, assets: int) -> None:
        idle = self.asset.balance_of(self.address)
        if assets > idle:
            raise ProtocolError(
                ErrorCode.SPPRIME_INSUFFICIENT_LIQUIDITY,
                liquidity=idle,
                amount=assets,
                reason=_P + "insufficient-liquidity",
            )

    def _check_fee(self, fee: int, maximum: int) -> None:
        if fee > maximum:
            raise ProtocolError(
                ErrorCode.SPPRIME_FEE_TOO_HIGH, fee=fee, max=maximum, reason=_P + "fee-too-high"
            )

    def _when_not_paused(self) -> None:
        if self._s["paused"]:
            raise ProtocolError(ErrorCode.SPPRIME_PAUSED, reason=_P + "paused")

    def _cancellable(self, queue: RequestQueue, request_id: int, sender: Address) -> Request:
        request = queue[request_id]
        if request.amount == 0:
            raise ProtocolError(
                ErrorCode.SPPRIME_NO_REQUEST, request_id=request_id, reason=_P + "no-request"
            )
        if sender != request.owner and not self.has_role(GUARDIAN_ROLE, sender):
            raise ProtocolError(
                ErrorCode.SPPRIME_NOT_AUTHORIZED, sender=sender, reason=_P + "not-authorized"
            )
        return request

    def _set(self, values: dict[str, int], event: str) -> None:
        for key, value in values.items():
            self.atomic.set_item(self._s, key, value)
        self.events.emit(self.atomic, event, *values.values())

    def _vsr_error(self, code: ErrorCode, value: int, reason: str) -> ProtocolError:
        s = self._s
        return ProtocolError(
            code, value=value, min=s["min_vsr"], max=s["max_vsr"], reason=_P + reason
        )

    def __repr__(self) -> str:
        s = self._s
        return (
            f"SparkPrimeVault(vsr={s['vsr']}, chi={s['chi']}, supply={s['total_supply']}, "
            f"queued_deposit_shares={s['total_queued_deposit_shares']}, "
            f"queued_redeem_shares={s['total_queued_redeem_shares']}, paused={self.paused})"
        )

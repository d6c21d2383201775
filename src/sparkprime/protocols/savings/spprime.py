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

The class is layered: `spprime_shares` (the ERC-20 surface), `spprime_core` (storage,
constants, views, `drip`), `spprime_admin` (roles, parameters, pause, `set_chi`, `take`, the
sleeve moves) and here the requests and both queues' processing.

Example:
    >>> from sparkprime.core.clock import Clock
    >>> from sparkprime.protocols.erc20 import Erc20, TokenRegistry
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

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY, WAD
from sparkprime.core.ids import Address
from sparkprime.core.uint import UINT256_MAX, check_uint, check_uint256
from sparkprime.protocols.savings.erc4626 import ZERO_ADDRESS, divup
from sparkprime.protocols.savings.spprime_admin import SparkPrimeAdmin
from sparkprime.protocols.savings.spprime_core import (
    GUARDIAN_ROLE,
    MAX_REDEEM_FEE,
    NO_REQUEST_ID,
    REBALANCER_ROLE,
    RISK_MANAGER_ROLE,
    UNPAUSER_ROLE,
    checked_mul,
    checked_sub,
)
from sparkprime.protocols.savings.spprime_queues import Request, RequestQueue
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

_P: Final = "SparkPrimeVault/"  # the contract's revert-string prefix
_SKIP_LIMIT: Final = 500  # cancelled deposit entries stepped over per processing call


class SparkPrimeVault(SparkPrimeAdmin):
    """spPRIME over `asset` (USDC) with `spusdc` as its savings sleeve, exact to the wei."""

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
            checked_sub(s["total_queued_deposit_shares"], request.amount, "cancelDepositRequest"),
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
        if (
            shares == 0
            or checked_mul(shares, self._drip(), "requestRedeem") // RAY < s["min_withdraw"]
        ):
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
            checked_sub(s["total_queued_redeem_shares"], request.amount, "cancelRedeemRequest"),
        )
        self.events.emit(self.atomic, "CancelRedeemRequest", request_id, request.amount)

    # --- queue processing ---

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
            shares = divup(checked_mul(request.amount, assets, "processDepositQueue"), value)
            self.atomic.set_item(
                s,
                "total_queued_deposit_shares",
                checked_sub(s["total_queued_deposit_shares"], shares, "processDepositQueue"),
            )
            left = checked_sub(request.amount, shares, "processDepositQueue")
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
                shares = checked_mul(budget, WAD, "processRedeemQueue") // (WAD - fee) * RAY // chi
            net = self._net(shares, fee, chi)
            if net == 0 and shares < request.amount:
                break  # the budget is too small to pay anything
            self.atomic.set_item(
                self._balances, me, checked_sub(self.balance_of(me), shares, "redeem")
            )
            self.atomic.set_item(
                s, "total_supply", checked_sub(s["total_supply"], shares, "redeem")
            )
            self.atomic.set_item(
                s,
                "total_queued_redeem_shares",
                checked_sub(s["total_queued_redeem_shares"], shares, "redeem"),
            )
            left = checked_sub(request.amount, shares, "redeem")
            queue.set(
                i, Request(owner=request.owner, recipient=request.recipient, amount=left, fee=fee)
            )
            budget = checked_sub(budget, net, "redeem")
            self.events.emit(self.atomic, "Transfer", me, ZERO_ADDRESS, shares)
            self.events.emit(self.atomic, "Redeem", request.owner, request.recipient, net, shares)
            self._pay(request.recipient, net)
            if left != 0:
                break  # partial fill: the entry stays at the head
            i += 1
        queue.set_head(i)

    @staticmethod
    def _net(shares: int, fee: int, chi: int) -> int:
        gross = checked_mul(shares, chi, "getNet") // RAY
        return gross - divup(checked_mul(gross, fee, "getNet"), WAD)  # the fee stays in the vault

    def _pay(self, recipient: Address, assets: int) -> None:
        balance = self.asset.balance_of(self.address)
        if balance < assets:
            self._withdraw_from_savings(assets - balance)
        self.asset.transfer(recipient, assets, sender=self.address)

    # --- internals ---

    def _mint(self, owner: Address, recipient: Address, assets: int) -> None:
        shares = checked_mul(assets, RAY, "mint") // self._drip()
        s = self._s
        self.atomic.set_item(s, "total_supply", s["total_supply"] + shares)
        self.atomic.set_item(self._balances, recipient, self.balance_of(recipient) + shares)
        self.events.emit(self.atomic, "Transfer", ZERO_ADDRESS, recipient, shares)
        self.events.emit(self.atomic, "Deposit", owner, recipient, assets, shares)

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

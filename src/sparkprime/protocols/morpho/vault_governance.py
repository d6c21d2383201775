"""MetaMorpho v1.1's role-gated functions: fees, roles, caps with their timelock, queues,
`reallocate`.

- The owner sets the curator, allocators, the performance fee (<= 50%, accruing with the old
  fee first; a non-zero fee needs a fee recipient) and the fee recipient (accruing to the old
  one first).
- The curator (or owner) submits caps: a decrease applies at once, an increase waits
  `timelock` and anyone may `accept_cap` it then. A market's first non-zero cap enables it:
  it joins the withdraw queue (at most MAX_QUEUE_LENGTH) and its existing supply joins the
  last total assets without a fee.
- Allocators (or curator, owner) set the supply queue (markets with a cap only) and
  `reallocate`: withdraw down to each target, supply up to it (2**256 - 1: everything
  withdrawn so far, unsupplied), within caps; what is withdrawn must all be supplied.

Source: see `vault`. Errors are the contract's custom errors (`METAMORPHO_*`, `reason=`).

Example:
    >>> from sparkprime.core.clock import Clock
    >>> from sparkprime.protocols.erc20 import Erc20, TokenRegistry
    >>> from sparkprime.protocols.morpho.market import Morpho
    >>> from sparkprime.protocols.sparklend.addresses import make_addr
    >>> reg, owner = TokenRegistry(), make_addr("o")
    >>> usdc = reg.register(Erc20(make_addr("usdc"), "USDC", 6))
    >>> morpho = Morpho(owner, tokens=reg, clock=Clock(0))
    >>> vault = MetaMorphoGovernance(owner, morpho, 0, usdc, address=make_addr("v"))
    >>> vault.set_curator(make_addr("c"), sender=owner)
    >>> vault.curator == make_addr("c")
    True
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.core.uint import UINT256_MAX, check_uint256
from sparkprime.protocols.morpho.market_math import (
    MarketId,
    MarketParams,
    market_id,
    zero_floor_sub,
)
from sparkprime.protocols.morpho.vault_core import (
    MAX_FEE,
    MAX_QUEUE_LENGTH,
    MetaMorphoCore,
    PendingCap,
)
from sparkprime.protocols.sparklend.addresses import ZERO_ADDRESS
from sparkprime.protocols.sparklend.transaction import transact

__all__ = ["MarketAllocation", "MetaMorphoGovernance"]


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class MarketAllocation:
    """`MarketAllocation`: the vault's target supply on a market (2**256 - 1: all the rest)."""

    market_params: MarketParams
    assets: int


def _err(code: ErrorCode, reason: str, **context: object) -> ProtocolError:
    return ProtocolError(code, reason=reason, **context)


class MetaMorphoGovernance(MetaMorphoCore):
    """What MetaMorpho's owner, curator and allocators may do."""

    # --- roles and fee ---

    def set_curator(self, new_curator: Address, *, sender: Address) -> None:
        """Owner: set the curator."""
        self._only_owner(sender)
        if new_curator == self._roles["curator"]:
            raise _err(ErrorCode.METAMORPHO_ALREADY_SET, "AlreadySet", what="curator")
        self.atomic.set_item(self._roles, "curator", new_curator)

    def set_is_allocator(self, new_allocator: Address, value: bool, *, sender: Address) -> None:
        """Owner: grant or revoke the allocator role."""
        self._only_owner(sender)
        if self.is_allocator(new_allocator) == value:
            raise _err(ErrorCode.METAMORPHO_ALREADY_SET, "AlreadySet", what="allocator")
        self.atomic.set_item(self._allocators, new_allocator, value)

    def set_fee(self, new_fee: int, *, sender: Address) -> None:
        """Owner: set the performance fee (<= 50%), accruing with the old one first."""
        transact(self.atomic, self._set_fee, new_fee, sender)

    def _set_fee(self, new_fee: int, sender: Address) -> None:
        self._only_owner(sender)
        new_fee = check_uint256(new_fee, field="new_fee")
        if new_fee == self._n["fee"]:
            raise _err(ErrorCode.METAMORPHO_ALREADY_SET, "AlreadySet", what="fee")
        if new_fee > MAX_FEE:
            raise _err(
                ErrorCode.METAMORPHO_MAX_FEE_EXCEEDED,
                "MaxFeeExceeded",
                fee=new_fee,
                max_fee=MAX_FEE,
            )
        if new_fee != 0 and self._roles["fee_recipient"] == ZERO_ADDRESS:
            raise _err(ErrorCode.METAMORPHO_ZERO_FEE_RECIPIENT, "ZeroFeeRecipient")
        self._accrue_interest()
        self.atomic.set_item(self._n, "fee", new_fee)

    def set_fee_recipient(self, new_fee_recipient: Address, *, sender: Address) -> None:
        """Owner: set the fee recipient, accruing the fee to the old one first."""
        transact(self.atomic, self._set_fee_recipient, new_fee_recipient, sender)

    def _set_fee_recipient(self, new_fee_recipient: Address, sender: Address) -> None:
        self._only_owner(sender)
        if new_fee_recipient == self._roles["fee_recipient"]:
            raise _err(ErrorCode.METAMORPHO_ALREADY_SET, "AlreadySet", what="fee recipient")
        if new_fee_recipient == ZERO_ADDRESS and self._n["fee"] != 0:
            raise _err(ErrorCode.METAMORPHO_ZERO_FEE_RECIPIENT, "ZeroFeeRecipient")
        self._accrue_interest()
        self.atomic.set_item(self._roles, "fee_recipient", new_fee_recipient)

    # --- caps and queues ---

    def submit_cap(self, market_params: MarketParams, new_cap: int, *, sender: Address) -> None:
        """Curator: lower a cap now, or queue a raise for after the timelock."""
        transact(self.atomic, self._submit_cap, market_params, new_cap, sender)

    def _submit_cap(self, mp: MarketParams, new_cap: int, sender: Address) -> None:
        self._only_curator(sender)
        id_ = market_id(mp)
        new_cap = check_uint256(new_cap, field="new_supply_cap")
        if mp.loan_token != self.asset.address:
            raise _err(ErrorCode.METAMORPHO_INCONSISTENT_ASSET, "InconsistentAsset", id=id_)
        if self.morpho.market(id_).last_update == 0:
            raise _err(ErrorCode.METAMORPHO_MARKET_NOT_CREATED, "MarketNotCreated", id=id_)
        if self.pending_cap(id_).valid_at != 0:
            raise _err(ErrorCode.METAMORPHO_ALREADY_PENDING, "AlreadyPending", what="cap")
        cap = self.config(id_).cap
        if new_cap == cap:
            raise _err(ErrorCode.METAMORPHO_ALREADY_SET, "AlreadySet", what="cap")
        if new_cap < cap:
            self._set_cap(mp, id_, new_cap)
        else:
            pending = PendingCap(value=new_cap, valid_at=self.morpho.clock.now + self.timelock)
            self.atomic.set_item(self._pending_cap, id_, pending)

    def accept_cap(self, market_params: MarketParams, *, sender: Address) -> None:
        """Anyone: apply a pending cap once its timelock has passed."""
        transact(self.atomic, self._accept_cap, market_params)

    def _accept_cap(self, mp: MarketParams) -> None:
        id_ = market_id(mp)
        valid_at, now = self.pending_cap(id_).valid_at, self.morpho.clock.now
        if valid_at == 0:
            raise _err(ErrorCode.METAMORPHO_NO_PENDING_VALUE, "NoPendingValue")
        if now < valid_at:
            raise _err(
                ErrorCode.METAMORPHO_TIMELOCK_NOT_ELAPSED,
                "TimelockNotElapsed",
                valid_at=valid_at,
                now=now,
            )
        self._set_cap(mp, id_, self.pending_cap(id_).value)

    def _set_cap(self, mp: MarketParams, id_: MarketId, cap: int) -> None:
        config = self.config(id_)
        if cap > 0:
            if not config.enabled:
                queue = (*self._queues["withdraw"], id_)
                if len(queue) > MAX_QUEUE_LENGTH:
                    raise _err(
                        ErrorCode.METAMORPHO_MAX_QUEUE_LENGTH_EXCEEDED,
                        "MaxQueueLengthExceeded",
                        max_length=MAX_QUEUE_LENGTH,
                    )
                self.atomic.set_item(self._queues, "withdraw", queue)
                config = dataclasses.replace(config, enabled=True)
                # The market's existing assets join total assets without a fee.
                held = self.morpho.expected_supply_assets(mp, self.address)
                self.atomic.set_item(self._n, "last", self._n["last"] + held)
            config = dataclasses.replace(config, removable_at=0)
        self.atomic.set_item(self._config, id_, dataclasses.replace(config, cap=cap))
        self.atomic.del_item(self._pending_cap, id_)

    def set_supply_queue(self, new_supply_queue: Sequence[MarketId], *, sender: Address) -> None:
        """Allocator: set the deposit order (markets with a non-zero cap only)."""
        self._only_allocator(sender)
        queue = tuple(new_supply_queue)
        if len(queue) > MAX_QUEUE_LENGTH:
            raise _err(
                ErrorCode.METAMORPHO_MAX_QUEUE_LENGTH_EXCEEDED,
                "MaxQueueLengthExceeded",
                max_length=MAX_QUEUE_LENGTH,
            )
        for id_ in queue:
            if self.config(id_).cap == 0:
                raise _err(ErrorCode.METAMORPHO_UNAUTHORIZED_MARKET, "UnauthorizedMarket", id=id_)
        self.atomic.set_item(self._queues, "supply", queue)

    def reallocate(self, allocations: Sequence[MarketAllocation], *, sender: Address) -> None:
        """Allocator: move supply between enabled markets to the given targets."""
        transact(self.atomic, self._reallocate, tuple(allocations), sender)

    def _reallocate(self, allocations: tuple[MarketAllocation, ...], sender: Address) -> None:
        self._only_allocator(sender)
        morpho, me = self.morpho, self.address
        total_supplied = total_withdrawn = 0
        for allocation in allocations:
            mp, target = allocation.market_params, check_uint256(allocation.assets, field="assets")
            id_ = market_id(mp)
            if not self.config(id_).enabled:
                raise _err(ErrorCode.METAMORPHO_MARKET_NOT_ENABLED, "MarketNotEnabled", id=id_)
            supply_assets, supply_shares = self._accrued_supply_balance(mp, id_)
            withdrawn = zero_floor_sub(supply_assets, target)
            if withdrawn > 0:
                # A zero target withdraws every share, donations included.
                shares = supply_shares if target == 0 else 0
                assets = 0 if target == 0 else withdrawn
                got, _ = morpho.withdraw(mp, assets, shares, me, me, sender=me)
                total_withdrawn += got
            else:
                supplied = (
                    zero_floor_sub(total_withdrawn, total_supplied)
                    if target == UINT256_MAX
                    else zero_floor_sub(target, supply_assets)
                )
                if supplied == 0:
                    continue
                if supply_assets + supplied > self.config(id_).cap:
                    raise _err(
                        ErrorCode.METAMORPHO_SUPPLY_CAP_EXCEEDED, "SupplyCapExceeded", id=id_
                    )
                morpho.supply(mp, supplied, 0, me, sender=me)
                total_supplied += supplied
        if total_withdrawn != total_supplied:
            raise _err(
                ErrorCode.METAMORPHO_INCONSISTENT_REALLOCATION,
                "InconsistentReallocation",
                withdrawn=total_withdrawn,
                supplied=total_supplied,
            )

"""MetaMorpho v1.1: an ERC-4626 vault that lends its asset across Morpho Blue markets.

Source: morpho-org/metamorpho-v1.1 `src/MetaMorphoV1_1.sol` @
2316dcd3bd1160a3eadb4dc3f6ea7cc536f2df74 (`libraries/ErrorsLib.sol` @ 6d4767fe,
`ConstantsLib.sol` @ 17d610b0), on OpenZeppelin v5 `ERC4626`.

- Shares convert with OZ's virtual offset: shares = assets * (supply + 10**DECIMALS_OFFSET) /
  (totalAssets + 1), DECIMALS_OFFSET = max(0, 18 - asset decimals); deposit and redeem round
  down, mint and withdraw round up (`Math.mulDiv`).
- `total_assets` = the vault's expected supply on every market of the withdraw queue (interest
  accrued, `expected_supply_assets`) plus `lost_assets` (v1.1: a realized loss is remembered
  so the share price does not fall; the fee is not charged on its recovery).
- Each action accrues first: the performance fee (fee * interest since `last_total_assets`)
  is minted to `fee_recipient` as shares priced at totalAssets - feeAssets.
- Deposits go down the supply queue up to each market's cap (a reverting market is skipped,
  like the contract's try/catch); withdrawals go down the withdraw queue, each capped by the
  market's liquidity. Not enough room: `AllCapsReached` / `NotEnoughLiquidity`.
- Roles: the owner (everything), the curator (caps), allocators (queues, `reallocate`). A cap
  increase waits `timelock` (`submit_cap`, then anyone `accept_cap`); a decrease is immediate.

Custom errors map to `METAMORPHO_*` codes (`reason=` gives the Solidity error name); the
share token's OZ errors are in `vault_shares`; Ownable's `OwnableUnauthorizedAccount` is
`MISSING_ROLE` (role "owner"). Not modeled: the guardian, timelock changes, market removal
(`submitMarketRemoval`, `updateWithdrawQueue`), `skim`, names, permit and multicall.

The planner helpers `supply_rate_ray` / `supply_apy` are not in the contract: the vault's
per-second yield is the supply-weighted market supply rate (`Morpho.supply_rate_view`) over
total assets, net of the vault fee; `supply_rate_ray` is it as a yearly rate in ray (like
SparkLend's liquidity rate) and `supply_apy` compounds it every second for a year (ray).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Final

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY, Rounding, mul_div
from sparkprime.core.ids import Address
from sparkprime.core.rpow import rpow
from sparkprime.core.uint import UINT256_MAX, check_uint256
from sparkprime.protocols.erc20 import Erc20
from sparkprime.protocols.morpho.market import Morpho
from sparkprime.protocols.morpho.market_math import (
    WAD,
    MarketId,
    MarketParams,
    market_id,
    to_assets_down,
    to_assets_up,
    zero_floor_sub,
)
from sparkprime.protocols.morpho.vault_shares import ShareToken
from sparkprime.protocols.sparklend.addresses import ZERO_ADDRESS
from sparkprime.protocols.sparklend.transaction import transact

__all__ = [
    "MAX_FEE",
    "MAX_QUEUE_LENGTH",
    "MAX_TIMELOCK",
    "MarketAllocation",
    "MarketConfig",
    "MetaMorpho",
    "PendingCap",
]

MAX_TIMELOCK: Final = 14 * 86_400
MAX_QUEUE_LENGTH: Final = 30
MAX_FEE: Final = 5 * 10**17  # 50%
_YEAR: Final = 365 * 86_400
_FLOOR: Final = Rounding.FLOOR
_CEIL: Final = Rounding.CEIL


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class MarketConfig:
    """`MarketConfig`: the supply cap and whether the market is in the withdraw queue."""

    cap: int = 0
    enabled: bool = False
    removable_at: int = 0


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class PendingCap:
    """`PendingUint192` for a cap: its value and when it can be accepted (0: none)."""

    value: int = 0
    valid_at: int = 0


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class MarketAllocation:
    """`MarketAllocation`: the vault's target supply on a market (2**256 - 1: all the rest)."""

    market_params: MarketParams
    assets: int


_NO_CONFIG: Final = MarketConfig()
_NO_PENDING: Final = PendingCap()


def _err(code: ErrorCode, reason: str, **context: object) -> ProtocolError:
    return ProtocolError(code, reason=reason, **context)


class MetaMorpho(ShareToken):
    """A MetaMorpho v1.1 vault over `asset` on `morpho`."""

    def __init__(
        self,
        owner: Address,
        morpho: Morpho,
        initial_timelock: int,
        asset: Erc20,
        *,
        address: Address,
        name: str = "MetaMorpho Vault",
        symbol: str = "MMV",
    ) -> None:
        super().__init__(morpho.atomic)
        if initial_timelock > MAX_TIMELOCK:
            raise _err(
                ErrorCode.METAMORPHO_ABOVE_MAX_TIMELOCK,
                "AboveMaxTimelock",
                timelock=initial_timelock,
                max_timelock=MAX_TIMELOCK,
            )
        self.morpho, self.asset, self.address = morpho, asset, address
        self.name, self.symbol = name, symbol
        self.decimals_offset = max(0, 18 - asset.decimals)
        self._roles: dict[str, Address] = {
            "owner": owner,
            "curator": ZERO_ADDRESS,
            "fee_recipient": ZERO_ADDRESS,
        }
        self._n: dict[str, int] = {"fee": 0, "timelock": initial_timelock, "last": 0, "lost": 0}
        self._allocators: dict[Address, bool] = {}
        self._config: dict[MarketId, MarketConfig] = {}
        self._pending_cap: dict[MarketId, PendingCap] = {}
        self._queues: dict[str, tuple[MarketId, ...]] = {"supply": (), "withdraw": ()}
        asset.approve(morpho.address, UINT256_MAX, sender=address)

    # --- storage views ---

    @property
    def decimals(self) -> int:
        """Share decimals: the asset's plus the offset."""
        return self.asset.decimals + self.decimals_offset

    @property
    def owner(self) -> Address:
        """The owner."""
        return self._roles["owner"]

    @property
    def curator(self) -> Address:
        """The curator (sets caps)."""
        return self._roles["curator"]

    @property
    def fee_recipient(self) -> Address:
        """Who receives the fee shares."""
        return self._roles["fee_recipient"]

    @property
    def fee(self) -> int:
        """The performance fee (WAD)."""
        return self._n["fee"]

    @property
    def timelock(self) -> int:
        """Seconds a cap increase waits."""
        return self._n["timelock"]

    @property
    def last_total_assets(self) -> int:
        """Total assets at the last accrual."""
        return self._n["last"]

    @property
    def lost_assets(self) -> int:
        """Assets lost on markets (bad debt), kept in total assets."""
        return self._n["lost"]

    @property
    def supply_queue(self) -> tuple[MarketId, ...]:
        """Markets deposits go to, in order."""
        return self._queues["supply"]

    @property
    def withdraw_queue(self) -> tuple[MarketId, ...]:
        """Markets withdrawals come from, in order (every enabled market)."""
        return self._queues["withdraw"]

    def is_allocator(self, account: Address) -> bool:
        """Whether `account` was made an allocator."""
        return self._allocators.get(account, False)

    def config(self, id_: MarketId) -> MarketConfig:
        """The market's cap and status."""
        return self._config.get(id_, _NO_CONFIG)

    def pending_cap(self, id_: MarketId) -> PendingCap:
        """The cap increase waiting for the timelock."""
        return self._pending_cap.get(id_, _NO_PENDING)

    # --- roles ---

    def _only_owner(self, sender: Address) -> None:
        if sender != self._roles["owner"]:
            raise ProtocolError(
                ErrorCode.MISSING_ROLE,
                account=sender,
                role="owner",
                reason="OwnableUnauthorizedAccount",
            )

    def _only_curator(self, sender: Address) -> None:
        if sender not in (self._roles["curator"], self._roles["owner"]):
            raise _err(ErrorCode.METAMORPHO_NOT_CURATOR_ROLE, "NotCuratorRole", sender=sender)

    def _only_allocator(self, sender: Address) -> None:
        if not self.is_allocator(sender) and sender not in (
            self._roles["curator"],
            self._roles["owner"],
        ):
            raise _err(ErrorCode.METAMORPHO_NOT_ALLOCATOR_ROLE, "NotAllocatorRole", sender=sender)

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

    # --- ERC-4626 views ---

    def total_assets(self) -> int:
        """Expected supply on every enabled market plus the lost assets."""
        return self._accrued_fee_and_assets()[1]

    def _totals(self) -> tuple[int, int]:
        fee_shares, new_total_assets, _ = self._accrued_fee_and_assets()
        return self.total_supply + fee_shares, new_total_assets

    def _to_shares(self, assets: int, supply: int, total: int, rounding: Rounding) -> int:
        return mul_div(
            check_uint256(assets, field="assets"),
            supply + 10**self.decimals_offset,
            total + 1,
            rounding=rounding,
        )

    def _to_assets(self, shares: int, supply: int, total: int, rounding: Rounding) -> int:
        return mul_div(
            check_uint256(shares, field="shares"),
            total + 1,
            supply + 10**self.decimals_offset,
            rounding=rounding,
        )

    def convert_to_shares(self, assets: int) -> int:
        """Shares for `assets`, fee accrued (down)."""
        return self._to_shares(assets, *self._totals(), _FLOOR)

    def convert_to_assets(self, shares: int) -> int:
        """Assets for `shares`, fee accrued (down)."""
        return self._to_assets(shares, *self._totals(), _FLOOR)

    def preview_deposit(self, assets: int) -> int:
        """Shares `deposit(assets)` mints (down)."""
        return self._to_shares(assets, *self._totals(), _FLOOR)

    def preview_mint(self, shares: int) -> int:
        """Assets `mint(shares)` takes (up)."""
        return self._to_assets(shares, *self._totals(), _CEIL)

    def preview_withdraw(self, assets: int) -> int:
        """Shares `withdraw(assets)` burns (up)."""
        return self._to_shares(assets, *self._totals(), _CEIL)

    def preview_redeem(self, shares: int) -> int:
        """Assets `redeem(shares)` pays (down)."""
        return self._to_assets(shares, *self._totals(), _FLOOR)

    def max_deposit(self, receiver: Address) -> int:
        """Room left under the caps of the supply queue (duplicates counted twice)."""
        room = 0
        for id_ in self._queues["supply"]:
            cap = self.config(id_).cap
            if cap == 0:
                continue
            mp = self.morpho.id_to_market_params(id_)
            m = self.morpho.expected_market_balances(mp)
            shares = self.morpho.position(id_, self.address).supply_shares
            held = to_assets_up(shares, m.total_supply_assets, m.total_supply_shares)
            room += zero_floor_sub(cap, held)
        return room

    def max_mint(self, receiver: Address) -> int:
        """max_deposit in shares (down)."""
        return self.convert_to_shares(self.max_deposit(receiver))

    def max_withdraw(self, owner: Address) -> int:
        """What `owner` can withdraw now: their assets, capped by the markets' liquidity."""
        return self._max_withdraw(owner)[0]

    def max_redeem(self, owner: Address) -> int:
        """max_withdraw in shares (down)."""
        assets, supply, total = self._max_withdraw(owner)
        return self._to_shares(assets, supply, total, _FLOOR)

    def _max_withdraw(self, owner: Address) -> tuple[int, int, int]:
        supply, total = self._totals()
        assets = self._to_assets(self.balance_of(owner), supply, total, _FLOOR)
        remaining = assets
        for id_ in self._queues["withdraw"]:
            mp = self.morpho.id_to_market_params(id_)
            m = self.morpho.expected_market_balances(mp)
            shares = self.morpho.position(id_, self.address).supply_shares
            held = to_assets_down(shares, m.total_supply_assets, m.total_supply_shares)
            remaining = zero_floor_sub(
                remaining,
                self._withdrawable(mp, m.total_supply_assets, m.total_borrow_assets, held),
            )
            if remaining == 0:
                break
        return assets - remaining, supply, total

    # --- ERC-4626 actions ---

    def deposit(self, assets: int, receiver: Address, *, sender: Address) -> int:
        """Take `assets` from `sender`, mint shares (down) to `receiver`, supply the assets."""
        return transact(self.atomic, self._deposit_assets, assets, receiver, sender)

    def _deposit_assets(self, assets: int, receiver: Address, sender: Address) -> int:
        self._accrue_interest()
        shares = self._to_shares(assets, self.total_supply, self._n["last"], _FLOOR)
        self._deposit(sender, receiver, assets, shares)
        return shares

    def mint(self, shares: int, receiver: Address, *, sender: Address) -> int:
        """Mint `shares` to `receiver` for assets (up) taken from `sender`."""
        return transact(self.atomic, self._mint_shares, shares, receiver, sender)

    def _mint_shares(self, shares: int, receiver: Address, sender: Address) -> int:
        self._accrue_interest()
        assets = self._to_assets(shares, self.total_supply, self._n["last"], _CEIL)
        self._deposit(sender, receiver, assets, shares)
        return assets

    def withdraw(self, assets: int, receiver: Address, owner: Address, *, sender: Address) -> int:
        """Pay `assets` to `receiver`, burning `owner`'s shares (up)."""
        return transact(self.atomic, self._withdraw_assets, assets, receiver, owner, sender)

    def _withdraw_assets(
        self, assets: int, receiver: Address, owner: Address, sender: Address
    ) -> int:
        self._accrue_interest()
        shares = self._to_shares(assets, self.total_supply, self._n["last"], _CEIL)
        self._withdraw(sender, receiver, owner, assets, shares)
        return shares

    def redeem(self, shares: int, receiver: Address, owner: Address, *, sender: Address) -> int:
        """Burn `owner`'s `shares`, paying assets (down) to `receiver`."""
        return transact(self.atomic, self._redeem_shares, shares, receiver, owner, sender)

    def _redeem_shares(
        self, shares: int, receiver: Address, owner: Address, sender: Address
    ) -> int:
        self._accrue_interest()
        assets = self._to_assets(shares, self.total_supply, self._n["last"], _FLOOR)
        self._withdraw(sender, receiver, owner, assets, shares)
        return assets

    def _deposit(self, caller: Address, receiver: Address, assets: int, shares: int) -> None:
        self.asset.transfer_from(caller, self.address, assets, sender=self.address)
        self._mint(receiver, shares)
        self._supply_morpho(assets)
        # May end a little above total_assets(): a small lost-assets accrual follows.
        self.atomic.set_item(self._n, "last", self._n["last"] + assets)

    def _withdraw(
        self, caller: Address, receiver: Address, owner: Address, assets: int, shares: int
    ) -> None:
        self.atomic.set_item(self._n, "last", zero_floor_sub(self._n["last"], assets))
        self._withdraw_morpho(assets)
        if caller != owner:
            self._spend_allowance(owner, caller, shares)
        self._burn(owner, shares)
        self.asset.transfer(receiver, assets, sender=self.address)

    # --- liquidity allocation ---

    def _accrued_supply_balance(self, mp: MarketParams, id_: MarketId) -> tuple[int, int]:
        self.morpho.accrue_interest(mp, sender=self.address)
        m = self.morpho.market(id_)
        shares = self.morpho.position(id_, self.address).supply_shares
        return to_assets_down(shares, m.total_supply_assets, m.total_supply_shares), shares

    def _supply_morpho(self, assets: int) -> None:
        morpho, me = self.morpho, self.address
        for id_ in self._queues["supply"]:
            cap = self.config(id_).cap
            if cap == 0:
                continue
            mp = morpho.id_to_market_params(id_)
            morpho.accrue_interest(mp, sender=me)
            m = morpho.market(id_)
            held = to_assets_up(
                morpho.position(id_, me).supply_shares, m.total_supply_assets, m.total_supply_shares
            )
            to_supply = min(zero_floor_sub(cap, held), assets)
            if to_supply > 0:
                try:
                    morpho.supply(mp, to_supply, 0, me, sender=me)
                    assets -= to_supply
                except ProtocolError:
                    pass  # try/catch: a reverting market is skipped
            if assets == 0:
                return
        raise _err(ErrorCode.METAMORPHO_ALL_CAPS_REACHED, "AllCapsReached", remaining=assets)

    def _withdraw_morpho(self, assets: int) -> None:
        morpho, me = self.morpho, self.address
        for id_ in self._queues["withdraw"]:
            mp = morpho.id_to_market_params(id_)
            held, _ = self._accrued_supply_balance(mp, id_)
            m = morpho.market(id_)
            to_withdraw = min(
                self._withdrawable(mp, m.total_supply_assets, m.total_borrow_assets, held), assets
            )
            if to_withdraw > 0:
                try:
                    morpho.withdraw(mp, to_withdraw, 0, me, me, sender=me)
                    assets -= to_withdraw
                except ProtocolError:
                    pass  # try/catch: a reverting market is skipped
            if assets == 0:
                return
        if assets != 0:
            raise _err(
                ErrorCode.METAMORPHO_NOT_ENOUGH_LIQUIDITY, "NotEnoughLiquidity", missing=assets
            )

    def _withdrawable(
        self, mp: MarketParams, total_supply: int, total_borrow: int, held: int
    ) -> int:
        loan = self.morpho.tokens.get(mp.loan_token)
        liquidity = min(total_supply - total_borrow, loan.balance_of(self.morpho.address))
        return min(held, liquidity)

    # --- fee ---

    def _accrue_interest(self) -> None:
        fee_shares, new_total, new_lost = self._accrued_fee_and_assets()
        self.atomic.set_item(self._n, "last", new_total)
        self.atomic.set_item(self._n, "lost", new_lost)
        if fee_shares != 0:
            self._mint(self._roles["fee_recipient"], fee_shares)

    def _accrued_fee_and_assets(self) -> tuple[int, int, int]:
        real = sum(
            self.morpho.expected_supply_assets(self.morpho.id_to_market_params(id_), self.address)
            for id_ in self._queues["withdraw"]
        )
        last, lost = self._n["last"], self._n["lost"]
        new_lost = last - real if real < last - lost else lost
        new_total = real + new_lost
        interest = new_total - last
        fee_shares = 0
        if interest != 0 and self._n["fee"] != 0:
            fee_assets = mul_div(interest, self._n["fee"], WAD, rounding=_FLOOR)
            fee_shares = self._to_shares(
                fee_assets, self.total_supply, new_total - fee_assets, _FLOOR
            )
        return fee_shares, new_total, new_lost

    # --- planner helpers (not in the contract) ---

    def _supply_rate_per_s_wad(self) -> int:
        total = self.total_assets()
        if total == 0:
            return 0
        earned = 0
        for id_ in self._queues["withdraw"]:
            mp = self.morpho.id_to_market_params(id_)
            held = self.morpho.expected_supply_assets(mp, self.address)
            earned += held * self.morpho.supply_rate_view(mp)
        gross = earned // total
        return gross * (WAD - self._n["fee"]) // WAD

    def supply_rate_ray(self) -> int:
        """The vault's current yield net of its fee: a yearly (365 days) rate in ray."""
        return self._supply_rate_per_s_wad() * _YEAR * (RAY // WAD)

    def supply_apy(self) -> int:
        """The same per-second rate compounded every second for a year, in ray."""
        per_s_ray = self._supply_rate_per_s_wad() * (RAY // WAD)
        return rpow(RAY + per_s_ray, _YEAR, RAY) - RAY

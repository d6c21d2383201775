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

The class is layered: `vault_shares` (the share token), `vault_core` (storage, role checks,
conversions, fee accrual), `vault_governance` (owner, curator and allocator functions, caps and
their timelock, queues, `reallocate`) and here the ERC-4626 surface, the supply and withdraw
queues' walk, and the planner helpers.
"""

from __future__ import annotations

from typing import Final

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import RAY, Rounding
from sparkprime.core.ids import Address
from sparkprime.core.rpow import rpow
from sparkprime.protocols.morpho.market_math import (
    WAD,
    MarketParams,
    to_assets_down,
    to_assets_up,
    zero_floor_sub,
)
from sparkprime.protocols.morpho.vault_core import (
    MAX_FEE,
    MAX_QUEUE_LENGTH,
    MAX_TIMELOCK,
    MarketConfig,
    PendingCap,
)
from sparkprime.protocols.morpho.vault_governance import MarketAllocation, MetaMorphoGovernance
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

_YEAR: Final = 365 * 86_400
_FLOOR: Final = Rounding.FLOOR
_CEIL: Final = Rounding.CEIL


def _err(code: ErrorCode, reason: str, **context: object) -> ProtocolError:
    return ProtocolError(code, reason=reason, **context)


class MetaMorpho(MetaMorphoGovernance):
    """A MetaMorpho v1.1 vault over `asset` on `morpho`."""

    # --- ERC-4626 views ---

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

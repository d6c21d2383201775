"""MetaMorpho v1.1's state and the steps its calls share: roles, conversions, fee accrual.

`MetaMorphoCore` extends the share token (`vault_shares`) with the vault's storage (owner,
curator, fee recipient, allocators, fee, timelock, last total assets, lost assets, market
configs, pending caps, both queues), the role checks, OZ's share conversions with the virtual
offset (shares = assets * (supply + 10**DECIMALS_OFFSET) / (totalAssets + 1)) and the v1.1 fee
accrual (`_accrued_fee_and_assets`: lost assets remembered, fee shares priced at totalAssets -
feeAssets). Source: see `vault`. The role-gated functions are in `vault_governance`, the
ERC-4626 surface in `vault`.

Example:
    >>> from sparkprime.core.clock import Clock
    >>> from sparkprime.protocols.erc20 import Erc20, TokenRegistry
    >>> from sparkprime.protocols.morpho.market import Morpho
    >>> from sparkprime.protocols.sparklend.addresses import make_addr
    >>> reg = TokenRegistry()
    >>> usdc = reg.register(Erc20(make_addr("usdc"), "USDC", 6))
    >>> morpho = Morpho(make_addr("o"), tokens=reg, clock=Clock(0))
    >>> core = MetaMorphoCore(make_addr("o"), morpho, 0, usdc, address=make_addr("v"))
    >>> core.decimals, core.total_assets()
    (18, 0)
"""

from __future__ import annotations

import dataclasses
from typing import Final

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.fixed import Rounding, mul_div
from sparkprime.core.ids import Address
from sparkprime.core.uint import UINT256_MAX, check_uint256
from sparkprime.protocols.erc20 import Erc20
from sparkprime.protocols.morpho.market import Morpho
from sparkprime.protocols.morpho.market_math import WAD, MarketId, MarketParams, to_assets_down
from sparkprime.protocols.morpho.vault_shares import ShareToken
from sparkprime.protocols.sparklend.addresses import ZERO_ADDRESS

__all__ = [
    "MAX_FEE",
    "MAX_QUEUE_LENGTH",
    "MAX_TIMELOCK",
    "MarketConfig",
    "MetaMorphoCore",
    "PendingCap",
]

MAX_TIMELOCK: Final = 14 * 86_400
MAX_QUEUE_LENGTH: Final = 30
MAX_FEE: Final = 5 * 10**17  # 50%
_FLOOR: Final = Rounding.FLOOR


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


_NO_CONFIG: Final = MarketConfig()
_NO_PENDING: Final = PendingCap()


def _err(code: ErrorCode, reason: str, **context: object) -> ProtocolError:
    return ProtocolError(code, reason=reason, **context)


class MetaMorphoCore(ShareToken):
    """MetaMorpho's storage, role checks, share conversions and fee accrual."""

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

    # --- total assets and share conversions ---

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

    def _accrued_supply_balance(self, mp: MarketParams, id_: MarketId) -> tuple[int, int]:
        # The vault's supply on one market, accrued on Morpho first: (assets down, shares).
        self.morpho.accrue_interest(mp, sender=self.address)
        m = self.morpho.market(id_)
        shares = self.morpho.position(id_, self.address).supply_shares
        return to_assets_down(shares, m.total_supply_assets, m.total_supply_shares), shares

    # --- fee accrual ---

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

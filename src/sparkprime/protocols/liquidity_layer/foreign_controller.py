"""Spark Liquidity Layer `ForeignController` (sparkdotfi/spark-alm-controller
`src/ForeignController.sol`, the v1.x version that shares `ERC4626Lib`, `AaveLib`,
`CCTPLib` and `TransferAssetLib` with the MainnetController of `mainnet_controller`).

The L2 controller: roles, `setMaxSlippage` ("FC/pool-zero-address"), `setMintRecipient`,
`setMaxExchangeRate`, `removeRelayer`, and the relayer actions

- `deposit_psm(asset, amount)`: decrease key(LIMIT_PSM_DEPOSIT, asset) by `amount`,
  approve, `psm.deposit(asset, proxy, amount)`; return the PSM3 shares;
- `withdraw_psm(asset, max_amount)`: `psm.withdraw(asset, proxy, max_amount)`, then decrease
  key(LIMIT_PSM_WITHDRAW, asset) by what came out ("rate limited at end of function").
  Neither refills the other: PSM3 has no cancellation;
- `deposit_erc4626` / `withdraw_erc4626` / `redeem_erc4626`, `deposit_aave` /
  `withdraw_aave`, `transfer_usdc_to_cctp`, `transfer_asset`: as on mainnet, with the
  libraries' "MC/..." revert strings (the ForeignController links the same libraries).

Not modelled: LayerZero, SparkVault `take`.
"""

from __future__ import annotations

from typing import Final

from sparkprime.core.errors import ErrorCode
from sparkprime.core.ids import Address
from sparkprime.core.uint import check_uint256
from sparkprime.protocols.liquidity_layer.alm_proxy import ALMProxy
from sparkprime.protocols.liquidity_layer.controller_base import (
    FREEZER,
    RELAYER,
    ControllerBase,
)
from sparkprime.protocols.liquidity_layer.controller_venues import CctpLike, Contracts, Psm3Like
from sparkprime.protocols.liquidity_layer.rate_limit_helpers import make_asset_key, make_limit_id
from sparkprime.protocols.liquidity_layer.rate_limits import RateLimits
from sparkprime.protocols.sparklend.events import EventLog

__all__ = [
    "FREEZER",
    "LIMIT_PSM_DEPOSIT",
    "LIMIT_PSM_WITHDRAW",
    "RELAYER",
    "ForeignController",
]

LIMIT_PSM_DEPOSIT: Final = make_limit_id("LIMIT_PSM_DEPOSIT")
LIMIT_PSM_WITHDRAW: Final = make_limit_id("LIMIT_PSM_WITHDRAW")


class ForeignController(ControllerBase):
    """An L2 ALM controller: PSM3, ERC-4626, Aave, CCTP."""

    _POOL_ZERO_CODE = ErrorCode.FC_POOL_ZERO_ADDRESS
    _POOL_ZERO_REASON = "FC/pool-zero-address"

    def __init__(
        self,
        admin: Address,
        *,
        address: Address,
        proxy: ALMProxy,
        rate_limits: RateLimits,
        contracts: Contracts,
        psm: Psm3Like,
        usdc: Address,
        cctp: CctpLike,
        events: EventLog | None = None,
    ) -> None:
        super().__init__(
            admin,
            address=address,
            proxy=proxy,
            rate_limits=rate_limits,
            contracts=contracts,
            cctp=cctp,
            usdc=usdc,
            events=events,
        )
        self.psm = psm

    def deposit_psm(self, asset: Address, amount: int, *, sender: Address) -> int:
        """`depositPSM`: deposit the proxy's `amount` of `asset` in PSM3; return shares."""
        amount = check_uint256(amount, field="amount")
        return int(self._relayer_action(sender, self._deposit_psm, asset, amount))

    def _deposit_psm(self, asset: Address, amount: int) -> int:
        self._decrease(make_asset_key(LIMIT_PSM_DEPOSIT, asset), amount)
        self._approve(asset, self.psm.address, amount)
        return int(self._call(self.psm.deposit, asset, self.proxy.address, amount))

    def withdraw_psm(self, asset: Address, max_amount: int, *, sender: Address) -> int:
        """`withdrawPSM`: withdraw up to `max_amount` of `asset` from PSM3; return the
        amount withdrawn (which the withdraw limit is charged)."""
        max_amount = check_uint256(max_amount, field="max_amount")
        return int(self._relayer_action(sender, self._withdraw_psm, asset, max_amount))

    def _withdraw_psm(self, asset: Address, max_amount: int) -> int:
        withdrawn = int(self._call(self.psm.withdraw, asset, self.proxy.address, max_amount))
        self._decrease(make_asset_key(LIMIT_PSM_WITHDRAW, asset), withdrawn)
        return withdrawn

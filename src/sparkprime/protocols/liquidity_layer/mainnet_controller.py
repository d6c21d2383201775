"""Spark Liquidity Layer `MainnetController` (sparkdotfi/spark-alm-controller).

Source, one consistent v1.x version as stored in the repository index:
`src/MainnetController.sol` (the version with `WEETHLib` / `WSTETHLib`, `maxExchangeRates`,
`depositERC4626(token, amount, minSharesOut)`, CCTP v1 `transferUSDCToCCTP(usdcAmount,
destinationDomain)` and "MC/..." reverts), its libraries `src/libraries/USDSLib.sol`
(220dbcfd), `PSMLib.sol` (050e6bd2), `ERC4626Lib.sol` (1dda9c62), `AaveLib.sol` (58a07352),
`CCTPLib.sol` (0083ce0b), and its tests `test/mainnet-fork/4626Calls.t.sol`,
`test/unit/controllers/Admin.t.sol`. Roles, admin setters, ERC-4626, Aave, CCTP and
`transferAsset` are in `controller_base`; this module adds the mainnet-only actions:

- `mint_usds(usds_amount)`: decrease LIMIT_USDS_MINT, `vault.draw` (USDS into the allocator
  buffer), `usds.transferFrom(buffer, proxy)`.
- `burn_usds(usds_amount)`: increase LIMIT_USDS_MINT, `usds.transfer(buffer)`, `vault.wipe`.
- `swap_usds_to_usdc(usdc_amount)`: decrease LIMIT_USDS_TO_USDC by `usdc_amount` (1e6
  units); usds = usdc_amount * psmTo18ConversionFactor; USDS -> DAI 1:1 (DaiUsds), then the
  lite PSM's `buyGemNoFee(proxy, usdc_amount)`.
- `swap_usdc_to_usds(usdc_amount)`: increase LIMIT_USDS_TO_USDC; sell USDC to the PSM with
  `sellGemNoFee`; when the PSM holds less DAI than the swap needs, `fill()` and swap what it
  holds, in a loop, until done (a PSM that cannot be filled reverts
  "DssLitePsm/nothing-to-fill" and so the whole swap); then DAI -> USDS 1:1.

Not modelled: Curve, Uniswap v4, Ethena, Maple, Superstate, farms, OTC, wstETH/weETH,
LayerZero, SparkVault `take`, DaiUsds-only swaps. Keys are the SHA-256 stand-ins of
`rate_limit_helpers` (not byte-equal to keccak256).

Example: see `deployment.build_mainnet_sll`.
"""

from __future__ import annotations

from typing import Final

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.core.uint import check_uint256
from sparkprime.protocols.liquidity_layer.alm_proxy import ALMProxy
from sparkprime.protocols.liquidity_layer.controller_base import (
    FREEZER,
    RELAYER,
    ControllerBase,
)
from sparkprime.protocols.liquidity_layer.controller_venues import (
    AllocatorVaultLike,
    CctpLike,
    Contracts,
    DaiUsdsLike,
    LitePsmLike,
    address_of,
)
from sparkprime.protocols.liquidity_layer.rate_limit_helpers import make_limit_id
from sparkprime.protocols.liquidity_layer.rate_limits import RateLimits
from sparkprime.protocols.sparklend.events import EventLog

__all__ = [
    "FREEZER",
    "LIMIT_USDS_MINT",
    "LIMIT_USDS_TO_USDC",
    "MAX_FILL_ROUNDS",
    "RELAYER",
    "MainnetController",
]

LIMIT_USDS_MINT: Final = make_limit_id("LIMIT_USDS_MINT")
LIMIT_USDS_TO_USDC: Final = make_limit_id("LIMIT_USDS_TO_USDC")
# The EVM's gas limit bounds the fill() loop; here a step limit does.
MAX_FILL_ROUNDS: Final = 1_000


class MainnetController(ControllerBase):
    """The Ethereum ALM controller: USDS mint/burn, PSM swaps, and the shared actions."""

    def __init__(
        self,
        admin: Address,
        *,
        address: Address,
        proxy: ALMProxy,
        rate_limits: RateLimits,
        contracts: Contracts,
        vault: AllocatorVaultLike,
        psm: LitePsmLike,
        dai_usds: DaiUsdsLike,
        cctp: CctpLike,
        usds: Address,
        events: EventLog | None = None,
    ) -> None:
        super().__init__(
            admin,
            address=address,
            proxy=proxy,
            rate_limits=rate_limits,
            contracts=contracts,
            cctp=cctp,
            usdc=address_of(psm.gem),  # usdc = psm.gem()
            events=events,
        )
        self.vault = vault
        self.buffer = address_of(vault.buffer)  # buffer = vault.buffer()
        self.psm = psm
        self.dai_usds = dai_usds
        self.dai = address_of(dai_usds.dai)  # dai = daiUsds.dai()
        self.usds = usds

    def psm_to18_conversion_factor(self) -> int:
        """`psmTo18ConversionFactor()`: 1e12 for USDC."""
        return int(self.psm.to18_conversion_factor)

    # --- USDS mint / burn (USDSLib) ---

    def mint_usds(self, usds_amount: int, *, sender: Address) -> None:
        """`mintUSDS`: draw USDS from the allocator vault into the proxy."""
        usds_amount = check_uint256(usds_amount, field="usds_amount")
        self._relayer_action(sender, self._mint_usds, usds_amount)

    def _mint_usds(self, usds_amount: int) -> None:
        self._decrease(LIMIT_USDS_MINT, usds_amount)
        self._call(self.vault.draw, usds_amount)
        usds = self.contracts.token(self.usds)
        self._call(usds.transfer_from, self.buffer, self.proxy.address, usds_amount)

    def burn_usds(self, usds_amount: int, *, sender: Address) -> None:
        """`burnUSDS`: return the proxy's USDS to the buffer and wipe the vault's debt."""
        usds_amount = check_uint256(usds_amount, field="usds_amount")
        self._relayer_action(sender, self._burn_usds, usds_amount)

    def _burn_usds(self, usds_amount: int) -> None:
        self._increase(LIMIT_USDS_MINT, usds_amount)
        self._call(self.contracts.token(self.usds).transfer, self.buffer, usds_amount)
        self._call(self.vault.wipe, usds_amount)

    # --- PSM (PSMLib) ---

    def swap_usds_to_usdc(self, usdc_amount: int, *, sender: Address) -> None:
        """`swapUSDSToUSDC`: `usdc_amount` (1e6) of USDC for usdc_amount * 1e12 USDS."""
        usdc_amount = check_uint256(usdc_amount, field="usdc_amount")
        self._relayer_action(sender, self._swap_usds_to_usdc, usdc_amount)

    def _swap_usds_to_usdc(self, usdc_amount: int) -> None:
        self._decrease(LIMIT_USDS_TO_USDC, usdc_amount)
        usds_amount = self._to18(usdc_amount)
        proxy = self.proxy.address
        self._approve(self.usds, self.dai_usds.address, usds_amount)
        self._call(self.dai_usds.usds_to_dai, proxy, usds_amount)
        self._approve(self.dai, self.psm.address, usds_amount)
        self._call(self.psm.buy_gem_no_fee, proxy, usdc_amount)

    def swap_usdc_to_usds(self, usdc_amount: int, *, sender: Address) -> None:
        """`swapUSDCToUSDS`: `usdc_amount` (1e6) of USDC for usdc_amount * 1e12 USDS,
        filling the PSM with DAI as often as needed."""
        usdc_amount = check_uint256(usdc_amount, field="usdc_amount")
        self._relayer_action(sender, self._swap_usdc_to_usds, usdc_amount)

    def _swap_usdc_to_usds(self, usdc_amount: int) -> None:
        self._increase(LIMIT_USDS_TO_USDC, usdc_amount)
        self._approve(self.usdc, self.psm.address, usdc_amount)
        factor = self.psm_to18_conversion_factor()
        dai = self.contracts.token(self.dai)
        limit = dai.balance_of(self.psm.address) // factor
        if usdc_amount <= limit:
            self._sell_usdc(usdc_amount)
        else:
            remaining, rounds = usdc_amount, 0
            while remaining > 0:
                rounds += 1
                if rounds > MAX_FILL_ROUNDS:
                    raise ProtocolError(
                        ErrorCode.LIMIT_EXCEEDED,
                        what="PSM fill rounds (the EVM's gas limit)",
                        value=rounds,
                        limit=MAX_FILL_ROUNDS,
                    )
                self.psm.fill()  # permissionless; reverts when there is nothing to fill
                limit = dai.balance_of(self.psm.address) // factor
                swap_amount = min(remaining, limit)
                self._sell_usdc(swap_amount)
                remaining -= swap_amount
        dai_amount = self._to18(usdc_amount)
        self._approve(self.dai, self.dai_usds.address, dai_amount)
        self._call(self.dai_usds.dai_to_usds, self.proxy.address, dai_amount)

    def _sell_usdc(self, usdc_amount: int) -> None:
        self._call(self.psm.sell_gem_no_fee, self.proxy.address, usdc_amount)

    def _to18(self, usdc_amount: int) -> int:
        amount = usdc_amount * self.psm_to18_conversion_factor()
        return check_uint256(amount, field="usdc_amount * psmTo18ConversionFactor")

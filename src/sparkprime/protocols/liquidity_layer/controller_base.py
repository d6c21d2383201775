"""What the Mainnet and Foreign ALM controllers share: roles, admin setters and the library
actions (ERC4626Lib, AaveLib, CCTPLib, transferAsset) of spark-alm-controller.

Source: sparkdotfi/spark-alm-controller, the v1.x line whose `MainnetController.sol` and
`ForeignController.sol` call `src/libraries/{ERC4626Lib,AaveLib,CCTPLib,PSMLib,USDSLib}.sol`
with "MC/..." revert strings, per-token ERC-4626 keys, `minSharesOut` / `maxSharesIn` /
`minAssetsOut` and `maxExchangeRates` (read from the repository index; see
`mainnet_controller` for the files and commits). Each action runs the library's steps in its
order, so the first failing check is the contract's:

- `deposit_erc4626(token, amount, min_shares_out)`: decrease key(LIMIT_4626_DEPOSIT, token)
  by `amount`, approve, `deposit(amount, proxy)`, then "MC/min-shares-out-not-met", then
  "MC/exchange-rate-too-high" (rate = 1e36 * amount // shares; 0 when amount is 0;
  "MC/zero-shares" when shares is 0 and amount is not).
- `withdraw_erc4626(token, amount, max_shares_in)`: decrease the withdraw key by `amount`,
  `withdraw`, "MC/max-shares-in-not-met", increase the deposit key by `amount`.
- `redeem_erc4626(token, shares, min_assets_out)`: `redeem`, "MC/min-assets-out-not-met",
  decrease the withdraw key and increase the deposit key by the assets out.
- `deposit_aave(a_token, amount)`: decrease key(LIMIT_AAVE_DEPOSIT, aToken), require
  `maxSlippages[aToken] != 0` ("MC/max-slippage-not-set"), approve, `supply`, require
  new aTokens >= amount * maxSlippage // 1e18 ("MC/slippage-too-high").
- `withdraw_aave(a_token, amount)`: `withdraw` (uint256.max = all), then decrease the
  withdraw key and increase the deposit key by the amount withdrawn.
- `transfer_usdc_to_cctp(usdc_amount, destination_domain)`: decrease LIMIT_USDC_TO_CCTP and
  key(LIMIT_USDC_TO_DOMAIN, domain) by the amount, require a mint recipient
  ("MC/domain-not-configured"), approve, then `depositForBurn` in chunks of
  `burnLimitsPerMessage(usdc)`, one `CCTPTransferInitiated` event per chunk.
- `transfer_asset(asset, destination, amount)`: decrease
  key(LIMIT_ASSET_TRANSFER, asset, destination), then `transfer`.

Every action is one action of the chain's `Atomic`: a check that fails after the rate limit
was spent or tokens moved leaves nothing changed (the EVM revert). Roles are
`DEFAULT_ADMIN_ROLE`, `RELAYER` and `FREEZER`; `remove_relayer` is the freezer's only call.
"""

from __future__ import annotations

from typing import Any, Final

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.core.uint import UINT256_MAX, check_uint, check_uint256
from sparkprime.protocols.atomic import Atomic
from sparkprime.protocols.liquidity_layer.alm_proxy import ALMProxy
from sparkprime.protocols.liquidity_layer.controller_venues import (
    CctpLike,
    Contracts,
    address_of,
)
from sparkprime.protocols.liquidity_layer.rate_limit_helpers import (
    make_asset_destination_key,
    make_asset_key,
    make_domain_key,
    make_limit_id,
)
from sparkprime.protocols.liquidity_layer.rate_limits import RateLimitKey, RateLimits
from sparkprime.protocols.sparklend.access_control import (
    DEFAULT_ADMIN_ROLE,
    AccessControlEnumerable,
    is_zero_address,
)
from sparkprime.protocols.sparklend.events import EventLog
from sparkprime.protocols.sparklend.transaction import transact

__all__ = [
    "EXCHANGE_RATE_PRECISION",
    "FREEZER",
    "LIMIT_4626_DEPOSIT",
    "LIMIT_4626_WITHDRAW",
    "LIMIT_AAVE_DEPOSIT",
    "LIMIT_AAVE_WITHDRAW",
    "LIMIT_ASSET_TRANSFER",
    "LIMIT_USDC_TO_CCTP",
    "LIMIT_USDC_TO_DOMAIN",
    "MAX_CCTP_MESSAGES",
    "RELAYER",
    "WAD",
    "ControllerBase",
    "get_exchange_rate",
]

FREEZER: Final = "FREEZER"
RELAYER: Final = "RELAYER"

LIMIT_4626_DEPOSIT: Final = make_limit_id("LIMIT_4626_DEPOSIT")
LIMIT_4626_WITHDRAW: Final = make_limit_id("LIMIT_4626_WITHDRAW")
LIMIT_AAVE_DEPOSIT: Final = make_limit_id("LIMIT_AAVE_DEPOSIT")
LIMIT_AAVE_WITHDRAW: Final = make_limit_id("LIMIT_AAVE_WITHDRAW")
LIMIT_ASSET_TRANSFER: Final = make_limit_id("LIMIT_ASSET_TRANSFER")
LIMIT_USDC_TO_CCTP: Final = make_limit_id("LIMIT_USDC_TO_CCTP")
LIMIT_USDC_TO_DOMAIN: Final = make_limit_id("LIMIT_USDC_TO_DOMAIN")

EXCHANGE_RATE_PRECISION: Final = 10**36
WAD: Final = 10**18
# The EVM's block gas limit bounds the CCTP split loop; here a step limit does.
MAX_CCTP_MESSAGES: Final = 10_000


def _mul(a: int, b: int, op: str) -> int:
    product = a * b
    if product > UINT256_MAX:
        raise ProtocolError(ErrorCode.MATH_OVERFLOW, op=op, a=a, b=b, reason="Panic(0x11)")
    return product


def get_exchange_rate(shares: int, assets: int) -> int:
    """`ERC4626Lib.getExchangeRate`: 1e36 * assets // shares; 0 for zero assets.

    >>> get_exchange_rate(10**18, 10**18)
    1000000000000000000000000000000000000
    """
    if assets == 0:
        return 0
    if shares == 0:
        raise ProtocolError(ErrorCode.MC_ZERO_SHARES, assets=assets, reason="MC/zero-shares")
    return _mul(EXCHANGE_RATE_PRECISION, assets, "EXCHANGE_RATE_PRECISION * assets") // shares


def _is_zero(value: str) -> bool:
    return int(value, 16) == 0


class ControllerBase(AccessControlEnumerable):
    """Roles, admin state and the shared library actions of both ALM controllers."""

    _POOL_ZERO_CODE: ErrorCode = ErrorCode.MC_POOL_ZERO_ADDRESS
    _POOL_ZERO_REASON: str = "MC/pool-zero-address"

    def __init__(
        self,
        admin: Address,
        *,
        address: Address,
        proxy: ALMProxy,
        rate_limits: RateLimits,
        contracts: Contracts,
        cctp: CctpLike,
        usdc: Address,
        events: EventLog | None = None,
    ) -> None:
        atomic: Atomic = contracts.registry.atomic
        super().__init__(atomic=atomic, events=events if events is not None else EventLog())
        self.address = address
        self.proxy = proxy
        self.rate_limits = rate_limits
        self.contracts = contracts
        self.cctp = cctp
        self.usdc = usdc
        self._max_slippages: dict[Address, int] = {}
        self._mint_recipients: dict[int, str] = {}
        self._max_exchange_rates: dict[Address, int] = {}
        self.grant(DEFAULT_ADMIN_ROLE, admin, admin)

    @property
    def atomic(self) -> Atomic:
        """The chain's undo log."""
        return self._atomic

    # --- views ---

    def max_slippages(self, pool: Address) -> int:
        """`maxSlippages(pool)` (1e18 precision; 0 when unset)."""
        return self._max_slippages.get(pool, 0)

    def mint_recipients(self, destination_domain: int) -> str:
        """`mintRecipients(domain)`: a bytes32 (the zero word when unset)."""
        return self._mint_recipients.get(destination_domain, "0x" + "00" * 32)

    def max_exchange_rates(self, token: Address) -> int:
        """`maxExchangeRates(token)` (1e36 precision; 0 when unset)."""
        return self._max_exchange_rates.get(token, 0)

    # --- admin ---

    def set_max_slippage(self, pool: Address, max_slippage: int, *, sender: Address) -> None:
        """`setMaxSlippage`: the least fraction (1e18) of an Aave deposit kept as aTokens."""
        max_slippage = check_uint256(max_slippage, field="max_slippage")
        self.check_role(DEFAULT_ADMIN_ROLE, sender)
        if is_zero_address(pool):
            raise ProtocolError(self._POOL_ZERO_CODE, reason=self._POOL_ZERO_REASON)
        transact(
            self._atomic, self._write, self._max_slippages, pool, max_slippage, "MaxSlippageSet"
        )

    def set_mint_recipient(
        self, destination_domain: int, mint_recipient: str, *, sender: Address
    ) -> None:
        """`setMintRecipient`: the CCTP recipient (bytes32 or address) on `domain`."""
        domain = check_uint(destination_domain, field="destination_domain", bits=32)
        recipient = address_of(mint_recipient).lower()
        self.check_role(DEFAULT_ADMIN_ROLE, sender)
        transact(
            self._atomic, self._write, self._mint_recipients, domain, recipient, "MintRecipientSet"
        )

    def set_max_exchange_rate(
        self, token: Address, shares: int, max_expected_assets: int, *, sender: Address
    ) -> None:
        """`setMaxExchangeRate`: the most assets an ERC-4626 deposit may pay per share."""
        shares = check_uint256(shares, field="shares")
        max_expected_assets = check_uint256(max_expected_assets, field="max_expected_assets")
        self.check_role(DEFAULT_ADMIN_ROLE, sender)
        if is_zero_address(token):
            raise ProtocolError(ErrorCode.MC_TOKEN_ZERO_ADDRESS, reason="MC/token-zero-address")
        rate = get_exchange_rate(shares, max_expected_assets)
        transact(
            self._atomic, self._write, self._max_exchange_rates, token, rate, "MaxExchangeRateSet"
        )

    def _write(self, mapping: dict[Any, Any], key: Any, value: Any, event: str) -> None:
        self._atomic.set_item(mapping, key, value)
        self.events.emit(self._atomic, event, key, value)

    # --- freezer ---

    def remove_relayer(self, relayer: Address, *, sender: Address) -> None:
        """`removeRelayer`: the freezer revokes a (compromised) relayer."""
        self.check_role(FREEZER, sender)
        transact(self._atomic, self._remove_relayer, relayer, sender)

    def _remove_relayer(self, relayer: Address, sender: Address) -> None:
        self.revoke(RELAYER, relayer, sender)
        self.events.emit(self._atomic, "RelayerRemoved", relayer)

    # --- helpers ---

    def _relayer_action(self, sender: Address, fn: Any, /, *args: Any) -> Any:
        """`onlyRole(RELAYER)`, then `fn` as one all-or-nothing action."""
        self.check_role(RELAYER, sender)
        return transact(self._atomic, fn, *args)

    def _decrease(self, key: RateLimitKey, amount: int) -> int:
        return self.rate_limits.trigger_rate_limit_decrease(key, amount, sender=self.address)

    def _increase(self, key: RateLimitKey, amount: int) -> int:
        return self.rate_limits.trigger_rate_limit_increase(key, amount, sender=self.address)

    def _call(self, fn: Any, /, *args: Any) -> Any:
        """`proxy.doCall(...)`: `fn(*args, sender=proxy)`, refused unless this holds
        CONTROLLER on the proxy."""
        return self.proxy.do_call(fn, *args, sender=self.address)

    def _approve(self, token: Address, spender: Address, amount: int) -> None:
        """`ApproveLib.approve`: the proxy approves `spender` for exactly `amount`."""
        self._call(self.contracts.token(token).approve, spender, amount)

    # --- ERC-4626 (ERC4626Lib) ---

    def deposit_erc4626(
        self, token: Address, amount: int, min_shares_out: int, *, sender: Address
    ) -> int:
        """`depositERC4626`: deposit the proxy's `amount` of assets; return the shares."""
        amount = check_uint256(amount, field="amount")
        min_shares_out = check_uint256(min_shares_out, field="min_shares_out")
        return int(
            self._relayer_action(sender, self._deposit_erc4626, token, amount, min_shares_out)
        )

    def _deposit_erc4626(self, token: Address, amount: int, min_shares_out: int) -> int:
        self._decrease(make_asset_key(LIMIT_4626_DEPOSIT, token), amount)
        vault = self.contracts.erc4626(token)
        self._approve(address_of(vault.asset), token, amount)
        shares = int(self._call(vault.deposit, amount, self.proxy.address))
        if shares < min_shares_out:
            raise ProtocolError(
                ErrorCode.MC_MIN_SHARES_OUT_NOT_MET,
                shares=shares,
                min_shares_out=min_shares_out,
                reason="MC/min-shares-out-not-met",
            )
        rate, max_rate = get_exchange_rate(shares, amount), self.max_exchange_rates(token)
        if rate > max_rate:
            raise ProtocolError(
                ErrorCode.MC_EXCHANGE_RATE_TOO_HIGH,
                token=token,
                exchange_rate=rate,
                max_exchange_rate=max_rate,
                reason="MC/exchange-rate-too-high",
            )
        return shares

    def withdraw_erc4626(
        self, token: Address, amount: int, max_shares_in: int, *, sender: Address
    ) -> int:
        """`withdrawERC4626`: withdraw `amount` of assets to the proxy; return shares burned."""
        amount = check_uint256(amount, field="amount")
        max_shares_in = check_uint256(max_shares_in, field="max_shares_in")
        return int(
            self._relayer_action(sender, self._withdraw_erc4626, token, amount, max_shares_in)
        )

    def _withdraw_erc4626(self, token: Address, amount: int, max_shares_in: int) -> int:
        self._decrease(make_asset_key(LIMIT_4626_WITHDRAW, token), amount)
        vault = self.contracts.erc4626(token)
        proxy = self.proxy.address
        shares = int(self._call(vault.withdraw, amount, proxy, proxy))
        if shares > max_shares_in:
            raise ProtocolError(
                ErrorCode.MC_MAX_SHARES_IN_NOT_MET,
                shares=shares,
                max_shares_in=max_shares_in,
                reason="MC/max-shares-in-not-met",
            )
        self._increase(make_asset_key(LIMIT_4626_DEPOSIT, token), amount)
        return shares

    def redeem_erc4626(
        self, token: Address, shares: int, min_assets_out: int, *, sender: Address
    ) -> int:
        """`redeemERC4626`: redeem the proxy's `shares`; return the assets received."""
        shares = check_uint256(shares, field="shares")
        min_assets_out = check_uint256(min_assets_out, field="min_assets_out")
        return int(
            self._relayer_action(sender, self._redeem_erc4626, token, shares, min_assets_out)
        )

    def _redeem_erc4626(self, token: Address, shares: int, min_assets_out: int) -> int:
        vault = self.contracts.erc4626(token)
        proxy = self.proxy.address
        assets = int(self._call(vault.redeem, shares, proxy, proxy))
        if assets < min_assets_out:
            raise ProtocolError(
                ErrorCode.MC_MIN_ASSETS_OUT_NOT_MET,
                assets=assets,
                min_assets_out=min_assets_out,
                reason="MC/min-assets-out-not-met",
            )
        self._decrease(make_asset_key(LIMIT_4626_WITHDRAW, token), assets)
        self._increase(make_asset_key(LIMIT_4626_DEPOSIT, token), assets)
        return assets

    # --- Aave v3 (AaveLib) ---

    def deposit_aave(self, a_token: Address, amount: int, *, sender: Address) -> None:
        """`depositAave`: supply the proxy's underlying to the aToken's pool."""
        amount = check_uint256(amount, field="amount")
        self._relayer_action(sender, self._deposit_aave, a_token, amount)

    def _deposit_aave(self, a_token: Address, amount: int) -> None:
        self._decrease(make_asset_key(LIMIT_AAVE_DEPOSIT, a_token), amount)
        max_slippage = self.max_slippages(a_token)
        if max_slippage == 0:
            raise ProtocolError(
                ErrorCode.MC_MAX_SLIPPAGE_NOT_SET, pool=a_token, reason="MC/max-slippage-not-set"
            )
        token, pool = self.contracts.a_token(a_token)
        underlying = token.underlying_asset
        proxy = self.proxy.address
        self._approve(underlying, pool.address, amount)
        before = token.balance_of(proxy)
        self._call(pool.supply, underlying, amount, proxy, 0)
        received = token.balance_of(proxy) - before
        minimum = _mul(amount, max_slippage, "amount * maxSlippage") // WAD
        if received < minimum:
            raise ProtocolError(
                ErrorCode.MC_SLIPPAGE_TOO_HIGH,
                received=received,
                minimum=minimum,
                reason="MC/slippage-too-high",
            )

    def withdraw_aave(self, a_token: Address, amount: int, *, sender: Address) -> int:
        """`withdrawAave`: withdraw underlying to the proxy; return the amount withdrawn."""
        amount = check_uint256(amount, field="amount")
        return int(self._relayer_action(sender, self._withdraw_aave, a_token, amount))

    def _withdraw_aave(self, a_token: Address, amount: int) -> int:
        token, pool = self.contracts.a_token(a_token)
        withdrawn = int(
            self._call(pool.withdraw, token.underlying_asset, amount, self.proxy.address)
        )
        self._decrease(make_asset_key(LIMIT_AAVE_WITHDRAW, a_token), withdrawn)
        self._increase(make_asset_key(LIMIT_AAVE_DEPOSIT, a_token), withdrawn)
        return withdrawn

    # --- CCTP (CCTPLib) ---

    def transfer_usdc_to_cctp(
        self, usdc_amount: int, destination_domain: int, *, sender: Address
    ) -> None:
        """`transferUSDCToCCTP`: burn the proxy's USDC for the domain's mint recipient."""
        usdc_amount = check_uint256(usdc_amount, field="usdc_amount")
        domain = check_uint(destination_domain, field="destination_domain", bits=32)
        self._relayer_action(sender, self._transfer_usdc_to_cctp, usdc_amount, domain)

    def _transfer_usdc_to_cctp(self, usdc_amount: int, domain: int) -> None:
        self._decrease(LIMIT_USDC_TO_CCTP, usdc_amount)
        self._decrease(make_domain_key(LIMIT_USDC_TO_DOMAIN, domain), usdc_amount)
        recipient = self.mint_recipients(domain)
        if _is_zero(recipient):
            raise ProtocolError(
                ErrorCode.MC_DOMAIN_NOT_CONFIGURED, domain=domain, reason="MC/domain-not-configured"
            )
        self._approve(self.usdc, self.cctp.address, usdc_amount)
        burn_limit = self.cctp.local_minter.burn_limits_per_message(self.usdc)
        messages = (-(-usdc_amount // burn_limit)) if burn_limit else (1 if usdc_amount else 0)
        if messages > MAX_CCTP_MESSAGES or (burn_limit == 0 and usdc_amount):
            raise ProtocolError(
                ErrorCode.LIMIT_EXCEEDED,
                what="CCTP messages (the EVM's gas limit)",
                value=messages if burn_limit else "unbounded",
                limit=MAX_CCTP_MESSAGES,
            )
        remaining = usdc_amount
        while remaining > burn_limit:
            self._initiate_cctp_transfer(burn_limit, recipient, domain)
            remaining -= burn_limit
        if remaining > 0:
            self._initiate_cctp_transfer(remaining, recipient, domain)

    def _initiate_cctp_transfer(self, amount: int, recipient: str, domain: int) -> None:
        nonce = self._call(self.cctp.deposit_for_burn, amount, domain, recipient, self.usdc)
        self.events.emit(self._atomic, "CCTPTransferInitiated", nonce, domain, recipient, amount)

    # --- ERC-20 ---

    def transfer_asset(
        self, asset: Address, destination: Address, amount: int, *, sender: Address
    ) -> None:
        """`transferAsset`: send the proxy's `amount` of `asset` to a whitelisted
        destination."""
        amount = check_uint256(amount, field="amount")
        self._relayer_action(sender, self._transfer_asset, asset, destination, amount)

    def _transfer_asset(self, asset: Address, destination: Address, amount: int) -> None:
        self._decrease(make_asset_destination_key(LIMIT_ASSET_TRANSFER, asset, destination), amount)
        self._call(self.contracts.token(asset).transfer, destination, amount)

"""The address space an ALM controller calls into, and the venue interfaces it relies on.

A controller is given addresses (an ERC-4626 token, an aToken, an asset) and calls them, as
the Solidity does with `IERC4626(token).deposit(...)`. `Contracts` is that address space for
one chain: address -> contract, with the chain's `TokenRegistry` for ERC-20s. Aave-like pools
are registered whole; an aToken address is resolved to its pool and underlying the way
`IATokenWithPool(aToken).POOL()` / `UNDERLYING_ASSET_ADDRESS()` do.

The `Protocol`s say what a venue must expose, in the signatures the venue models use
(`protocols/savings` vaults, `sparklend.Pool`, the liquidity-layer PSM, DaiUsds, allocator
vault, CCTP token messenger and PSM3). A missing contract is `INVALID_ID` (the EVM would call
an empty account and fail to decode the return).

Example:
    >>> from sparkprime.protocols.erc20 import Erc20, TokenRegistry
    >>> from sparkprime.protocols.sparklend.addresses import make_addr
    >>> reg = TokenRegistry()
    >>> usdc = reg.register(Erc20(make_addr("USDC"), "USDC", 6))
    >>> contracts = Contracts(reg)
    >>> contracts.token(make_addr("USDC")) is usdc
    True
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.protocols.erc20 import Erc20, TokenRegistry
from sparkprime.protocols.sparklend.pool import Pool
from sparkprime.protocols.sparklend.tokens import AToken

__all__ = [
    "AllocatorVaultLike",
    "CctpLike",
    "Contracts",
    "DaiUsdsLike",
    "Erc4626Like",
    "HasAddress",
    "LitePsmLike",
    "Psm3Like",
    "address_of",
]


class HasAddress(Protocol):
    """Any contract: it has an address."""

    @property
    def address(self) -> Address: ...


_C = TypeVar("_C", bound=HasAddress)


def address_of(value: object) -> Address:
    """An address given as such, or the `address` of a contract or token object."""
    if isinstance(value, str):
        return Address(value)
    address = getattr(value, "address", None)
    if not isinstance(address, str):
        raise ProtocolError(
            ErrorCode.INVALID_ID, field="address", value=repr(value), reason="not a contract"
        )
    return Address(address)


class Erc4626Like(Protocol):
    """`IERC4626` as the controllers call it (`asset` is an address or a token object)."""

    @property
    def address(self) -> Address: ...
    @property
    def asset(self) -> Any: ...
    def deposit(self, assets: int, receiver: Address, *, sender: Address) -> int: ...
    def withdraw(
        self, assets: int, receiver: Address, owner: Address, *, sender: Address
    ) -> int: ...
    def redeem(self, shares: int, receiver: Address, owner: Address, *, sender: Address) -> int: ...
    def balance_of(self, account: Address) -> int: ...


class AllocatorVaultLike(Protocol):
    """dss-allocator `AllocatorVault`: draw mints USDS into the buffer, wipe burns from it."""

    @property
    def buffer(self) -> Any: ...
    def draw(self, wad: int, *, sender: Address) -> None: ...
    def wipe(self, wad: int, *, sender: Address) -> None: ...


class DaiUsdsLike(Protocol):
    """The DAI <-> USDS converter (1:1)."""

    @property
    def address(self) -> Address: ...
    @property
    def dai(self) -> Any: ...
    def dai_to_usds(self, usr: Address, wad: int, *, sender: Address) -> None: ...
    def usds_to_dai(self, usr: Address, wad: int, *, sender: Address) -> None: ...


class LitePsmLike(Protocol):
    """dss-lite-psm `DssLitePsm`, the no-fee calls the controller is whitelisted for."""

    @property
    def address(self) -> Address: ...
    @property
    def gem(self) -> Any: ...
    @property
    def to18_conversion_factor(self) -> int: ...
    def buy_gem_no_fee(self, usr: Address, gem_amt: int, *, sender: Address) -> int: ...
    def sell_gem_no_fee(self, usr: Address, gem_amt: int, *, sender: Address) -> int: ...
    def fill(self) -> int: ...


class _LocalMinterLike(Protocol):
    def burn_limits_per_message(self, token: Address) -> int: ...


class CctpLike(Protocol):
    """Circle CCTP v1 `TokenMessenger`."""

    @property
    def address(self) -> Address: ...
    @property
    def local_minter(self) -> _LocalMinterLike: ...
    def deposit_for_burn(
        self,
        amount: int,
        destination_domain: int,
        mint_recipient: Address,
        burn_token: Address,
        *,
        sender: Address,
    ) -> int: ...


class Psm3Like(Protocol):
    """spark-psm `PSM3` (L2 PSM), as the ForeignController calls it."""

    @property
    def address(self) -> Address: ...
    def deposit(
        self, asset: Address, receiver: Address, asset_amount: int, *, sender: Address
    ) -> int: ...
    def withdraw(
        self, asset: Address, receiver: Address, max_asset_amount: int, *, sender: Address
    ) -> int: ...


class Contracts:
    """One chain's contracts by address, and its tokens."""

    __slots__ = ("_by_address", "_pools", "registry")

    def __init__(self, registry: TokenRegistry) -> None:
        self.registry = registry
        self._by_address: dict[Address, object] = {}
        self._pools: list[Pool] = []

    def add(self, contract: _C) -> _C:
        """Make `contract` callable at its address (one contract per address)."""
        address = address_of(contract)
        if address in self._by_address and self._by_address[address] is not contract:
            raise ProtocolError(
                ErrorCode.INVALID_ID,
                field="address",
                value=address,
                reason="a contract is already registered at this address",
            )
        self._by_address[address] = contract
        return contract

    def add_aave_pool(self, pool: Pool) -> Pool:
        """Register an Aave v3 pool: its aTokens resolve to it from then on."""
        if pool not in self._pools:
            self._pools.append(pool)
        self.add(pool)
        return pool

    def get(self, address: Address) -> object:
        """The contract at `address`."""
        contract = self._by_address.get(address)
        if contract is None:
            raise ProtocolError(
                ErrorCode.INVALID_ID,
                field="address",
                value=address,
                reason="no contract at address",
            )
        return contract

    def token(self, address: Address) -> Erc20:
        """The ERC-20 at `address` (the chain's registry)."""
        return self.registry.get(address)

    def erc4626(self, address: Address) -> Erc4626Like:
        """The ERC-4626 vault at `address`."""
        contract: Any = self.get(address)
        for name in ("asset", "deposit", "withdraw", "redeem", "balance_of"):
            if not hasattr(contract, name):
                raise ProtocolError(
                    ErrorCode.INVALID_ID, field="token", value=address, reason="not an ERC-4626"
                )
        vault: Erc4626Like = contract
        return vault

    def a_token(self, address: Address) -> tuple[AToken, Pool]:
        """The aToken at `address` and its pool (`POOL()`); its `underlying_asset` is
        `UNDERLYING_ASSET_ADDRESS()`."""
        for pool in self._pools:
            for asset in pool.get_reserves_list():
                a_token = pool.a_token(asset)
                if a_token.address == address:
                    return a_token, pool
        raise ProtocolError(
            ErrorCode.INVALID_ID, field="a_token", value=address, reason="not an aToken"
        )

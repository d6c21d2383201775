"""AaveOracle: the Pool's price oracle, a Chainlink source per asset with a fallback.

As Aave v3.0.2 `misc/AaveOracle.sol`: the base currency prices at `BASE_CURRENCY_UNIT`
(SparkLend: USD, unit 1e8); an asset with a source answers the source's `latestAnswer()`
when it is positive; otherwise, and for an asset without a source, the fallback oracle
answers. The contract's fallback may be `address(0)`, and then the call reverts: here that
is `PRICE_UNAVAILABLE`, naming the asset and why. There is no staleness check in the
contract, so there is none here.

Example:
    >>> from sparkprime.oracle.feed import PriceFeed
    >>> eth = PriceFeed(description="ETH / USD", decimals=8)
    >>> _ = eth.update(3_000_00000000, ts_s=1)
    >>> weth = "0x" + "aa" * 20
    >>> AaveOracle(acl=None, sources={weth: eth}).get_asset_price(weth)
    300000000000
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final, Protocol

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.core.uint import check_uint256

__all__ = ["USD_BASE_CURRENCY_UNIT", "AaveOracle", "AnswerSource", "OracleAdmins", "PriceGetter"]

USD_BASE_CURRENCY_UNIT: Final = 10**8
_ASSET_LISTING_ADMIN: Final = "ASSET_LISTING_ADMIN"


class AnswerSource(Protocol):
    """A Chainlink aggregator as AaveOracle reads it."""

    def latest_answer(self) -> int:
        """`latestAnswer()`, an int256."""
        ...


class PriceGetter(Protocol):
    """`IPriceOracleGetter`: the fallback oracle."""

    def get_asset_price(self, asset: Address) -> int:
        """Price of `asset` in the base currency."""
        ...


class OracleAdmins(Protocol):
    """The part of ACLManager the oracle asks."""

    def is_pool_admin(self, account: Address) -> bool:
        """Whether `account` holds POOL_ADMIN."""
        ...

    def has_role(self, role: str, account: Address) -> bool:
        """Whether `account` holds `role`."""
        ...


class AaveOracle:
    """Sources per asset, a fallback oracle, and the base currency."""

    __slots__ = ("_acl", "_fallback", "_sources", "base_currency", "base_currency_unit")

    def __init__(
        self,
        *,
        acl: OracleAdmins | None,
        sources: Mapping[str, AnswerSource] | None = None,
        fallback_oracle: PriceGetter | None = None,
        base_currency: Address | None = None,
        base_currency_unit: int = USD_BASE_CURRENCY_UNIT,
    ) -> None:
        self._acl = acl
        self._sources: dict[str, AnswerSource] = dict(sources or {})
        self._fallback = fallback_oracle
        self.base_currency = base_currency  # None: USD, as the contract's address(0)
        self.base_currency_unit = check_uint256(base_currency_unit, field="base_currency_unit")

    def _only_asset_listing_or_pool_admins(self, sender: Address) -> None:
        acl = self._acl
        allowed = acl is not None and (
            acl.has_role(_ASSET_LISTING_ADMIN, sender) or acl.is_pool_admin(sender)
        )
        if not allowed:
            raise ProtocolError(ErrorCode.CALLER_NOT_ASSET_LISTING_OR_POOL_ADMIN, sender=sender)

    def set_asset_sources(
        self,
        assets: Sequence[Address],
        sources: Sequence[AnswerSource | None],
        *,
        sender: Address,
    ) -> None:
        """Set (or, with None, remove) the source of each asset."""
        self._only_asset_listing_or_pool_admins(sender)
        if len(assets) != len(sources):
            raise ProtocolError(
                ErrorCode.INCONSISTENT_PARAMS_LENGTH, assets=len(assets), sources=len(sources)
            )
        for asset, source in zip(assets, sources, strict=True):
            if source is None:
                self._sources.pop(asset, None)
            else:
                self._sources[asset] = source

    def set_fallback_oracle(self, fallback_oracle: PriceGetter | None, *, sender: Address) -> None:
        """Replace the fallback oracle."""
        self._only_asset_listing_or_pool_admins(sender)
        self._fallback = fallback_oracle

    def get_asset_price(self, asset: Address) -> int:
        """The price of one whole unit of `asset` in the base currency."""
        if asset == self.base_currency:
            return self.base_currency_unit
        source = self._sources.get(asset)
        if source is not None:
            answer = source.latest_answer()
            if answer > 0:
                return answer
            return self._from_fallback(asset, reason=f"source answered {answer}")
        return self._from_fallback(asset, reason="no source")

    def _from_fallback(self, asset: Address, *, reason: str) -> int:
        if self._fallback is None:
            raise ProtocolError(
                ErrorCode.PRICE_UNAVAILABLE, asset=asset, reason=f"{reason} and no fallback oracle"
            )
        return self._fallback.get_asset_price(asset)

    def get_assets_prices(self, assets: Sequence[Address]) -> list[int]:
        """Prices of several assets, in order."""
        return [self.get_asset_price(asset) for asset in assets]

    def get_source_of_asset(self, asset: Address) -> AnswerSource | None:
        """The asset's source, or None."""
        return self._sources.get(asset)

    def get_fallback_oracle(self) -> PriceGetter | None:
        """The fallback oracle, or None."""
        return self._fallback

"""What the Pool asks of its price oracle and of its price-oracle sentinel.

`PriceOracle` is `IPriceOracleGetter.getAssetPrice`: the asset's price in the base currency,
USD with 8 decimals on SparkLend (AaveOracle, baseCurrencyUnit 1e8). `PriceOracleSentinel`
is the L2 guard that may forbid borrows and liquidations; a Pool with none allows both.
`SimplePriceOracle` is a settable oracle for tests and simulations (Aave's `PriceOracle`
mock): an asset without a price reads 0, which the Pool then multiplies into 0 value.

Example:
    >>> oracle = SimplePriceOracle()
    >>> oracle.set_asset_price(Address("0x" + "11" * 20), 1_00000000)
    >>> oracle.get_asset_price(Address("0x" + "11" * 20))
    100000000
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from sparkprime.core.ids import Address
from sparkprime.core.uint import check_uint256

__all__ = ["PriceOracle", "PriceOracleSentinel", "SimplePriceOracle"]


@runtime_checkable
class PriceOracle(Protocol):
    """`IPriceOracleGetter`: an asset's price in the base currency (USD, 8 decimals)."""

    def get_asset_price(self, asset: Address) -> int:
        """The price of one whole unit of `asset`."""
        ...


@runtime_checkable
class PriceOracleSentinel(Protocol):
    """`IPriceOracleSentinel`: whether borrows and liquidations are allowed right now."""

    def is_borrow_allowed(self) -> bool:
        """False while borrowing is paused (e.g. an L2 sequencer outage)."""
        ...

    def is_liquidation_allowed(self) -> bool:
        """False while liquidations are paused (grace period after an outage)."""
        ...


class SimplePriceOracle:
    """A price per asset, set by hand."""

    __slots__ = ("_prices",)

    def __init__(self, prices: dict[Address, int] | None = None) -> None:
        self._prices: dict[Address, int] = {}
        for asset, price in (prices or {}).items():
            self.set_asset_price(asset, price)

    def set_asset_price(self, asset: Address, price: int) -> None:
        """Set `asset`'s price (a uint256)."""
        self._prices[asset] = check_uint256(price, field="price")

    def get_asset_price(self, asset: Address) -> int:
        """`asset`'s price, 0 if none was set."""
        return self._prices.get(asset, 0)

    def prices(self) -> dict[Address, int]:
        """A copy of every price set."""
        return dict(self._prices)

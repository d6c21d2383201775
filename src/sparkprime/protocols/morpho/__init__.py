"""Morpho venues of the Spark Liquidity Layer: Morpho Blue markets, their IRMs, MetaMorpho."""

from sparkprime.protocols.morpho.irm import (
    AdaptiveCurveIrm,
    ConstantRateIrm,
    Irm,
    LinearIrm,
)
from sparkprime.protocols.morpho.market import MORPHO_ADDRESS, Morpho
from sparkprime.protocols.morpho.market_math import (
    Market,
    MarketId,
    MarketParams,
    Position,
    market_id,
)
from sparkprime.protocols.morpho.market_views import Oracle
from sparkprime.protocols.morpho.vault import MarketAllocation, MarketConfig, MetaMorpho

__all__ = [
    "MORPHO_ADDRESS",
    "AdaptiveCurveIrm",
    "ConstantRateIrm",
    "Irm",
    "LinearIrm",
    "Market",
    "MarketAllocation",
    "MarketConfig",
    "MarketId",
    "MarketParams",
    "MetaMorpho",
    "Morpho",
    "Oracle",
    "Position",
    "market_id",
]

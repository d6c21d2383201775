"""Price and rate feeds: Chainlink-style aggregators, sequencer uptime feeds, and an
operator's staleness guard (beyond the contracts: AaveOracle itself has none)."""

from sparkprime.oracle.feed import PriceFeed, RoundData, SequencerUptimeFeed
from sparkprime.oracle.guards import RoundSource, StaleFeedGuard

__all__ = ["PriceFeed", "RoundData", "RoundSource", "SequencerUptimeFeed", "StaleFeedGuard"]

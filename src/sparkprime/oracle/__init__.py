"""Price and rate feeds: Chainlink-style aggregators, sequencer uptime feeds, staleness."""

from sparkprime.oracle.feed import PriceFeed, RoundData, SequencerUptimeFeed

__all__ = ["PriceFeed", "RoundData", "SequencerUptimeFeed"]

"""Operator-side guards around price feeds: circuit breakers the contracts do not have.

SparkLend's AaveOracle reads a Chainlink source's `latestAnswer()` and uses any positive
answer, however old it is: the contract has no staleness check (Aave v3.0.2
`misc/AaveOracle.sol`; see `protocols.sparklend.aave_oracle`). An operator who wants one puts
a guard between the feed and the oracle. `StaleFeedGuard` is that guard, and it is beyond the
contracts: it answers 0 once the feed's latest answer is older than `max_age_s`, which the
AaveOracle treats as no price, so the oracle falls back to its fallback oracle, or, with
none, every read of that asset fails with `PRICE_UNAVAILABLE` and the Pool refuses the
action that needed it, leaving its state as it was.

Only `latest_answer()` (what AaveOracle and the kill switch read) is gated;
`latest_round_data()` passes the feed's round through unchanged, so monitoring still sees
the real answer and its age.

Example:
    >>> from sparkprime.core.clock import Clock
    >>> from sparkprime.oracle.feed import PriceFeed
    >>> clock = Clock(1_000)
    >>> feed = PriceFeed(description="ETH / USD", decimals=8)
    >>> _ = feed.update(3_000_00000000, ts_s=1_000)
    >>> guard = StaleFeedGuard(feed, clock=clock, max_age_s=3_600)
    >>> guard.latest_answer()
    300000000000
    >>> _ = clock.skip(3_601)
    >>> guard.is_stale(), guard.latest_answer()
    (True, 0)
"""

from __future__ import annotations

from typing import Protocol

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.uint import check_uint
from sparkprime.oracle.feed import RoundData

__all__ = ["RoundSource", "StaleFeedGuard"]


class RoundSource(Protocol):
    """What a guard wraps: a Chainlink-style aggregator (`PriceFeed`, or another guard)."""

    @property
    def decimals(self) -> int:
        """Decimals of the answer."""
        ...

    @property
    def description(self) -> str:
        """The feed's name."""
        ...

    def latest_round_data(self) -> RoundData:
        """The latest round."""
        ...


class StaleFeedGuard:
    """A feed whose `latest_answer()` is 0 while its latest answer is older than
    `max_age_s` seconds by `clock` (or was never given, or is dated after `clock.now`)."""

    __slots__ = ("_clock", "_feed", "max_age_s")

    def __init__(self, feed: RoundSource, *, clock: Clock, max_age_s: int) -> None:
        max_age_s = check_uint(max_age_s, field="max_age_s", bits=40)
        if max_age_s == 0:
            raise ProtocolError(
                ErrorCode.VALUE_OUT_OF_RANGE, field="max_age_s", value=0, min=1, max="2**40-1"
            )
        self._feed = feed
        self._clock = clock
        self.max_age_s = max_age_s

    @property
    def feed(self) -> RoundSource:
        """The guarded feed."""
        return self._feed

    @property
    def decimals(self) -> int:
        """The feed's decimals."""
        return self._feed.decimals

    @property
    def description(self) -> str:
        """The feed's description."""
        return self._feed.description

    def age_s(self) -> int:
        """Seconds since the latest answer was updated (negative if dated in the future)."""
        return self._clock.now - self._feed.latest_round_data().updated_at_s

    def is_stale(self) -> bool:
        """True if the feed never reported, its answer is older than `max_age_s`, or it is
        dated after the clock (a feed ahead of the clock is not trusted either)."""
        data = self._feed.latest_round_data()
        if data.round_id == 0:
            return True
        age = self._clock.now - data.updated_at_s
        return age < 0 or age > self.max_age_s

    def latest_round_data(self) -> RoundData:
        """The feed's latest round, ungated."""
        return self._feed.latest_round_data()

    def latest_answer(self) -> int:
        """The feed's latest answer, or 0 while it is stale."""
        if self.is_stale():
            return 0
        return self._feed.latest_round_data().answer

    def latest_timestamp(self) -> int:
        """When the feed's latest answer was updated."""
        return self._feed.latest_round_data().updated_at_s

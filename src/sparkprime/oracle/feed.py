"""Chainlink-style feeds, as the contracts that read them see them.

A `PriceFeed` is an aggregator: rounds of (answer, started_at, updated_at), an `int256`
answer with fixed `decimals`, `latest_answer()` and `latest_round_data()`. Answers are
exact ints (a USD price with 8 decimals, an ETH ratio with 18); a feed may report zero or a
negative answer, which is why its readers check. A `SequencerUptimeFeed` is the L2 feed that
`PriceOracleSentinel` reads: answer 0 = the sequencer is up, 1 = down, `started_at` = when
that status began.

Example:
    >>> feed = PriceFeed(description="ETH / USD", decimals=8)
    >>> feed.update(3_000_00000000, ts_s=1_700_000_000).round_id
    1
    >>> feed.latest_answer()
    300000000000
"""

from __future__ import annotations

import dataclasses
from typing import Final

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.uint import check_int256, check_uint

__all__ = ["ROUNDS_KEPT_MAX", "PriceFeed", "RoundData", "SequencerUptimeFeed"]

ROUNDS_KEPT_MAX: Final = 1_000  # history kept per feed; older rounds are dropped


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class RoundData:
    """One round, as `latestRoundData()` returns it."""

    round_id: int
    answer: int
    started_at_s: int
    updated_at_s: int
    answered_in_round: int


class PriceFeed:
    """An aggregator with manually pushed rounds (the simulation or a replay pushes them)."""

    __slots__ = ("_rounds", "decimals", "description")

    def __init__(self, *, description: str, decimals: int) -> None:
        self.description = description
        self.decimals = check_uint(decimals, field="decimals", bits=8)
        self._rounds: list[RoundData] = []

    def update(self, answer: int, *, ts_s: int, started_at_s: int | None = None) -> RoundData:
        """Push a new round with `answer` at `ts_s`; rounds only move forward in time."""
        check_int256(answer, field="answer")
        check_uint(ts_s, field="ts_s", bits=40)
        started = (
            ts_s
            if started_at_s is None
            else check_uint(started_at_s, field="started_at_s", bits=40)
        )
        if self._rounds and ts_s < self._rounds[-1].updated_at_s:
            raise ProtocolError(
                ErrorCode.CLOCK_WENT_BACKWARDS, now_s=self._rounds[-1].updated_at_s, ts_s=ts_s
            )
        round_id = self._rounds[-1].round_id + 1 if self._rounds else 1
        data = RoundData(
            round_id=round_id,
            answer=answer,
            started_at_s=started,
            updated_at_s=ts_s,
            answered_in_round=round_id,
        )
        self._rounds.append(data)
        if len(self._rounds) > ROUNDS_KEPT_MAX:
            del self._rounds[0]
        return data

    def latest_round_data(self) -> RoundData:
        """The latest round; a feed that never reported answers round 0 with zeros, as a
        fresh aggregator does."""
        if not self._rounds:
            return RoundData(
                round_id=0, answer=0, started_at_s=0, updated_at_s=0, answered_in_round=0
            )
        return self._rounds[-1]

    def latest_answer(self) -> int:
        """`latestAnswer()`: the latest answer (0 before the first round)."""
        return self.latest_round_data().answer

    def latest_timestamp(self) -> int:
        """`latestTimestamp()`: when the latest answer was updated."""
        return self.latest_round_data().updated_at_s

    def snapshot(self) -> dict[str, object]:
        """JSON-able state."""
        return {
            "description": self.description,
            "decimals": self.decimals,
            "rounds": [dataclasses.asdict(r) for r in self._rounds],
        }

    @classmethod
    def restore(cls, data: dict[str, object]) -> PriceFeed:
        """Rebuild from `snapshot()`."""
        feed = cls(description=str(data["description"]), decimals=int(str(data["decimals"])))
        rounds = data["rounds"]
        if not isinstance(rounds, list):
            raise ProtocolError(ErrorCode.MALFORMED_PAYLOAD, reason="rounds must be a list")
        feed._rounds = [RoundData(**r) for r in rounds]
        return feed


class SequencerUptimeFeed(PriceFeed):
    """The L2 sequencer status feed: answer 0 = up, 1 = down."""

    __slots__ = ()

    UP: Final = 0
    DOWN: Final = 1

    def __init__(self, *, description: str = "L2 sequencer uptime") -> None:
        super().__init__(description=description, decimals=0)

    def set_status(self, *, is_down: bool, ts_s: int) -> RoundData:
        """Report the sequencer up or down from `ts_s` (its `started_at`)."""
        return self.update(self.DOWN if is_down else self.UP, ts_s=ts_s, started_at_s=ts_s)

"""Chainlink-style feeds."""

from __future__ import annotations

import pytest

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.oracle.feed import ROUNDS_KEPT_MAX, PriceFeed, SequencerUptimeFeed


def test_fresh_feed_answers_zero_like_a_new_aggregator():
    feed = PriceFeed(description="ETH / USD", decimals=8)
    data = feed.latest_round_data()
    assert (data.round_id, data.answer, data.updated_at_s) == (0, 0, 0)
    assert feed.latest_answer() == 0


def test_rounds_advance_and_keep_exact_answers():
    feed = PriceFeed(description="stETH / ETH", decimals=18)
    feed.update(999_800_000_000_000_000, ts_s=100)
    last = feed.update(-5, ts_s=100)  # a feed can report a negative answer; readers must check
    assert (last.round_id, last.answer, last.answered_in_round) == (2, -5, 2)
    assert feed.latest_timestamp() == 100


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"answer": 2**255, "ts_s": 1}, ErrorCode.VALUE_OUT_OF_RANGE),
        ({"answer": 1.5, "ts_s": 1}, ErrorCode.INVALID_TYPE),
        ({"answer": 1, "ts_s": -1}, ErrorCode.VALUE_OUT_OF_RANGE),
        ({"answer": 1, "ts_s": 5}, ErrorCode.CLOCK_WENT_BACKWARDS),
    ],
)
def test_bad_updates_are_rejected_and_change_nothing(kwargs, code):
    feed = PriceFeed(description="x", decimals=8)
    feed.update(7, ts_s=10)
    with pytest.raises(ProtocolError) as info:
        feed.update(**kwargs)
    assert info.value.code is code
    assert feed.latest_round_data().round_id == 1
    assert feed.latest_answer() == 7


def test_history_is_bounded():
    feed = PriceFeed(description="x", decimals=8)
    for i in range(ROUNDS_KEPT_MAX + 5):
        feed.update(i, ts_s=i)
    assert feed.latest_round_data().round_id == ROUNDS_KEPT_MAX + 5
    assert len(feed.snapshot()["rounds"]) == ROUNDS_KEPT_MAX  # type: ignore[arg-type]


def test_snapshot_round_trip():
    feed = PriceFeed(description="BTC / USD", decimals=8)
    feed.update(60_000_00000000, ts_s=5)
    back = PriceFeed.restore(feed.snapshot())
    assert back.latest_round_data() == feed.latest_round_data()
    assert back.decimals == 8


def test_sequencer_feed_reports_status_and_since_when():
    feed = SequencerUptimeFeed()
    feed.set_status(is_down=True, ts_s=1_000)
    assert feed.latest_answer() == SequencerUptimeFeed.DOWN
    up = feed.set_status(is_down=False, ts_s=2_000)
    assert (up.answer, up.started_at_s) == (SequencerUptimeFeed.UP, 2_000)

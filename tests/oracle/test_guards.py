"""StaleFeedGuard: an operator's staleness breaker around a Chainlink-style feed (beyond the
contracts; AaveOracle has no staleness check of its own)."""

from __future__ import annotations

import doctest

import pytest

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.oracle import PriceFeed, StaleFeedGuard, guards

PRICE = 3_000_00000000
MAX_AGE = 3_600


def _guarded(start: int = 10_000) -> tuple[Clock, PriceFeed, StaleFeedGuard]:
    clock = Clock(start)
    feed = PriceFeed(description="ETH / USD", decimals=8)
    feed.update(PRICE, ts_s=start)
    return clock, feed, StaleFeedGuard(feed, clock=clock, max_age_s=MAX_AGE)


def test_a_fresh_answer_passes_through():
    _, feed, guard = _guarded()
    assert not guard.is_stale()
    assert guard.latest_answer() == PRICE
    assert guard.age_s() == 0
    assert (guard.decimals, guard.description) == (8, "ETH / USD")
    assert guard.feed is feed


def test_the_answer_is_fresh_up_to_max_age_and_stale_one_second_later():
    clock, _, guard = _guarded()
    clock.skip(MAX_AGE)
    assert (guard.age_s(), guard.is_stale(), guard.latest_answer()) == (MAX_AGE, False, PRICE)
    clock.skip(1)
    assert (guard.age_s(), guard.is_stale(), guard.latest_answer()) == (MAX_AGE + 1, True, 0)


def test_a_new_round_makes_it_fresh_again():
    clock, feed, guard = _guarded()
    clock.skip(10 * MAX_AGE)
    assert guard.latest_answer() == 0
    feed.update(PRICE + 1, ts_s=clock.now)
    assert guard.latest_answer() == PRICE + 1


def test_round_data_passes_through_ungated():
    clock, feed, guard = _guarded()
    clock.skip(MAX_AGE + 1)
    assert guard.latest_round_data() == feed.latest_round_data()
    assert guard.latest_round_data().answer == PRICE
    assert guard.latest_timestamp() == feed.latest_timestamp() == 10_000


def test_a_feed_that_never_reported_is_stale():
    clock = Clock(0)
    guard = StaleFeedGuard(PriceFeed(description="x", decimals=8), clock=clock, max_age_s=MAX_AGE)
    assert guard.is_stale()
    assert guard.latest_answer() == 0


def test_an_answer_dated_after_the_clock_is_not_trusted():
    clock = Clock(100)
    feed = PriceFeed(description="x", decimals=8)
    feed.update(PRICE, ts_s=200)
    guard = StaleFeedGuard(feed, clock=clock, max_age_s=MAX_AGE)
    assert guard.age_s() == -100
    assert guard.is_stale()
    assert guard.latest_answer() == 0


@pytest.mark.parametrize("answer", [0, -1])
def test_a_fresh_non_positive_answer_is_passed_on_for_the_reader_to_refuse(answer):
    clock, feed, guard = _guarded()
    feed.update(answer, ts_s=clock.now)
    assert guard.latest_answer() == answer


def test_guards_stack():
    clock, _, inner = _guarded()
    outer = StaleFeedGuard(inner, clock=clock, max_age_s=60)
    clock.skip(61)
    assert inner.latest_answer() == PRICE
    assert outer.latest_answer() == 0


@pytest.mark.parametrize(
    ("max_age", "code"),
    [
        (0, ErrorCode.VALUE_OUT_OF_RANGE),
        (-1, ErrorCode.VALUE_OUT_OF_RANGE),
        (2**40, ErrorCode.VALUE_OUT_OF_RANGE),
        (1.5, ErrorCode.INVALID_TYPE),
        (True, ErrorCode.INVALID_TYPE),
    ],
)
def test_max_age_must_be_a_positive_uint40(max_age, code):
    feed = PriceFeed(description="x", decimals=8)
    with pytest.raises(ProtocolError) as info:
        StaleFeedGuard(feed, clock=Clock(0), max_age_s=max_age)
    assert info.value.code is code


def test_module_doctest():
    result = doctest.testmod(guards)
    assert result.attempted > 0
    assert result.failed == 0

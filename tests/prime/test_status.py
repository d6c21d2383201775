"""The status ladder: thresholds compared exactly, the cure clock, recovery."""

from __future__ import annotations

import dataclasses

import pytest

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.prime.status import AccountStatusState, MarginStatus, next_status, rf_status
from tests.prime.prime_fixtures import DAY, POOL

S = MarginStatus
W16 = 10**16


@pytest.mark.parametrize(
    ("rf_wad", "status"),
    [
        (115 * W16 + 1, S.HEALTHY),
        (115 * W16, S.MARGIN_CALL),  # RF <= margin-call RF
        (112 * W16, S.MARGIN_CALL),  # the docs' 1.12 example
        (105 * W16, S.REDUCE_ONLY),
        (100 * W16, S.REDUCE_ONLY),  # liquidation is strictly below 1.0
        (100 * W16 - 1, S.LIQUIDATION),
        (0, S.LIQUIDATION),
    ],
)
def test_rf_rungs(rf_wad: int, status: MarginStatus):
    assert rf_status(rf_wad, POOL) is status


def test_cure_period_then_reduce_only_then_recovery():
    s0 = AccountStatusState.initial(0)
    s1 = next_status(s0, 112 * W16, POOL, 100)
    assert (s1.status, s1.margin_call_ts_s, s1.since_ts_s) == (S.MARGIN_CALL, 100, 100)
    assert s1.cure_deadline_ts_s(POOL) == 100 + DAY
    s2 = next_status(s1, 113 * W16, POOL, 100 + DAY - 1)
    assert (s2.status, s2.since_ts_s, s2.margin_call_ts_s) == (S.MARGIN_CALL, 100, 100)
    s3 = next_status(s2, 113 * W16, POOL, 100 + DAY)
    assert (s3.status, s3.since_ts_s) == (S.REDUCE_ONLY, 100 + DAY)
    s4 = next_status(s3, 120 * W16, POOL, 200 + DAY)
    assert (s4.status, s4.margin_call_ts_s) == (S.HEALTHY, None)
    assert s4.cure_deadline_ts_s(POOL) is None


def test_clock_keeps_running_through_reduce_only_and_liquidation_is_immediate():
    s1 = next_status(AccountStatusState.initial(0), 104 * W16, POOL, 10)
    assert (s1.status, s1.margin_call_ts_s) == (S.REDUCE_ONLY, 10)
    s2 = next_status(s1, 112 * W16, POOL, 20)  # better, but still not cured
    assert (s2.status, s2.margin_call_ts_s) == (S.MARGIN_CALL, 10)
    s3 = next_status(s2, 99 * W16, POOL, 30)
    assert s3.status is S.LIQUIDATION


def test_zero_cure_period_and_time_going_backwards():
    pool = dataclasses.replace(POOL, margin_call_cure_s=0)
    assert next_status(AccountStatusState.initial(0), 112 * W16, pool, 5).status is S.REDUCE_ONLY
    s = next_status(AccountStatusState.initial(50), 2 * 10**18, POOL, 50)
    with pytest.raises(ProtocolError) as info:
        next_status(s, 2 * 10**18, POOL, 49)
    assert info.value.code is ErrorCode.CLOCK_WENT_BACKWARDS

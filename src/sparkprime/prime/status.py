"""The account status ladder with the margin-call cure period (Arkis pool thresholds, spec §2).

RF thresholds are the pool's (`PoolParams`, bps of RF; 11_500 = 1.15). The instantaneous
rung of an RF (`rf_status`), compared exactly against the floored `rf_wad`:

- HEALTHY: RF > margin-call RF;
- MARGIN_CALL: RF <= margin-call RF (the borrower may top up, repay or close positions);
- REDUCE_ONLY: RF <= reduce-only RF;
- LIQUIDATION: RF < liquidation RF ("RF < 1.0: liquidation"; per pool it can be higher).

`next_status` adds time: the cure clock starts at the first check at or below the margin-call
RF and runs until the account is HEALTHY again; a MARGIN_CALL still uncured `margin_call_cure_s`
after it started becomes REDUCE_ONLY. The function is pure (the engine journals the states).
LIQUIDATION is not sticky here: once a liquidation starts, its plan (`prime.liquidation`) owns
the account, so the engine stops asking.

Example:
    >>> from sparkprime.prime.policy import PoolParams
    >>> pool = PoolParams(pool_id="p", borrowed_asset="USDC", margin_call_rf_bps=11_500,
    ...                   liquidation_rf_bps=10_000, reduce_only_rf_bps=10_500,
    ...                   margin_call_cure_s=3_600, withdrawal_haircut_bps=0,
    ...                   liquidation_fee_bps=500)
    >>> s = next_status(AccountStatusState.initial(0), 112 * 10**16, pool, 10)
    >>> s.status.value, s.margin_call_ts_s
    ('margin_call', 10)
    >>> next_status(s, 112 * 10**16, pool, 3_610).status.value
    'reduce_only'
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.prime.policy import PoolParams

__all__ = ["BPS_TO_WAD", "AccountStatusState", "MarginStatus", "next_status", "rf_status"]

BPS_TO_WAD: Final = 10**14  # an RF threshold in bps times this is the RF in wad


class MarginStatus(StrEnum):
    """The rungs of the ladder, best first."""

    HEALTHY = "healthy"
    MARGIN_CALL = "margin_call"
    REDUCE_ONLY = "reduce_only"
    LIQUIDATION = "liquidation"


def rf_status(rf_wad: int, pool: PoolParams) -> MarginStatus:
    """The instantaneous rung of `rf_wad` under `pool`'s thresholds (no cure clock)."""
    if rf_wad < pool.liquidation_rf_bps * BPS_TO_WAD:
        return MarginStatus.LIQUIDATION
    if rf_wad <= pool.reduce_only_rf_bps * BPS_TO_WAD:
        return MarginStatus.REDUCE_ONLY
    if rf_wad <= pool.margin_call_rf_bps * BPS_TO_WAD:
        return MarginStatus.MARGIN_CALL
    return MarginStatus.HEALTHY


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountStatusState:
    """Where an account stands: its rung, since when, and when its margin call started."""

    status: MarginStatus
    since_ts_s: int
    margin_call_ts_s: int | None = None  # the cure clock; None while HEALTHY
    rf_wad: int | None = None  # the RF of the last check

    @staticmethod
    def initial(now_ts_s: int) -> AccountStatusState:
        """A fresh account: HEALTHY, no clock."""
        return AccountStatusState(status=MarginStatus.HEALTHY, since_ts_s=now_ts_s)

    def cure_deadline_ts_s(self, pool: PoolParams) -> int | None:
        """When an uncured margin call turns REDUCE_ONLY; None while no clock runs."""
        if self.margin_call_ts_s is None:
            return None
        return self.margin_call_ts_s + pool.margin_call_cure_s


def next_status(
    prev: AccountStatusState, rf_wad: int, pool: PoolParams, now_ts_s: int
) -> AccountStatusState:
    """The state after a check at `now_ts_s` that found `rf_wad` (see the module docstring)."""
    if now_ts_s < prev.since_ts_s:
        raise ProtocolError(ErrorCode.CLOCK_WENT_BACKWARDS, now_s=prev.since_ts_s, ts_s=now_ts_s)
    raw = rf_status(rf_wad, pool)
    clock: int | None = None
    if raw is not MarginStatus.HEALTHY:
        clock = now_ts_s if prev.margin_call_ts_s is None else prev.margin_call_ts_s
    status = raw
    if raw is MarginStatus.MARGIN_CALL:
        assert clock is not None
        if now_ts_s - clock >= pool.margin_call_cure_s:
            status = MarginStatus.REDUCE_ONLY  # the margin call was not cured in time
    since = prev.since_ts_s if status is prev.status else now_ts_s
    return AccountStatusState(
        status=status, since_ts_s=since, margin_call_ts_s=clock, rf_wad=rf_wad
    )

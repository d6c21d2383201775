"""The injected clock: the only source of time inside the engine.

Nothing in the engine reads the wall clock. Time is an integer count of seconds since the
Unix epoch, like `block.timestamp`, and it never goes backwards: a journal replays in order,
and interest accrual over a negative interval has no meaning.

Example:
    >>> clock = Clock(start_ts_s=1_700_000_000)
    >>> clock.skip(86_400)
    1700086400
    >>> clock.now
    1700086400
"""

from __future__ import annotations

from typing import Final

from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.uint import UINT40_MAX, check_uint

__all__ = ["TS_MAX_S", "Clock"]

# Aave stores timestamps as uint40; a clock past that could not be written to a reserve.
TS_MAX_S: Final = UINT40_MAX


class Clock:
    """A monotonic, manually driven clock in whole seconds."""

    __slots__ = ("_now_s",)

    def __init__(self, start_ts_s: int = 0) -> None:
        self._now_s = check_uint(start_ts_s, field="start_ts_s", bits=40)

    @property
    def now(self) -> int:
        """The current time in seconds since the Unix epoch."""
        return self._now_s

    def warp(self, ts_s: int) -> int:
        """Jump to `ts_s` (not before `now`) and return it."""
        check_uint(ts_s, field="ts_s", bits=40)
        if ts_s < self._now_s:
            raise ProtocolError(ErrorCode.CLOCK_WENT_BACKWARDS, now_s=self._now_s, ts_s=ts_s)
        self._now_s = ts_s
        return ts_s

    def skip(self, seconds: int) -> int:
        """Advance by `seconds` (not negative) and return the new time."""
        check_uint(seconds, field="seconds", bits=40)
        return self.warp(self._now_s + seconds)

    def rewind_to(self, ts_s: int) -> None:
        """Undo a warp of a command that was then rejected. Only the ledger calls this."""
        self._now_s = check_uint(ts_s, field="ts_s", bits=40)

    def __repr__(self) -> str:
        return f"Clock(now={self._now_s})"

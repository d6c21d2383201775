"""PriceOracleSentinel: pause borrows and liquidations on an L2 while its sequencer is down.

As Aave v3.0.2 `protocol/configuration/PriceOracleSentinel.sol`: borrowing and liquidating
are allowed only when the sequencer feed answers 0 (up) and more than `grace_period_s` has
passed since that answer's `updatedAt`, so users get time to repay or add collateral after
an outage before anyone may liquidate them. (The Pool still lets a liquidation through when
the health factor is below 0.95, whatever the sentinel says.)

Example:
    >>> from sparkprime.core.clock import Clock
    >>> from sparkprime.oracle.feed import SequencerUptimeFeed
    >>> feed, clock = SequencerUptimeFeed(), Clock(start_ts_s=10_000)
    >>> _ = feed.set_status(is_down=False, ts_s=9_000)
    >>> sentinel = PriceOracleSentinel(
    ...     acl=None, clock=clock, sequencer_oracle=feed, grace_period_s=3_600
    ... )
    >>> sentinel.is_borrow_allowed()  # up for 1,000 s only: still in the grace period
    False
"""

from __future__ import annotations

from typing import Protocol

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.core.uint import check_uint256
from sparkprime.oracle.feed import RoundData

__all__ = ["PriceOracleSentinel", "SentinelAdmins", "SequencerOracle"]


class SequencerOracle(Protocol):
    """`ISequencerOracle`: the sequencer status feed."""

    def latest_round_data(self) -> RoundData:
        """The latest (answer, started_at, updated_at)."""
        ...


class SentinelAdmins(Protocol):
    """The part of ACLManager the sentinel asks."""

    def is_pool_admin(self, account: Address) -> bool:
        """Whether `account` holds POOL_ADMIN."""
        ...

    def is_risk_admin(self, account: Address) -> bool:
        """Whether `account` holds RISK_ADMIN."""
        ...


class PriceOracleSentinel:
    """Gate on the sequencer's uptime plus a grace period."""

    __slots__ = ("_acl", "_clock", "grace_period_s", "sequencer_oracle")

    def __init__(
        self,
        *,
        acl: SentinelAdmins | None,
        clock: Clock,
        sequencer_oracle: SequencerOracle,
        grace_period_s: int,
    ) -> None:
        self._acl = acl
        self._clock = clock
        self.sequencer_oracle = sequencer_oracle
        self.grace_period_s = check_uint256(grace_period_s, field="grace_period_s")

    def is_borrow_allowed(self) -> bool:
        """Whether borrowing is allowed now."""
        return self._is_up_and_grace_period_passed()

    def is_liquidation_allowed(self) -> bool:
        """Whether liquidating is allowed now."""
        return self._is_up_and_grace_period_passed()

    def _is_up_and_grace_period_passed(self) -> bool:
        data = self.sequencer_oracle.latest_round_data()
        elapsed_s = self._clock.now - data.updated_at_s
        if elapsed_s < 0:  # the contract's unchecked-free subtraction would revert here
            raise ProtocolError(ErrorCode.MATH_OVERFLOW, op="block.timestamp - updatedAt")
        return data.answer == 0 and elapsed_s > self.grace_period_s

    def set_sequencer_oracle(self, sequencer_oracle: SequencerOracle, *, sender: Address) -> None:
        """Replace the sequencer feed (pool admin only)."""
        if self._acl is None or not self._acl.is_pool_admin(sender):
            raise ProtocolError(ErrorCode.CALLER_NOT_POOL_ADMIN, sender=sender)
        self.sequencer_oracle = sequencer_oracle

    def set_grace_period(self, grace_period_s: int, *, sender: Address) -> None:
        """Set the grace period (risk or pool admin only)."""
        acl = self._acl
        if acl is None or not (acl.is_risk_admin(sender) or acl.is_pool_admin(sender)):
            raise ProtocolError(ErrorCode.CALLER_NOT_RISK_OR_POOL_ADMIN, sender=sender)
        self.grace_period_s = check_uint256(grace_period_s, field="grace_period_s")

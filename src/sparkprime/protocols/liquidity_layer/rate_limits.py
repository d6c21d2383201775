"""Spark Liquidity Layer `RateLimits` (spark-alm-controller `src/RateLimits.sol`).

Every ALM controller action that moves funds spends (`trigger_rate_limit_decrease`) or
refills (`trigger_rate_limit_increase`) a rate limit: a bucket of `max_amount` tokens that
refills at `slope` tokens per second. A limit is stored as its level `last_amount` at
`last_updated`; the level now is

    current = min(slope * (now - last_updated) + last_amount, max_amount)

A key whose `max_amount` is 2**256 - 1 is unlimited: its current limit is always
2**256 - 1 and triggers return that without writing. A key never set has `max_amount` 0:
it is not whitelisted, and triggers revert with "RateLimits/zero-maxAmount".

Roles follow OpenZeppelin AccessControl: `DEFAULT_ADMIN_ROLE` (governance) sets limits and
grants roles, `CONTROLLER` (the ALM controller) triggers. Roles are names here where the
contract uses their keccak256, as in `protocols.sparklend.access_control`.

Revert reasons map to `ErrorCode` as:

- `ZeroAdmin()` (constructor): `RATE_LIMITS_ZERO_ADMIN`
- "RateLimits/invalid-lastAmount": `RATE_LIMITS_INVALID_LAST_AMOUNT`
- "RateLimits/invalid-lastUpdated": `RATE_LIMITS_INVALID_LAST_UPDATED`
- "RateLimits/zero-maxAmount": `RATE_LIMITS_ZERO_MAX_AMOUNT`
- "RateLimits/rate-limit-exceeded": `RATE_LIMITS_RATE_LIMIT_EXCEEDED`
- an overflow of `slope * elapsed + last_amount` or `current + amount` (Solidity 0.8's
  checked math, Panic 0x11): `MATH_OVERFLOW`

each with `reason=` giving the Solidity revert. The contract has no check on the key itself:
the zero key is a key like any other.

Keys are bytes32, written as lower-case "0x" + 64 hex digits (`RateLimitKey`);
`rate_limit_key` checks and normalises one. Every write goes through an `Atomic`, so a
refused call changes nothing; events go to an `EventLog`.

Example:
    >>> from sparkprime.core.clock import Clock
    >>> from sparkprime.protocols.sparklend.addresses import make_addr
    >>> clock = Clock(start_ts_s=1_000)
    >>> admin, controller = make_addr("admin"), make_addr("controller")
    >>> limits = RateLimits(admin, clock=clock)
    >>> limits.grant_role(CONTROLLER, controller, sender=admin)
    >>> key = "0x" + "11" * 32
    >>> limits.set_rate_limit_data(key, 1_000, 10, sender=admin)
    >>> limits.trigger_rate_limit_decrease(key, 400, sender=controller)
    600
    >>> _ = clock.skip(5)
    >>> limits.get_current_rate_limit(key)
    650
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, Final, NewType

from sparkprime.core.clock import Clock
from sparkprime.core.errors import ErrorCode, ProtocolError
from sparkprime.core.ids import Address
from sparkprime.core.uint import UINT256_MAX, check_uint256
from sparkprime.protocols.atomic import Atomic
from sparkprime.protocols.sparklend.access_control import (
    DEFAULT_ADMIN_ROLE,
    AccessControlEnumerable,
    is_zero_address,
)
from sparkprime.protocols.sparklend.events import EventLog
from sparkprime.protocols.sparklend.transaction import transact

__all__ = [
    "CONTROLLER",
    "DEFAULT_ADMIN_ROLE",
    "UNLIMITED",
    "RateLimitData",
    "RateLimitKey",
    "RateLimits",
    "rate_limit_key",
]

RateLimitKey = NewType("RateLimitKey", str)  # lower-case "0x" + 64 hex digits (a bytes32)

CONTROLLER: Final = "CONTROLLER"
UNLIMITED: Final = UINT256_MAX  # type(uint256).max: the unlimited max_amount and limit

_KEY_RE: Final = re.compile(r"0x[0-9a-fA-F]{64}")


def rate_limit_key(value: object) -> RateLimitKey:
    """`value` as a bytes32 key (lower-cased), or INVALID_ID if it is not 32 hex bytes."""
    if not isinstance(value, str) or _KEY_RE.fullmatch(value) is None:
        raise ProtocolError(
            ErrorCode.INVALID_ID,
            field="key",
            value=value,
            reason='a bytes32 is "0x" followed by 64 hex digits',
        )
    return RateLimitKey(value.lower())


@dataclasses.dataclass(frozen=True, slots=True)
class RateLimitData:
    """`IRateLimits.RateLimitData`: an unset key reads as all zeros."""

    max_amount: int = 0
    slope: int = 0
    last_amount: int = 0
    last_updated: int = 0


_EMPTY: Final = RateLimitData()


class RateLimits(AccessControlEnumerable):
    """The rate limits of one ALM deployment, keyed by bytes32."""

    __slots__ = ("_clock", "_data")

    def __init__(
        self,
        admin: Address,
        *,
        clock: Clock,
        atomic: Atomic | None = None,
        events: EventLog | None = None,
    ) -> None:
        if is_zero_address(admin):
            raise ProtocolError(
                ErrorCode.RATE_LIMITS_ZERO_ADMIN, field="admin", reason="ZeroAdmin()"
            )
        super().__init__(
            atomic=atomic if atomic is not None else Atomic(),
            events=events if events is not None else EventLog(),
        )
        self._clock = clock
        self._data: dict[RateLimitKey, RateLimitData] = {}
        self.grant(DEFAULT_ADMIN_ROLE, admin, admin)

    @property
    def atomic(self) -> Atomic:
        """The undo log every write goes through."""
        return self._atomic

    # --- admin ---

    def set_rate_limit_data(
        self,
        key: str,
        max_amount: int,
        slope: int,
        last_amount: int | None = None,
        last_updated: int | None = None,
        *,
        sender: Address,
    ) -> None:
        """`setRateLimitData`: both overloads. With `last_amount` and `last_updated` left
        out (the 3-argument overload) the limit starts full (`max_amount`) now; give both or
        neither."""
        if (last_amount is None) != (last_updated is None):
            raise ProtocolError(
                ErrorCode.MISSING_FIELD,
                kind="setRateLimitData",
                fields="last_amount and last_updated go together",
            )
        k = rate_limit_key(key)
        max_amount = check_uint256(max_amount, field="max_amount")
        slope = check_uint256(slope, field="slope")
        now = self._clock.now
        if last_amount is None or last_updated is None:
            last_amount, last_updated = max_amount, now
        last_amount = check_uint256(last_amount, field="last_amount")
        last_updated = check_uint256(last_updated, field="last_updated")
        self.check_role(DEFAULT_ADMIN_ROLE, sender)
        if last_amount > max_amount:
            raise ProtocolError(
                ErrorCode.RATE_LIMITS_INVALID_LAST_AMOUNT,
                last_amount=last_amount,
                max_amount=max_amount,
                reason="RateLimits/invalid-lastAmount",
            )
        if last_updated > now:
            raise ProtocolError(
                ErrorCode.RATE_LIMITS_INVALID_LAST_UPDATED,
                last_updated=last_updated,
                now=now,
                reason="RateLimits/invalid-lastUpdated",
            )
        data = RateLimitData(max_amount, slope, last_amount, last_updated)
        transact(self._atomic, self._write_set, k, data)

    def set_unlimited_rate_limit_data(self, key: str, *, sender: Address) -> None:
        """`setUnlimitedRateLimitData`: (max, 0, max, now)."""
        self.set_rate_limit_data(key, UNLIMITED, 0, UNLIMITED, self._clock.now, sender=sender)

    # --- views ---

    def get_rate_limit_data(self, key: str) -> RateLimitData:
        """`getRateLimitData`: the stored data (all zeros for an unset key)."""
        return self._data.get(rate_limit_key(key), _EMPTY)

    def get_current_rate_limit(self, key: str) -> int:
        """`getCurrentRateLimit`: what may be spent now (2**256 - 1 when unlimited)."""
        return self._current(self._data.get(rate_limit_key(key), _EMPTY))

    # --- controller ---

    def trigger_rate_limit_decrease(self, key: str, amount: int, *, sender: Address) -> int:
        """`triggerRateLimitDecrease`: spend `amount`; return the new limit."""
        k = rate_limit_key(key)
        amount = check_uint256(amount, field="amount")
        self.check_role(CONTROLLER, sender)
        data = self._whitelisted(k)
        if data.max_amount == UNLIMITED:
            return UNLIMITED
        current = self._current(data)
        if amount > current:
            raise ProtocolError(
                ErrorCode.RATE_LIMITS_RATE_LIMIT_EXCEEDED,
                key=k,
                amount=amount,
                current=current,
                reason="RateLimits/rate-limit-exceeded",
            )
        new_limit = current - amount
        transact(
            self._atomic,
            self._write_trigger,
            k,
            data=data,
            event="RateLimitDecreaseTriggered",
            amount=amount,
            current=current,
            new_limit=new_limit,
        )
        return new_limit

    def trigger_rate_limit_increase(self, key: str, amount: int, *, sender: Address) -> int:
        """`triggerRateLimitIncrease`: give back `amount` (capped at max); return the new
        limit."""
        k = rate_limit_key(key)
        amount = check_uint256(amount, field="amount")
        self.check_role(CONTROLLER, sender)
        data = self._whitelisted(k)
        if data.max_amount == UNLIMITED:
            return UNLIMITED
        current = self._current(data)
        total = current + amount
        if total > UINT256_MAX:
            raise ProtocolError(
                ErrorCode.MATH_OVERFLOW,
                op="currentRateLimit + amountToIncrease",
                reason="Panic(0x11)",
            )
        new_limit = min(total, data.max_amount)
        transact(
            self._atomic,
            self._write_trigger,
            k,
            data=data,
            event="RateLimitIncreaseTriggered",
            amount=amount,
            current=current,
            new_limit=new_limit,
        )
        return new_limit

    # --- internal ---

    def _current(self, data: RateLimitData) -> int:
        if data.max_amount == UNLIMITED:
            return UNLIMITED
        elapsed = self._clock.now - data.last_updated  # >= 0: last_updated <= now when set
        refilled = data.slope * elapsed + data.last_amount
        if refilled > UINT256_MAX:
            raise ProtocolError(
                ErrorCode.MATH_OVERFLOW,
                op="slope * (block.timestamp - lastUpdated) + lastAmount",
                reason="Panic(0x11)",
            )
        return min(refilled, data.max_amount)

    def _whitelisted(self, key: RateLimitKey) -> RateLimitData:
        data = self._data.get(key, _EMPTY)
        if data.max_amount == 0:
            raise ProtocolError(
                ErrorCode.RATE_LIMITS_ZERO_MAX_AMOUNT, key=key, reason="RateLimits/zero-maxAmount"
            )
        return data

    def _write_set(self, key: RateLimitKey, data: RateLimitData) -> None:
        self._atomic.set_item(self._data, key, data)
        self.events.emit(
            self._atomic,
            "RateLimitDataSet",
            key,
            data.max_amount,
            data.slope,
            data.last_amount,
            data.last_updated,
        )

    def _write_trigger(
        self,
        key: RateLimitKey,
        *,
        data: RateLimitData,
        event: str,
        amount: int,
        current: int,
        new_limit: int,
    ) -> None:
        updated = dataclasses.replace(data, last_amount=new_limit, last_updated=self._clock.now)
        self._atomic.set_item(self._data, key, updated)
        self.events.emit(self._atomic, event, key, amount, current, new_limit)

    # --- state ---

    def snapshot(self) -> dict[str, Any]:
        """JSON-able state: the roles and every set key's data (amounts as decimal strings,
        since uint256 values do not fit a JSON number everywhere)."""
        return {
            "access": super().snapshot(),
            "data": {
                k: [str(d.max_amount), str(d.slope), str(d.last_amount), str(d.last_updated)]
                for k, d in sorted(self._data.items())
            },
        }

    def load(self, data: dict[str, Any]) -> None:
        """Replace the state with what `snapshot` returned (not logged)."""
        access, limits = data.get("access"), data.get("data")
        if not isinstance(access, dict) or not isinstance(limits, dict):
            raise ProtocolError(ErrorCode.MALFORMED_PAYLOAD, reason="rate limits snapshot")
        loaded: dict[RateLimitKey, RateLimitData] = {}
        for k, fields in limits.items():
            if not isinstance(fields, list) or len(fields) != 4:
                raise ProtocolError(ErrorCode.MALFORMED_PAYLOAD, reason=f"rate limit {k!r}")
            try:
                values = [int(f) for f in fields]
            except (TypeError, ValueError) as exc:
                raise ProtocolError(
                    ErrorCode.MALFORMED_PAYLOAD, reason=f"rate limit {k!r}"
                ) from exc
            for name, value in zip(
                ("max_amount", "slope", "last_amount", "last_updated"), values, strict=True
            ):
                check_uint256(value, field=name)
            loaded[rate_limit_key(k)] = RateLimitData(*values)
        super().load(access)
        self._data = loaded

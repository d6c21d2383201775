"""The error model: one catalogue of stable codes and two kinds of failure.

```
Exception
 +-- ProtocolError        a rejected input or action: the caller gets a code and a message,
 |                        and nothing changed (state, journal, balances)
 +-- InvariantViolation   a bug: an internal rule broke; never caught to continue
```

`ErrorCode` values are stable and never reused: they are written to journals and shown to
users. Blocks by origin:

- 1000-1099 input and schema (wrong type, out of range, unknown field or command)
- 1100-1199 fixed-point math (the EVM's revert on overflow or division by zero)
- 1200-1299 clock and ids
- 2000-2099 the command journal
- 3000-3999 SparkLend: 3000 + the numeric revert reason of Aave v3's `Errors.sol`
- 4000-     savings, liquidity layer, prime book, ... (one block per later package)

Example:
    >>> err = ProtocolError(ErrorCode.VALUE_OUT_OF_RANGE, field="amount", value=-1)
    >>> err.code.name
    'VALUE_OUT_OF_RANGE'
"""

from __future__ import annotations

from enum import IntEnum, unique
from typing import Any

__all__ = ["ErrorCode", "InvariantViolation", "ProtocolError"]


@unique
class ErrorCode(IntEnum):
    """Stable error codes; the name says the condition, the value never changes."""

    # 1000-1099: input and schema
    INVALID_TYPE = 1001
    VALUE_OUT_OF_RANGE = 1002
    UNKNOWN_FIELD = 1003
    MISSING_FIELD = 1004
    UNKNOWN_COMMAND_KIND = 1005
    MALFORMED_PAYLOAD = 1006
    LIMIT_EXCEEDED = 1007
    INSUFFICIENT_BALANCE = 1008
    # 1100-1199: fixed-point math
    MATH_OVERFLOW = 1101
    DIVISION_BY_ZERO = 1102
    # 1200-1299: clock and ids
    CLOCK_WENT_BACKWARDS = 1201
    INVALID_ID = 1202
    # 2000-2099: the command journal
    IDEMPOTENCY_KEY_REUSED = 2001
    JOURNAL_CORRUPT = 2002
    JOURNAL_SCHEMA_TOO_NEW = 2003
    JOURNAL_SCHEMA_TOO_OLD = 2004
    JOURNAL_CLOSED = 2005
    JOURNAL_STATE_MACHINE_MISMATCH = 2006
    JOURNAL_TIMESTAMP_BEFORE_HEAD = 2007
    SNAPSHOT_CORRUPT = 2008
    JOURNAL_WRITE_FAILED = 2009
    JOURNAL_EXISTS = 2010
    JOURNAL_UNAVAILABLE = 2011


_MESSAGES: dict[ErrorCode, str] = {
    ErrorCode.INVALID_TYPE: "{field}: expected {expected}, got {got}",
    ErrorCode.VALUE_OUT_OF_RANGE: "{field}: {value} is outside [{min}, {max}]",
    ErrorCode.UNKNOWN_FIELD: "{kind}: unknown field(s) {fields}",
    ErrorCode.MISSING_FIELD: "{kind}: missing field(s) {fields}",
    ErrorCode.UNKNOWN_COMMAND_KIND: "unknown command kind {kind!r}",
    ErrorCode.MALFORMED_PAYLOAD: "malformed payload: {reason}",
    ErrorCode.LIMIT_EXCEEDED: "{what}: {value} exceeds the limit {limit}",
    ErrorCode.INSUFFICIENT_BALANCE: "{account}: balance {balance} is less than {amount}",
    ErrorCode.MATH_OVERFLOW: "{op}: result overflows uint256",
    ErrorCode.DIVISION_BY_ZERO: "{op}: division by zero",
    ErrorCode.CLOCK_WENT_BACKWARDS: "time cannot go backwards: now {now_s}, asked {ts_s}",
    ErrorCode.INVALID_ID: "{field}: invalid id {value!r} ({reason})",
    ErrorCode.IDEMPOTENCY_KEY_REUSED: (
        "idempotency key {key!r} was already used at seq {seq} with a different command"
    ),
    ErrorCode.JOURNAL_CORRUPT: "journal is corrupt after seq {last_good_seq}: {reason}",
    ErrorCode.JOURNAL_SCHEMA_TOO_NEW: (
        "journal schema version {found} is newer than this build supports ({supported})"
    ),
    ErrorCode.JOURNAL_SCHEMA_TOO_OLD: (
        "journal schema version {found} is older than this build supports ({supported})"
    ),
    ErrorCode.JOURNAL_CLOSED: "journal is closed",
    ErrorCode.JOURNAL_STATE_MACHINE_MISMATCH: (
        "journal belongs to state machine {found!r}, not {expected!r}"
    ),
    ErrorCode.JOURNAL_TIMESTAMP_BEFORE_HEAD: (
        "command timestamp {ts_s} is before the journal head's {head_ts_s}"
    ),
    ErrorCode.SNAPSHOT_CORRUPT: "snapshot at seq {seq} is corrupt: {reason}",
    ErrorCode.JOURNAL_WRITE_FAILED: "journal write failed, nothing was acknowledged: {reason}",
    ErrorCode.JOURNAL_EXISTS: "the store already holds a journal of {state_machine!r}; open it",
    ErrorCode.JOURNAL_UNAVAILABLE: "the journal database is unavailable: {reason}",
}


def _render(code: ErrorCode, context: dict[str, Any]) -> str:
    template = _MESSAGES.get(code)
    if template is None:
        return code.name.lower().replace("_", " ")
    try:
        return template.format(**context)
    except (KeyError, IndexError, ValueError):
        # A caller that gave less context than the template names still gets a message.
        extra = ", ".join(f"{k}={v!r}" for k, v in sorted(context.items()))
        return f"{code.name.lower().replace('_', ' ')} ({extra})" if extra else code.name


class ProtocolError(Exception):
    """A rejected input or action. Carries a stable `code` and the `context` that explains it.

    Raising it promises that nothing changed: validation happens before any mutation.
    """

    code: ErrorCode
    context: dict[str, Any]

    def __init__(self, code: ErrorCode, /, **context: Any) -> None:
        if not isinstance(code, ErrorCode):
            raise TypeError(f"ProtocolError needs an ErrorCode, got {code!r}")
        self.code = code
        self.context = dict(context)
        super().__init__(f"{code.name} [{int(code)}]: {_render(code, self.context)}")

    @property
    def message(self) -> str:
        """The human message, without the code prefix."""
        return _render(self.code, self.context)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_protocol_error, (self.code, self.context))


def _rebuild_protocol_error(code: ErrorCode, context: dict[str, Any]) -> ProtocolError:
    return ProtocolError(code, **context)


class InvariantViolation(Exception):  # noqa: N818 - the name states what happened
    """An internal rule broke: a bug, never an input problem. Never caught to continue."""

    def __init__(self, rule: str, /, **context: Any) -> None:
        self.rule = rule
        self.context = dict(context)
        detail = ", ".join(f"{k}={v!r}" for k, v in sorted(context.items()))
        super().__init__(f"invariant {rule!r} violated" + (f": {detail}" if detail else ""))
